import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { cursorFor, cursorText } from "../../lib/cursor";
import type { Database } from "../../storage/db";
import { all } from "../../storage/sql";
import { companies, members, type Member } from "../../storage/schema";
import { enrolMember } from "./enrol";
import type { MemberFields, MemberInput } from "./member-fields";
import { memberSearchStatement } from "../search/member-search";
import { restartReindexIfCodeChanged } from "../search/search-reindex";
import { buildSearchTerms } from "../search/search-terms";

// Members as a merchant manages them: create, read, change, deactivate, reactivate, list and search.

/** A change the member's rules refuse: a duplicate email or card (conflict), or no contact left (invalid). */
export class MemberError extends Error {
  constructor(
    readonly kind: "conflict" | "invalid",
    message: string,
    /** The one field a duplicate concerns, for a form to show the message beside it. */
    readonly field: "email" | "card_number" | null = null,
  ) {
    super(message);
    this.name = "MemberError";
  }
}

export async function companyCountryCode(db: Database, companyId: string): Promise<string | null> {
  const [row] = await db.select({ code: companies.phoneCountryCode }).from(companies).where(eq(companies.id, companyId));
  return row?.code ?? null;
}

/** The unique index a failed write ran into, as the field the merchant knows. */
export function duplicateField(err: unknown): "email" | "card_number" | null {
  const texts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) texts.push(e.message);
  const text = texts.join(" ");
  if (!/UNIQUE constraint failed/i.test(text)) return null;
  if (/members\.email/.test(text)) return "email";
  if (/members\.card_number/.test(text)) return "card_number";
  return null;
}

function conflictFrom(err: unknown): never {
  const field = duplicateField(err);
  if (field === "email") throw new MemberError("conflict", "Another member of this company has this email", "email");
  if (field === "card_number") throw new MemberError("conflict", "Another member of this company has this card_number", "card_number");
  throw err;
}

/** Enrols a member with no points: points only ever change through the ledger. */
export async function createMember(db: Database, companyId: string, fields: MemberInput, actor: string): Promise<Member> {
  const countryCode = await companyCountryCode(db, companyId);
  let id: string;
  try {
    id = await enrolMember(db, { ...fields, companyId, actor }, { countryCode });
  } catch (err) {
    conflictFrom(err);
  }
  const created = await getMember(db, companyId, id);
  if (!created) throw new Error("an enrolled member could not be read back");
  return created;
}

export async function getMember(db: Database, companyId: string, memberId: string): Promise<Member | null> {
  const [row] = await db.select().from(members).where(and(eq(members.companyId, companyId), eq(members.id, memberId)));
  return row ?? null;
}

/**
 * Changes some fields; the search terms follow. The email consent's time (email_consent_at) moves
 * only when the consent changes. A new email without a consent in the same change loses the consent:
 * the new address's owner has not agreed. Null when the company has no such member.
 */
