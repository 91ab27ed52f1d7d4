// What the benchmark asks for: keywords and member ids that exist in the seeded data, and the POS
// calls' paths.

import { nationalPhoneDigits } from "../../src/loyalty/search/search-terms.ts";
import { prng } from "./prng.ts";
import { ADDON_KEY, COMPANY, COUNTRY_CODE, SITE } from "./bench-config.ts";
import type { Job } from "./bench-load.ts";

export interface MemberRow {
  id: string;
  first_name: string;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  card_number: string | null;
}

function spaced(digits: string): string {
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

export const KEYWORD_KINDS = [
  "first name",
  "full name",
  "last, first",
  "name prefix",
  "accented name",
  "email",
  "email start",
  "phone 0412 345 678",
  "phone +61412345678",
  "phone 412345678",
  "card number",
] as const;
export type KeywordKind = (typeof KEYWORD_KINDS)[number];

function keywordFor(kind: KeywordKind, m: MemberRow, accented: MemberRow[], rand: () => number): string | null {
  switch (kind) {
    case "first name":
      return m.first_name;
    case "full name":
      return m.last_name ? `${m.first_name} ${m.last_name}` : null;
    case "last, first":
      return m.last_name ? `${m.last_name} ${m.first_name}` : null;
    case "name prefix":
      return m.first_name.slice(0, 2 + Math.floor(rand() * 2)).toLowerCase();
    case "accented name": {
      const a = accented[Math.floor(rand() * accented.length)];
      if (!a) return null;
      return a.last_name && rand() < 0.5 ? `${a.first_name} ${a.last_name}` : a.first_name;
    }
    case "email":
      return m.email;
    case "email start": {
      if (!m.email) return null;
      const local = m.email.split("@")[0]!;
      return local.slice(0, Math.min(local.length, 4 + Math.floor(rand() * 5)));
    }
    case "phone 0412 345 678":
      return m.phone ? `0${spaced(nationalPhoneDigits(m.phone, COUNTRY_CODE))}` : null;
    case "phone +61412345678":
      return m.phone ? `+61${nationalPhoneDigits(m.phone, COUNTRY_CODE)}` : null;
    case "phone 412345678":
      return m.phone ? nationalPhoneDigits(m.phone, COUNTRY_CODE) : null;
    case "card number":
      return m.card_number;
  }
}

/** Keywords, evenly spread over the kinds, each taken from a member that exists. */
export function buildKeywords(sample: MemberRow[], count: number, seed: number): { kind: KeywordKind; keyword: string }[] {
  const rand = prng(seed);
  const accented = sample.filter((m) => /[^\u0000-\u007f]/.test(`${m.first_name}${m.last_name ?? ""}`));
  const out: { kind: KeywordKind; keyword: string }[] = [];
  let guard = 0;
  while (out.length < count && guard++ < count * 50) {
    const kind = KEYWORD_KINDS[out.length % KEYWORD_KINDS.length]!;
    const m = sample[Math.floor(rand() * sample.length)]!;
    const keyword = keywordFor(kind, m, accented, rand);
    if (keyword) out.push({ kind, keyword });
  }
  return out;
}

export function searchPath(keyword: string): string {
  const q = new URLSearchParams({ keyword, site_id: SITE, company_id: COMPANY, order_id: "111" });
  return `/kounta/${ADDON_KEY}/customer-search?${q}`;
}

/** A Kounta customer id per member, the same in every run (so a rerun does not relink). */
export function customerIdFor(memberId: string): string {
  let h = 2166136261;
  for (let i = 0; i < memberId.length; i++) h = Math.imul(h ^ memberId.charCodeAt(i), 16777619);
  return String(900_000_000 + ((h >>> 0) % 99_999_999));
}

export function lookupPath(memberId: string): string {
  const q = new URLSearchParams({
    customer_id: customerIdFor(memberId),
    reference_id: memberId,
    site_id: SITE,
    company_id: COMPANY,
    order_id: "111",
  });
  return `/kounta/${ADDON_KEY}/reward-lookup?${q}`;
}

export const EMPTY_SEARCH = (body: string) => body.replace(/\s/g, "") === '{"members":{}}';
export const NOT_REDEEMED = (body: string) => !body.includes('"success":true');

export function searchJob(k: { kind: KeywordKind; keyword: string }): Job {
  return { path: searchPath(k.keyword), kind: k.kind, isEmpty: EMPTY_SEARCH };
}

export function cycle<T>(list: T[], map: (item: T) => Job): () => Job {
  let i = 0;
  return () => map(list[i++ % list.length]!);
}

export function shuffle<T>(list: T[], rand: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
