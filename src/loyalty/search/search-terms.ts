// How members are found: the tokens stored in members.search_terms (indexed by members_fts) and the
// FTS5 expressions built from what a cashier types. Both sides go through the same folding, so
// "José", "jose" and "JOSE" meet. Pure functions without imports: the seed (scripts/lib/seed-*.ts)
// uses them too.

export interface SearchableMember {
  companyId: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
  status: "active" | "inactive";
}

/**
 * Every token starts with the company id, zero-padded to this many digits (a Kounta id has at most
 * 20), then a field tag: "00000000000000000456_n_john". The start is the same length for every
 * company, so FTS5's prefix indexes (migration 0009) hold the first letters typed after it.
 */
export const COMPANY_TAG_DIGITS = 20;
/** The length of a token's start: the padded company id, "_", the field letter, "_". */
export const TOKEN_START_LENGTH = COMPANY_TAG_DIGITS + 3;
/**
 * Prefixes of up to this many characters (after the token's start) are answered from a prefix index:
 * one list, read only as far as the page needs. A longer prefix is merged from every word that starts
 * with it, which costs in proportion to how many members those words have; from 9 characters on
 * there are few.
 */
export const INDEXED_PREFIX_CHARS = 8;

export type TokenField = "n" | "e" | "p" | "k";

/** The start of every token of one company and field: "00000000000000000456_p_". */
export function tokenStart(companyId: string, field: TokenField): string {
  return `${companyId.padStart(COMPANY_TAG_DIGITS, "0")}_${field}_`;
}

/** The `prefix` option of members_fts: one index per length of typed prefix, 1 to INDEXED_PREFIX_CHARS. */
export function ftsPrefixOption(): string {
  return Array.from({ length: INDEXED_PREFIX_CHARS }, (_, i) => TOKEN_START_LENGTH + 1 + i).join(" ");
}

const MAX_WORDS = 6;
const MAX_WORD_LENGTH = 40;
const MIN_PHONE_DIGITS = 3;
/** Fewer digits than this read as the start of a phone number, not as a whole one (nor a card). */
const MIN_WHOLE_NUMBER_DIGITS = 6;
/** An email's whole shape (name@domain.tld); "john@" or "john@cafe" is the start of one. */
const WHOLE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * What separates words: anything but a letter or a digit, and the few letters of JavaScript's newer
 * Unicode that SQLite's unicode61 tokenizer (Unicode 6.1 tables) reads as word breaks (New Tai Lue
 * vowel signs, two Vedic signs). Both sides split the same way, so a token never reaches FTS5 as two
 * words (a phrase, which detail=none refuses).
 */
const WORD_BREAK_CLASS = String.raw`[^\p{L}\p{N}]|[\u19B0-\u19C9\u1CF2\u1CF3]`;
const WORD_BREAK = new RegExp(WORD_BREAK_CLASS, "gu");
const WORD_BREAKS = new RegExp(`(?:${WORD_BREAK_CLASS})+`, "gu");

function hasWordCharacter(text: string): boolean {
  return text.replace(WORD_BREAKS, "").length > 0;
}

// Letters that Unicode does not decompose into a base letter plus an accent.
const SPECIAL_LETTERS: Record<string, string> = {
  ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i", ħ: "h",
};

export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[ßæœøłđðþıħ]/g, (ch) => SPECIAL_LETTERS[ch] ?? ch);
}

/** Words of a name: letters and digits only, folded. "Mary-Jane O'Brien" -> mary, jane, o, brien. */
export function nameWords(text: string): string[] {
  return foldText(text)
    .split(WORD_BREAKS)
    .filter((w) => w.length > 0)
    .map((w) => w.slice(0, MAX_WORD_LENGTH));
}

/** An email as one token: every character outside [a-z0-9] becomes "_", so a typed start still matches. */
export function emailToken(email: string): string {
  return foldText(email.trim()).replace(WORD_BREAK, "_");
}

export function cardToken(card: string): string {
  return foldText(card).replace(WORD_BREAK, "");
}

/**
 * Phone digits in national form: international prefix ("+", "00"), the company's country code and
 * the trunk "0" removed. "+61 412 345 678", "0061412345678" and "0412 345 678" all give "412345678".
 */