export async function updateMember(
  db: Database,
  companyId: string,
  memberId: string,
  patch: Partial<MemberInput>,
  now = Date.now(),
): Promise<Member | null> {
  const [current, countryCode] = await Promise.all([getMember(db, companyId, memberId), companyCountryCode(db, companyId)]);
  if (!current) return null;
  const merged: MemberFields = {
    firstName: patch.firstName ?? current.firstName,
    lastName: patch.lastName !== undefined ? patch.lastName : current.lastName,
    email: patch.email !== undefined ? patch.email : current.email,
    phone: patch.phone !== undefined ? patch.phone : current.phone,
    cardNumber: patch.cardNumber !== undefined ? patch.cardNumber : current.cardNumber,
  };
  if (!merged.email && !merged.phone && !merged.cardNumber) {
    throw new MemberError("invalid", "A member needs an email, phone or card_number: this change would leave none");
  }
  // The tokens an active member has; an inactive one keeps none. Decided at the write, from the
  // status then (a deactivation or reactivation may land between the read and this write).
  const activeTerms = buildSearchTerms({ ...merged, companyId, status: "active" }, countryCode);
  // Compared with the row as written (SET reads the old values), so a consent given again keeps its time.
  const emailChanged = merged.email !== current.email;
  const consentTo = patch.emailConsent ?? (emailChanged ? false : undefined);
  const consent =
    consentTo === undefined
      ? {}
      : {
          emailConsent: consentTo,
          emailConsentAt: sql`CASE WHEN ${members.emailConsent} = ${consentTo ? 1 : 0} THEN ${members.emailConsentAt} ELSE ${now} END`,
        };
  try {
    const [rows] = await db.batch([
      db
        .update(members)
        .set({ ...merged, ...consent, searchTerms: sql`CASE WHEN ${members.status} = 'active' THEN ${activeTerms} ELSE '' END`, updatedAt: now })
        .where(and(eq(members.companyId, companyId), eq(members.id, memberId)))
        .returning(),
      restartReindexIfCodeChanged(db, companyId, countryCode),
    ]);
    return rows[0] ?? null;
  } catch (err) {
    conflictFrom(err);
  }
}

/** Inactive: out of the search index, refused by the POS. Points and history stay. */
export async function deactivateMember(db: Database, companyId: string, memberId: string, now = Date.now()): Promise<Member | null> {
  await db
    .update(members)
    .set({ status: "inactive", searchTerms: "", updatedAt: now })
    .where(and(eq(members.companyId, companyId), eq(members.id, memberId), eq(members.status, "active")));
  return getMember(db, companyId, memberId);
}

/** Active again: back in the search index and served by the POS, with the points and history it had. */
export async function reactivateMember(db: Database, companyId: string, memberId: string, now = Date.now()): Promise<Member | null> {
  // The tokens are built from the member as read: written only if nobody changed it since (else
  // read again), so a change landing in between is not indexed with the old name or email.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [current, countryCode] = await Promise.all([getMember(db, companyId, memberId), companyCountryCode(db, companyId)]);
    if (!current || current.status === "active") return current;
    const searchTerms = buildSearchTerms({ ...current, companyId, status: "active" }, countryCode);
    const [written] = await db.batch([
      db
        .update(members)
        .set({ status: "active", searchTerms, updatedAt: Math.max(now, current.updatedAt + 1) })
        .where(
          and(eq(members.companyId, companyId), eq(members.id, memberId), eq(members.status, "inactive"), eq(members.updatedAt, current.updatedAt)),
        )
        .returning(),
      restartReindexIfCodeChanged(db, companyId, countryCode),
    ]);
    if (written[0]) return written[0];
  }
  throw new MemberError("conflict", "This member is being changed by another request: try again");
}

// The cursor is the last primary key seen: pk only grows, so a member added while a client pages
// lands after every page already read, and no row is skipped or repeated.
export function encodeCursor(pk: number): string {
  return cursorFor(`m:${pk}`);
}

export function decodeCursor(cursor: string): number | null {
  const match = /^m:(\d{1,15})$/.exec(cursorText(cursor) ?? "");
  return match ? Number(match[1]) : null;
}

export async function listMembers(
  db: Database,
  companyId: string,
  page: { limit: number; afterPk: number },
): Promise<{ rows: Member[]; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(members)
    .where(and(eq(members.companyId, companyId), gt(members.pk, page.afterPk)))
    .orderBy(asc(members.pk))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  return { rows: pageRows, nextCursor: more ? encodeCursor(pageRows.at(-1)!.pk) : null };
}

/** The POS search (same index, same ranking), answered with the admin API's full member rows. */
export async function searchMemberRows(db: Database, companyId: string, keyword: string): Promise<Member[]> {
  const statement = memberSearchStatement(companyId, keyword);
  if (!statement) return [];
  const ids = (await all(db, statement)).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db.select().from(members).where(and(eq(members.companyId, companyId), inArray(members.id, ids)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is Member => r !== undefined);
}
