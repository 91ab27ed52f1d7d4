// What the seed's SQL is made of: the demo company's ids and times, a member row, quoting, and the
// member inserts (each with its opening-balance ledger rows) cut under D1's statement limit.

import { buildSearchTerms } from "../../src/loyalty/search/search-terms.ts";

export const COMPANY = "456";
export const SITE = "123";
export const COUNTRY_CODE = "61";
export const DAY = 24 * 3600 * 1000;
/** Fixed times for the demo rows, so the generated SQL is the same on every run. */
export const DEMO_TIME = Date.UTC(2025, 0, 15, 9, 0, 0);
export const FAR_FUTURE = Date.UTC(2099, 0, 1);
/** Keep each INSERT well under D1's 100 KB statement limit. */
const MAX_STATEMENT_BYTES = 90_000;

export interface SeedMember {
  id: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
  points: number;
  iconVersion: number | null;
  createdAt: number;
}

/** "412345678" with [3,3,3] -> "412 345 678" */
export function fmt(digits: string, groups: number[]): string {
  const out: string[] = [];
  let at = 0;
  for (const g of groups) {
    out.push(digits.slice(at, at + g));
    at += g;
  }
  return out.join(" ");
}

export function q(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

export const MEMBER_COLUMNS =
  "id, company_id, first_name, last_name, email, phone, card_number, icon_version, points, status, search_terms, created_at, updated_at";

export function memberValues(m: SeedMember): string {
  const email = m.email?.trim().toLowerCase() || null;
  const searchTerms = buildSearchTerms(
    { companyId: COMPANY, firstName: m.firstName, lastName: m.lastName, email, phone: m.phone, cardNumber: m.cardNumber, status: "active" },
    COUNTRY_CODE,
  );
  return `(${[m.id, COMPANY, m.firstName, m.lastName, email, m.phone, m.cardNumber, m.iconVersion, m.points, "active", searchTerms, m.createdAt, m.createdAt].map(q).join(", ")})`;
}

/**
 * The opening-balance ledger row of each listed member that has points and no ledger row yet:
 * members skipped by INSERT OR IGNORE (already there, or an email/card taken) get none, and a
 * member who already has history is left alone, so the balance always equals the ledger's sum.
 * The unary + keeps SQLite on the id index: with a long IN list it would otherwise walk the
 * company's whole part of members_company_created_idx (0.2 s per statement at 100k members).
 */
export function openingLedgerStatement(ids: string[]): string {
  return `INSERT OR IGNORE INTO points_ledger (id, company_id, member_id, delta, reason, site_id, actor, note, idempotency_key, created_at)
SELECT 'led_open_' || m.id, m.company_id, m.id, m.points, 'adjustment', ${q(SITE)}, 'seed', 'Opening balance', 'opening:' || m.id, m.created_at
FROM members m
WHERE m.id IN (${ids.map(q).join(", ")}) AND +m.company_id = ${q(COMPANY)} AND m.points > 0
  AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.company_id = m.company_id AND l.member_id = m.id);`;
}

/**
 * Members as multi-row inserts of at most MAX_STATEMENT_BYTES, each followed by its ledger rows.
 * Ids already present are filtered out before the insert (rather than left to OR IGNORE), so a
 * rerun does not even advance the AUTOINCREMENT counter; OR IGNORE still skips a member whose
 * email or card number is taken.
 */
export function* memberStatements(members: Iterable<SeedMember>): Generator<string> {
  const head = `INSERT OR IGNORE INTO members (${MEMBER_COLUMNS})\nSELECT * FROM (VALUES\n`;
  const tail = `\n) AS v WHERE NOT EXISTS (SELECT 1 FROM members e WHERE e.id = v.column1);`;
  let rows: string[] = [];
  let ids: string[] = [];
  let bytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
  function* flush(): Generator<string> {
    if (rows.length === 0) return;
    yield `${head}${rows.join(",\n")}${tail}`;
    yield openingLedgerStatement(ids);
    rows = [];
    ids = [];
    bytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
  }
  for (const m of members) {
    const row = memberValues(m);
    const rowBytes = Buffer.byteLength(row) + 2;
    // The ledger statement lists the ids too: keep it under the limit as well (ids are short).
    if (rows.length > 0 && (bytes + rowBytes > MAX_STATEMENT_BYTES || ids.length >= 2000)) yield* flush();
    rows.push(row);
    ids.push(m.id);
    bytes += rowBytes;
  }
  yield* flush();
}
