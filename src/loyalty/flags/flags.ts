import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, batch, query, type Query } from "../../storage/sql";
import type { FlagKind } from "../../storage/schema";
import { afterCursorSql, toPage, type ListWindow, type Page } from "../listing";

// Suspicious activity: one row per member, kind and UTC day (activity_flags). Two kinds are written
// as they happen (a redemption refused by a limit, a large manual adjustment); two by the daily job
// (more loyalty transactions in a day than the company allows, earnings of more than two orders
// reversed within 30 days), which reads one day of the ledger per company, never all of it.

export const DAY_MS = 86_400_000;
const REVERSED_ORDERS_MORE_THAN = 2;
const REVERSED_ORDERS_DAYS = 30;

export const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

const flagId = sql`'flg_' || lower(hex(randomblob(10)))`;
const upsert = sql`ON CONFLICT (company_id, kind, member_id, day) DO UPDATE SET`;

/** One more of this kind for the member today (the count goes up, the detail is the latest). */
export function recordFlagSql(input: {
  companyId: string;
  memberId: string;
  kind: FlagKind;
  detail: string;
  now: number;
  /** Only when this holds (a condition in the statement, for a flag inside another batch). */
  when?: SQL;
}): Query<never> {
  const { companyId, memberId, kind, detail, now } = input;
  return query(sql`
    INSERT INTO activity_flags (id, company_id, member_id, kind, day, count, detail, created_at, updated_at)
    SELECT ${flagId}, ${companyId}, m.id, ${kind}, ${utcDay(now)}, 1, ${detail.slice(0, 200)}, ${now}, ${now}
    FROM members m WHERE m.company_id = ${companyId} AND m.id = ${memberId} AND ${input.when ?? sql`1`}
    ${upsert} count = count + 1, detail = excluded.detail, updated_at = excluded.updated_at`);
}

export async function recordFlag(db: Database, input: Parameters<typeof recordFlagSql>[0]): Promise<void> {
  await all(db, recordFlagSql(input));
}

/** The daily job's statements for one company and one UTC day (idempotent: a rerun rewrites the same rows). */
export function dailyFlagStatements(companyId: string, day: number, now: number): Query<never>[] {
  const start = day * DAY_MS;
  const end = start + DAY_MS;
  const since = end - REVERSED_ORDERS_DAYS * DAY_MS;
  const earningTakenBack = (alias: string) => sql.raw(`${alias}.reason = 'reversal' AND ${alias}.reward_id IS NULL AND ${alias}.order_id IS NOT NULL`);
  return [
    query(sql`
      INSERT INTO activity_flags (id, company_id, member_id, kind, day, count, detail, created_at, updated_at)
      SELECT ${flagId}, l.company_id, l.member_id, 'many_transactions', ${day}, count(*), count(*) || ' loyalty transactions in the day', ${now}, ${now}
      FROM points_ledger l
      WHERE l.company_id = ${companyId} AND l.created_at >= ${start} AND l.created_at < ${end} AND l.reason IN ('earn', 'redeem')
      GROUP BY l.company_id, l.member_id
      HAVING count(*) > (SELECT flag_transactions_per_day FROM companies WHERE id = ${companyId})
      ${upsert} count = excluded.count, detail = excluded.detail, updated_at = excluded.updated_at`),
    query(sql`
      INSERT INTO activity_flags (id, company_id, member_id, kind, day, count, detail, created_at, updated_at)
      SELECT ${flagId}, ${companyId}, x.member_id, 'reversed_orders', ${day}, x.n, x.n || ' orders that earned were reversed in 30 days', ${now}, ${now}
      FROM (SELECT r.member_id, (SELECT count(DISTINCT g.order_id) FROM points_ledger g
          WHERE g.company_id = ${companyId} AND g.member_id = r.member_id AND g.created_at >= ${since} AND g.created_at < ${end}
            AND ${earningTakenBack("g")}) AS n
        FROM points_ledger r
        WHERE r.company_id = ${companyId} AND r.created_at >= ${start} AND r.created_at < ${end} AND ${earningTakenBack("r")}
        GROUP BY r.member_id) x
      WHERE x.n > ${REVERSED_ORDERS_MORE_THAN}
      ${upsert} count = excluded.count, detail = excluded.detail, updated_at = excluded.updated_at`),
  ];
}

/** Computes the daily flags of the days a company has not had computed (at most the last 7), up to `throughDay`. */
export async function computeDailyFlags(db: Database, companyId: string, fromDay: number, throughDay: number, now: number): Promise<void> {
  const statements: Query<unknown>[] = [];
  for (let day = fromDay; day <= throughDay; day++) statements.push(...dailyFlagStatements(companyId, day, now));
  statements.push(query(sql`UPDATE companies SET flags_computed_day = ${throughDay} WHERE id = ${companyId}`));
  await batch(db, statements);
}

export const MISSED_DAYS_COMPUTED = 7;

export async function companiesDueFlags(db: Database, throughDay: number, limit: number) {
  return all(
    db,
    query<{ id: string; flags_computed_day: number | null }>(sql`
      SELECT id, flags_computed_day FROM companies WHERE flags_computed_day IS NULL OR flags_computed_day < ${throughDay}
      ORDER BY flags_computed_day LIMIT ${limit}`),
  );
}

export interface FlagRow {
  id: string;
  member_id: string;
  first_name: string;
  last_name: string | null;
  kind: FlagKind;
  day: number;
  count: number;
  detail: string;
  created_at: number;
  updated_at: number;
}

/**
 * A company's flags, newest first; `kind` and `memberId` narrow them, and the window's `from` and
 * `before` bound the UTC day the activity happened on (a daily flag is made the day after it).
 */
export async function listFlags(
  db: Database,
  input: { companyId: string; kind?: FlagKind; memberId?: string; window: ListWindow },
): Promise<Page<FlagRow>> {
  const { companyId, window } = input;
  const parts: SQL[] = [sql`f.company_id = ${companyId}`];
  if (input.kind) parts.push(sql`f.kind = ${input.kind}`);
  if (input.memberId) parts.push(sql`f.member_id = ${input.memberId}`);
  // The day of the activity: its start within [from, before) (a bound inside a day counts that day from `from`'s day on).
  if (window.from !== undefined) parts.push(sql`f.day >= ${utcDay(window.from)}`);
  if (window.before !== undefined) parts.push(sql`f.day * ${DAY_MS} < ${window.before}`);
  if (window.after) parts.push(afterCursorSql("f", window.after));
  const rows = await all(
    db,
    query<FlagRow>(sql`
      SELECT f.id, f.member_id, m.first_name, m.last_name, f.kind, f.day, f.count, f.detail, f.created_at, f.updated_at
      FROM activity_flags f JOIN members m ON m.id = f.member_id
      WHERE ${sql.join(parts, sql` AND `)}
      ORDER BY f.created_at DESC, f.id DESC LIMIT ${window.limit + 1}`),
  );
  return toPage(rows, window.limit);
}