export function nationalPhoneDigits(phone: string, countryCode: string | null): string {
  let digits = phone.replace(/\D/g, "");
  const international = /^\s*\+/.test(phone) || digits.startsWith("00");
  if (digits.startsWith("00")) digits = digits.slice(2);
  if (international) {
    if (countryCode && digits.startsWith(countryCode)) return digits.slice(countryCode.length);
    return digits;
  }
  return digits.replace(/^0+/, "");
}

/** The text stored in members.search_terms for one member. */
export function buildSearchTerms(member: SearchableMember, countryCode: string | null): string {
  if (member.status !== "active") return "";
  const [n, e, p, k] = fieldStarts(member.companyId);
  const terms = new Set<string>();
  for (const word of nameWords(`${member.firstName} ${member.lastName ?? ""}`)) terms.add(`${n}${word}`);
  if (member.email) terms.add(`${e}${emailToken(member.email)}`);
  if (member.phone) {
    const national = nationalPhoneDigits(member.phone, countryCode);
    if (national) {
      terms.add(`${p}${national}`);
      // Also with the country code, for a number typed as "61412..." without the "+".
      if (countryCode && !national.startsWith(countryCode)) terms.add(`${p}${countryCode}${national}`);
    }
  }
  if (member.cardNumber) {
    const card = cardToken(member.cardNumber);
    if (card) terms.add(`${k}${card}`);
  }
  return [...terms].join(" ");
}

export interface SearchExpressions {
  /** Whole-word matches: ranked first. */
  exact: string;
  /** Prefix matches: a name's start, an email's start, a phone number's start. */
  prefix: string;
  /**
   * Whether the keyword reads as a whole email, phone or card number (name@domain.tld, or no letters
   * and at least six digits). A member whose whole email, phone or card matches is then the answer, so
   * prefixes are searched only when nothing matched whole; for a name, or a few digits (the start
   * of a phone number), they fill the page after whole words.
   */
  identifier: boolean;
}

/**
 * FTS5 MATCH expressions for a keyword, or null when nothing searchable is left (only symbols).
 * Tokens contain [a-z0-9_] and letters only, so nothing the cashier types can reach FTS5 syntax.
 */
export function buildSearchExpressions(companyId: string, keyword: string): SearchExpressions | null {
  const [n, e, p, k] = fieldStarts(companyId);
  const exact: string[] = [];
  const prefix: string[] = [];

  const words = nameWords(keyword).slice(0, MAX_WORDS);
  if (words.length > 0) {
    exact.push(group(words.map((w) => `"${n}${w}"`)));
    prefix.push(group(words.map((w) => `"${n}${w}"*`)));
  }

  const trimmed = keyword.trim();
  if (trimmed && !/\s/.test(trimmed) && hasWordCharacter(trimmed)) {
    const email = emailToken(trimmed).slice(0, 200);
    exact.push(`"${e}${email}"`);
    prefix.push(`"${e}${email}"*`);
    const card = cardToken(trimmed);
    if (card) exact.push(`"${k}${card}"`);
  }

  if (/^[\d\s+\-().]+$/.test(trimmed)) {
    const digits = nationalPhoneDigits(trimmed, null);
    if (digits.length >= MIN_PHONE_DIGITS) {
      exact.push(`"${p}${digits}"`);
      prefix.push(`"${p}${digits}"*`);
    }
    const card = cardToken(trimmed);
    if (card && /\s|-/.test(trimmed)) exact.push(`"${k}${card}"`);
  }

  if (exact.length === 0 && prefix.length === 0) return null;
  return {
    exact: exact.join(" OR "),
    prefix: (prefix.length ? prefix : exact).join(" OR "),
    identifier: WHOLE_EMAIL.test(trimmed) || (!/\p{L}/u.test(trimmed) && trimmed.replace(/\D/g, "").length >= MIN_WHOLE_NUMBER_DIGITS),
  };
}

function fieldStarts(companyId: string): [n: string, e: string, p: string, k: string] {
  return [tokenStart(companyId, "n"), tokenStart(companyId, "e"), tokenStart(companyId, "p"), tokenStart(companyId, "k")];
}

function group(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(" AND ")})`;
}
