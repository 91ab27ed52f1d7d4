import { sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { batch, query, type Query } from "../../storage/sql";
import { companyCountryCode, duplicateField } from "./member-admin";
import { memberFieldsOf, type MemberFields, type MemberFieldsRow } from "./member-fields";
import { readRow, type Given, type ImportReport, type ImportRow, type ImportRowReport } from "./import-rows";

export type { ImportReport, ImportRow, ImportRowReport, ImportStatus } from "./import-rows";
import { restartReindexIfCodeChanged } from "../search/search-reindex";
import { buildSearchTerms, nationalPhoneDigits, tokenStart } from "../search/search-terms";

// Bulk import, idempotent by email, phone or card number. D1 binds at most 100 values per statement
// and a Worker may send about 1,000 queries, so rows travel as one JSON array per statement
// (json_each) rather than as bound values: 10,000 rows are about a hundred statements in three round
// trips: the company's phone country code, one batch reading the candidates through their indexes,
// one batch (one transaction) writing.

export const IMPORT_MAX_ROWS = 10_000;
export const IMPORT_COLUMNS = ["first_name", "last_name", "email", "phone", "card_number"] as const;
const ROWS_PER_STATEMENT = 500;
const PHONES_PER_MATCH = 500;

interface Candidate {
  id: string;
  status: "active" | "inactive";
  updatedAt: number | null;
  isNew: boolean;
  fields: MemberFields;
  original: MemberFields | null;
}

interface CandidateRow extends MemberFieldsRow {
  id: string;
  status: "active" | "inactive";
  updated_at: number;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const candidateColumns = sql`m.id, m.first_name, m.last_name, m.email, m.phone, m.card_number, m.status, m.updated_at`;

function candidateStatements(companyId: string, emails: string[], cards: string[], phoneKeys: string[]): Query<CandidateRow>[] {
  const statements: Query<CandidateRow>[] = [];
  for (const part of chunks(emails, ROWS_PER_STATEMENT)) {
    statements.push(
      query<CandidateRow>(sql`SELECT ${candidateColumns} FROM members m
        WHERE m.company_id = ${companyId} AND m.email IS NOT NULL AND m.email IN (SELECT value FROM json_each(${JSON.stringify(part)}))`),
    );
  }
  for (const part of chunks(cards, ROWS_PER_STATEMENT)) {
    statements.push(
      query<CandidateRow>(sql`SELECT ${candidateColumns} FROM members m
        WHERE m.company_id = ${companyId} AND m.card_number IS NOT NULL AND m.card_number IN (SELECT value FROM json_each(${JSON.stringify(part)}))`),
    );
  }
  // Phones through the search index (members.phone is stored as typed and has no index of its own).
  for (const part of chunks(phoneKeys, PHONES_PER_MATCH)) {
    const match = part.map((digits) => `"${tokenStart(companyId, "p")}${digits}"`).join(" OR ");
    statements.push(
      query<CandidateRow>(sql`SELECT ${candidateColumns}
        FROM members_fts f CROSS JOIN members m ON m.pk = f.rowid
        WHERE members_fts MATCH ${match} AND m.company_id = ${companyId}`),
    );
  }
  return statements;
}

function sameFields(a: MemberFields, b: MemberFields): boolean {
  return (
    a.firstName === b.firstName && a.lastName === b.lastName && a.email === b.email && a.phone === b.phone && a.cardNumber === b.cardNumber
  );
}

/** Members of the import and of the company, findable by each key as the rows change them. */
class CandidateIndex {
  readonly byId = new Map<string, Candidate>();
  private readonly byEmail = new Map<string, string>();
  private readonly byCard = new Map<string, string>();
  private readonly byPhone = new Map<string, Set<string>>();

  constructor(private readonly countryCode: string | null) {}

  phoneKeys(phone: string): string[] {
    const national = nationalPhoneDigits(phone, this.countryCode);
    if (!national) return [];
    const cc = this.countryCode;
    return cc && !national.startsWith(cc) ? [national, `${cc}${national}`] : [national];
  }

  add(candidate: Candidate): void {
    this.byId.set(candidate.id, candidate);
    this.register(candidate, true);
  }

  change(candidate: Candidate, fields: MemberFields): void {
    this.register(candidate, false);
    candidate.fields = fields;
    this.register(candidate, true);
  }

  /** Members this row names, with the field that named each. */
  matches(given: Given): Map<string, string[]> {
    const found = new Map<string, string[]>();
    const note = (id: string | undefined, field: string) => {
      if (id) found.set(id, [...(found.get(id) ?? []), field]);
    };
    if (given.email) note(this.byEmail.get(given.email), "email");
    if (given.cardNumber) note(this.byCard.get(given.cardNumber), "card_number");
    if (given.phone) {
      const ids = new Set<string>();
      for (const key of this.phoneKeys(given.phone)) for (const id of this.byPhone.get(key) ?? []) ids.add(id);
      for (const id of ids) note(id, "phone");
    }
    return found;
  }

  private register(candidate: Candidate, on: boolean): void {
    const { id, fields } = candidate;
    const setUnique = (map: Map<string, string>, key: string | null) => {
      if (!key) return;
      if (on) map.set(key, id);
      else if (map.get(key) === id) map.delete(key);
    };
    setUnique(this.byEmail, fields.email);
    setUnique(this.byCard, fields.cardNumber);
    if (fields.phone) {
      for (const key of this.phoneKeys(fields.phone)) {
        const ids = this.byPhone.get(key) ?? new Set<string>();
        if (on) ids.add(id);
        else ids.delete(id);
        this.byPhone.set(key, ids);
      }
    }
  }
}

function fromCandidateRow(r: CandidateRow): Candidate {
  const fields = memberFieldsOf(r);
  return { id: r.id, status: r.status, updatedAt: r.updated_at, isNew: false, fields, original: fields };
}

export class ImportConflictError extends Error {}

/**
 * Imports rows in order: a row naming one member (by email, card or phone) updates that member when
 * something differs, a row naming none creates one, a row naming two is rejected. A later row may
 * name a member an earlier row created. Returns the report and the existing members it changed.
 */
export async function importMembers(
  db: Database,
  companyId: string,
  rows: ImportRow[],
  now = Date.now(),
): Promise<{ report: ImportReport; changedMemberIds: string[] }> {
  const countryCode = await companyCountryCode(db, companyId);
  const index = new CandidateIndex(countryCode);

  const read = rows.map((row) => ("unreadable" in row ? { reason: row.unreadable } : readRow(row.values)));
  const emails = new Set<string>();
  const cards = new Set<string>();
  const phones = new Set<string>();
  for (const r of read) {
    if (!("given" in r)) continue;
    if (r.given.email) emails.add(r.given.email);
    if (r.given.cardNumber) cards.add(r.given.cardNumber);
    if (r.given.phone) for (const key of index.phoneKeys(r.given.phone)) phones.add(key);
  }
  const statements = candidateStatements(companyId, [...emails], [...cards], [...phones]);
  const found = statements.length > 0 ? (await batch(db, statements)).flat() : [];
  for (const r of found) if (!index.byId.has(r.id)) index.add(fromCandidateRow(r));

  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, rejected: 0, rows: [] };
  const record = (entry: ImportRowReport) => {
    report[entry.status]++;
    report.rows.push(entry);
  };
  read.forEach((r, i) => {
    const row = i + 1;
    if (!("given" in r)) return record({ row, status: "rejected", reason: r.reason });
    const matches = index.matches(r.given);
    if (matches.size > 1) {
      const named = [...matches].map(([id, fields]) => `${id} by ${fields.join(" and ")}`).join(", ");
      return record({ row, status: "rejected", reason: `matches more than one member: ${named}` });
    }
    const [targetId] = matches.keys();
    if (!targetId) {
      const fields: MemberFields = { lastName: null, email: null, phone: null, cardNumber: null, ...r.given };
      const candidate: Candidate = { id: newId("mem"), status: "active", updatedAt: null, isNew: true, fields, original: null };
      index.add(candidate);
      return record({ row, status: "created", id: candidate.id });
    }
    const target = index.byId.get(targetId)!;
    const merged: MemberFields = { ...target.fields, ...r.given };
    if (sameFields(merged, target.fields)) return record({ row, status: "unchanged", id: target.id });
    index.change(target, merged);
    record({ row, status: "updated", id: target.id });
  });

  const candidates = [...index.byId.values()];
  const toInsert = candidates.filter((c) => c.isNew);
  const toUpdate = candidates.filter((c) => !c.isNew && c.original && !sameFields(c.original, c.fields));
  const updated = await writeImport(db, companyId, countryCode, toInsert, toUpdate, now);
  for (const entry of report.rows) {
    if (entry.status !== "updated" || !entry.id || updated.has(entry.id) || index.byId.get(entry.id)?.isNew) continue;
    report.updated--;
    report.rejected++;
    entry.status = "rejected";
    entry.reason = "the member changed while importing: run the import again";
  }
  return { report, changedMemberIds: [...updated] };
}

function jsonMember(c: Candidate, companyId: string, countryCode: string | null) {
  const f = c.fields;
  return {
    id: c.id,
    first_name: f.firstName,
    last_name: f.lastName,
    email: f.email,
    phone: f.phone,
    card_number: f.cardNumber,
    search_terms: buildSearchTerms({ ...f, companyId, status: c.status }, countryCode),
    expected_updated_at: c.updatedAt,
  };
}

async function writeImport(
  db: Database,
  companyId: string,
  countryCode: string | null,
  toInsert: Candidate[],
  toUpdate: Candidate[],
  now: number,
): Promise<Set<string>> {
  const field = (name: string) => sql.raw(`json_extract(j.value, '$.${name}')`);
  const inserts = chunks(toInsert, ROWS_PER_STATEMENT).map((part) =>
    query<never>(sql`
      INSERT INTO members (id, company_id, first_name, last_name, email, phone, card_number, points, status, search_terms, created_at, updated_at)
      SELECT ${field("id")}, ${companyId}, ${field("first_name")}, ${field("last_name")}, ${field("email")}, ${field("phone")},
        ${field("card_number")}, 0, 'active', ${field("search_terms")}, ${now}, ${now}
      FROM json_each(${JSON.stringify(part.map((c) => jsonMember(c, companyId, countryCode)))}) j
      ORDER BY j.key`),
  );
  // Only if the member is as it was read: a change made meanwhile through the API is not overwritten.
  // The unary + keeps SQLite from walking the company's members: the rows drive, found by id.
  const updates = chunks(toUpdate, ROWS_PER_STATEMENT).map((part) =>
    query<{ id: string }>(sql`
      UPDATE members SET first_name = j.first_name, last_name = j.last_name, email = j.email, phone = j.phone,
        card_number = j.card_number, search_terms = j.search_terms, updated_at = ${now}
      FROM (
        SELECT ${field("id")} AS id, ${field("first_name")} AS first_name, ${field("last_name")} AS last_name,
          ${field("email")} AS email, ${field("phone")} AS phone, ${field("card_number")} AS card_number,
          ${field("search_terms")} AS search_terms, ${field("expected_updated_at")} AS expected_updated_at
        FROM json_each(${JSON.stringify(part.map((c) => jsonMember(c, companyId, countryCode)))}) j
      ) AS j
      WHERE members.id = j.id AND +members.company_id = ${companyId} AND members.updated_at = j.expected_updated_at
      RETURNING members.id`),
  );
  if (inserts.length + updates.length === 0) return new Set();
  const statements = [...inserts, ...updates, query<never>(restartReindexIfCodeChanged(db, companyId, countryCode).getSQL())];
  let results: unknown[][];
  try {
    results = await batch(db, statements);
  } catch (err) {
    if (duplicateField(err)) throw new ImportConflictError("Members changed while importing: nothing was written, run the import again");
    throw err;
  }
  return new Set((results.slice(inserts.length, inserts.length + updates.length) as { id: string }[][]).flat().map((r) => r.id));
}
