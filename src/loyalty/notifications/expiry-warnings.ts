import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, query } from "../../storage/sql";
import { DAY_MS, isoDay, lotsCreatedStatement, lotsExpiringOn, pointsExpiringSql } from "../earning/expiry";
import { reachableMemberSql } from "./records";

// Warnings before points expire: 30 days and 1 day before, with the amount and the day. They come
// from the lots that expire on that day, read as an index range of the company's ledger (the lots
// created on one day, N months earlier): a run reads one day of sales per warning, never all the
// members. For each member with such a lot, what expires that day is worked out from their balance
// (src/loyalty/earning/expiry.ts: if nothing is spent first), and a message is recorded when it is
// more than nothing, for a member who can be sent one. Occasion "<expiry day>:<days before>d": a
// re-run records nothing more.
//
// Progress is kept per company (notification_settings): the day last finished, and where the
// current day stands, so a run that stops on its budget resumes where it was. A day the cron missed
// entirely is not caught up: its 30-day warnings are lost, its 1-day warnings still come.

export const WARNING_DAYS = [30, 1] as const;
/** Lots read per statement. */
export const LOTS_CHUNK = 200;

export interface WarningCompany {
  id: string;
  expiry_months: number;
  expiry_warned_day: number | null;
  expiry_warn_cursor: string | null;
}

/** Companies with an expiry policy and warnings on that have not finished `day` (UTC day number). */
export function companiesDueWarnings(db: Database, day: number, limit: number) {
  return all(
    db,
    query<WarningCompany>(sql`
      SELECT c.id, c.expiry_months, s.expiry_warned_day, s.expiry_warn_cursor
      FROM companies c LEFT JOIN notification_settings s ON s.company_id = c.id
      WHERE c.expiry_months IS NOT NULL AND c.expiry_months > 0 AND coalesce(s.points_expiring, 1) = 1
        AND (s.expiry_warned_day IS NULL OR s.expiry_warned_day < ${day})
      ORDER BY c.id LIMIT ${limit}`),
  );
}

interface Cursor {
  step: number;
  after: { createdAt: number; id: string } | null;
}

function readCursor(text: string | null, day: number): Cursor {
  const match = /^(\d+):(\d+):(\d+):([\w-]+)$/.exec(text ?? "");
  if (!match || Number(match[1]) !== day) return { step: 0, after: null };
  // "-": the step starts from its first lot.
  return { step: Number(match[2]), after: match[4] === "-" ? null : { createdAt: Number(match[3]), id: match[4]! } };
}

async function saveProgress(db: Database, companyId: string, progress: { warnedDay?: number; cursor: string | null }) {
  await all(
    db,
    query(sql`
      INSERT INTO notification_settings (company_id, expiry_warned_day, expiry_warn_cursor)
      VALUES (${companyId}, ${progress.warnedDay ?? null}, ${progress.cursor})
      ON CONFLICT (company_id) DO UPDATE SET expiry_warn_cursor = excluded.expiry_warn_cursor,
        expiry_warned_day = coalesce(excluded.expiry_warned_day, notification_settings.expiry_warned_day)`),
  );
}

export interface WarningRun {
  /** Ids of the messages recorded (to enqueue). */
  recorded: string[];
  queries: number;
  /** False when the budget ran out first (the next run resumes). */
  complete: boolean;
}

/** Records the company's warnings for UTC day `day` (days since 1970-01-01), within `queryBudget` statements. */
export async function recordExpiryWarnings(
  db: Database,
  company: WarningCompany,
  input: { day: number; origin: string | null; now: number; queryBudget: number },
): Promise<WarningRun> {
  const { day, now } = input;
  const run: WarningRun = { recorded: [], queries: 0, complete: false };
  let { step, after } = readCursor(company.expiry_warn_cursor, day);
  while (step < WARNING_DAYS.length) {
    if (run.queries + 3 > input.queryBudget) {
      await saveProgress(db, company.id, { cursor: after ? `${day}:${step}:${after.createdAt}:${after.id}` : `${day}:${step}:0:-` });
      return run;
    }
    const days = WARNING_DAYS[step]!;
    const expiresOn = (day + days) * DAY_MS;
    const range = lotsExpiringOn(expiresOn, company.expiry_months);
    const lots = await all(db, lotsCreatedStatement(company.id, range, after, LOTS_CHUNK));
    run.queries += 1;
    const members = [...new Set(lots.map((l) => l.member_id))];
    if (members.length > 0) {
      const on = isoDay(expiresOn);
      const rows = await all(db, warningStatement({ companyId: company.id, members, range, on, days, origin: input.origin, now }));
      run.queries += 1;
      run.recorded.push(...rows.map((r) => r.id));
    }
    const last = lots[lots.length - 1];
    if (lots.length < LOTS_CHUNK || !last) {
      step += 1;
      after = null;
    } else {
      after = { createdAt: last.created_at, id: last.id };
    }
  }
  await saveProgress(db, company.id, { warnedDay: day, cursor: null });
  run.queries += 1;
  run.complete = true;
  return run;
}

/** One statement for a chunk of members: a warning for each who has points expiring that day. */
function warningStatement(input: {
  companyId: string;
  members: string[];
  range: { from: number; before: number };
  on: string;
  days: number;
  origin: string | null;
  now: number;
}) {
  const { companyId, range, on, days, now } = input;
  const expiring = pointsExpiringSql(range);
  return query<{ id: string }>(sql`
    -- MATERIALIZED: each member's amount is worked out once (flattened, it would be twice: the WHERE and the row).
    -- CROSS JOIN keeps this order: the chunk's ids first, then each member by its id. (Left to choose,
    -- SQLite walks the company's members with an email, by the email index: a scan of the company.)
    WITH t AS MATERIALIZED (
      SELECT m.company_id, m.id, ${expiring} AS expiring
      FROM json_each(${JSON.stringify(input.members)}) j CROSS JOIN members m ON m.id = j.value
      WHERE m.company_id = ${companyId} AND m.points > 0 AND ${reachableMemberSql("points_expiring")}
    )
    INSERT INTO notifications (id, company_id, member_id, kind, occasion, payload, origin, status, attempts, created_at, updated_at)
    SELECT 'ntf_' || lower(hex(randomblob(10))), t.company_id, t.id, 'points_expiring', ${`${on}:${days}d`},
      json_object('points', t.expiring, 'on', ${on}), ${input.origin}, 'queued', 0, ${now}, ${now}
    FROM t
    WHERE t.expiring > 0
    ON CONFLICT (company_id, member_id, kind, occasion) DO NOTHING
    RETURNING id`);
}
