import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, query } from "../../storage/sql";

// Who the rows of a listing belong to (the dashboard's ledger and redemptions, their CSV export):
// the name and email of each member named, in one statement however many rows (the ids travel as
// one JSON array, as in the import: D1 binds at most 100 values).

export interface MemberLabel {
  firstName: string;
  lastName: string | null;
  email: string | null;
}

/** At most this many ids per call (about 30 kB of JSON). */
export const MEMBER_LABELS_MAX = 1000;

/** The company's members among `ids` (others are left out), by id. */
export async function memberLabels(db: Database, companyId: string, ids: readonly string[]): Promise<Map<string, MemberLabel>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  if (unique.length > MEMBER_LABELS_MAX) throw new RangeError(`memberLabels: at most ${MEMBER_LABELS_MAX} ids`);
  // The unary + keeps SQLite on the id index: the ids drive, the company only filters.
  const rows = await all(
    db,
    query<{ id: string; first_name: string; last_name: string | null; email: string | null }>(sql`
      SELECT m.id, m.first_name, m.last_name, m.email FROM members m
      WHERE m.id IN (SELECT value FROM json_each(${JSON.stringify(unique)})) AND +m.company_id = ${companyId}`),
  );
  return new Map(rows.map((r) => [r.id, { firstName: r.first_name, lastName: r.last_name, email: r.email }]));
}
