import { sql, type SQL } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { all, batch, query } from "../../storage/sql";
import { expiryKey, expiryKeySql, expiryKeySuffix } from "../ledger/keys";

// Points expiry, per the company's policy (companies.expiry_months: null = never; N = points expire
// N months after they were earned, oldest first).
//
// The rule (FIFO):
// - A "lot" is a row that brings points in with a date: an 'earn' row, or a positive 'adjustment'
//   (an opening balance, a goodwill credit). An earn lot is counted net of the negative 'reversal'
//   rows of the same order (a rejected, deleted or refunded sale takes its points back from the lot
//   that sale earned, not from the oldest points), never below zero.
// - Everything else that takes points away (redeem, negative adjustment, expiry, reversals not tied
//   to an earn lot) is spending; spending takes points from the oldest lots first. Positive reversals
//   (redeemed points given back) undo spending.
// - So, whatever the history, the balance that is left is made of the NEWEST points. With the
//   cutoff C (lots earned before C are past their N months), the part of the balance that is still
//   young is at most what the lots earned since C bring: recent = sum of lots created at or after C.
//   What must expire now is therefore
//       expiring = max(0, balance - recent)
//   which is exactly "sum of lots older than C - everything spent (and expired) so far", taken from
//   the oldest lots first: balance = all lots - all spending, so balance - recent = old lots - spending.
//   It never exceeds the balance (recent >= 0), so expiry never takes a balance below zero; a balance
//   at or below zero expires nothing. Earlier expiry rows are spending too, so a second run expires
//   nothing more.
//
// Days are UTC days. Points earned on day X with an N-month policy expire on day X + N months: a run
// on day R expires the lots created before cutoff(R) = (R + 1 day) - N months, midnight UTC. The
// month arithmetic is SQLite's date(..., '-N months') (the day overflows into the next month, as
// Date.UTC does), so the job (JavaScript) and the member card (SQL) agree.
//
// One 'expiry' row per member per day: idempotency key `expiry:<member id>:<cutoff date YYYY-MM-DD>`.

export const DAY_MS = 86_400_000;
/** How far ahead the member card tells of points about to expire. */
export const EXPIRING_NOTICE_DAYS = 30;

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Lots created before this instant have expired by day `now` (UTC) under an N-month policy. */
export function expiryCutoff(now: number, months: number): number {
  const d = new Date(now);
  const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
  return Date.UTC(next.getUTCFullYear(), next.getUTCMonth() - months, next.getUTCDate());
}

/** The UTC day (midnight) on which points created at `createdAt` expire under an N-month policy. */
export function expiryDay(createdAt: number, months: number): number {
  const d = new Date(createdAt);
  // Month overflow can move the answer a few days either way: start before it and walk forward.
  let day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()) - 4 * DAY_MS;
  while (expiryCutoff(day, months) <= createdAt) day += DAY_MS;
  return day;
}

/** Rows that bring points in with a date (see the rule above); `l` is the points_ledger alias. */
const lotRow = sql.raw(`(l.reason = 'earn' OR (l.reason = 'adjustment' AND l.delta > 0))`);

/** A lot's points, net of the reversals of the sale that earned them. */
const lotAmount = sql.raw(`max(0, l.delta + CASE WHEN l.reason = 'earn' AND l.order_id IS NOT NULL THEN coalesce((
    SELECT sum(r.delta) FROM points_ledger r
    WHERE r.company_id = l.company_id AND r.member_id = l.member_id AND r.created_at >= l.created_at
      AND r.reason = 'reversal' AND r.delta < 0 AND r.order_id = l.order_id), 0) ELSE 0 END)`);

/** The points of member `m` earned at or after `since` (an SQL expression for the instant). */
export function recentLots(since: SQL): SQL {
  return sql`(SELECT coalesce(sum(${lotAmount}), 0) FROM points_ledger l
    WHERE l.company_id = m.company_id AND l.member_id = m.id AND l.created_at >= ${since} AND ${lotRow})`;
}

export interface ExpiryCandidate {
  pk: number;
  id: string;
}

/** Members (in pk order, after `afterPk`) with points to expire at `cutoff` and no expiry row for it yet. */
export function expiryCandidatesStatement(companyId: string, cutoff: number, afterPk: number, limit: number) {
  const suffix = expiryKeySuffix(isoDay(cutoff));
  return query<ExpiryCandidate>(sql`
    SELECT t.pk, t.id FROM (
      SELECT m.pk, m.id, m.points, ${recentLots(sql`${cutoff}`)} AS recent
      FROM members m
      WHERE m.company_id = ${companyId} AND m.pk > ${afterPk} AND m.points > 0
        AND NOT EXISTS (SELECT 1 FROM points_ledger x WHERE x.company_id = m.company_id AND x.idempotency_key = ${expiryKeySql(sql`m.id`, suffix)})
      ORDER BY m.pk
    ) t
    WHERE t.points > t.recent
    ORDER BY t.pk LIMIT ${limit}`);
}

/**
 * The batch that expires one member's points: the ledger row (its delta computed from the balance in
 * the same transaction, so a sale or a redemption in between is taken into account), then the balance
 * change only when the row was written, then the row as written (none: nothing expired).
 */
export function expireMemberStatements(input: { companyId: string; memberId: string; cutoff: number; months: number; now: number }) {
  const { companyId, memberId, cutoff, months, now } = input;
  const id = newId("led");
  const key = expiryKey(memberId, isoDay(cutoff));
  const note = ` points earned before ${isoDay(cutoff)} expired (${months}-month policy)`;
  return [
    query(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, note, idempotency_key, created_at)
      SELECT ${id}, t.company_id, t.id, -(t.points - t.recent), 'expiry', (t.points - t.recent) || ${note}, ${key}, ${now}
      FROM (
        SELECT m.company_id, m.id, m.points, ${recentLots(sql`${cutoff}`)} AS recent
        FROM members m WHERE m.company_id = ${companyId} AND m.id = ${memberId}
      ) t
      WHERE t.points > 0 AND t.points > t.recent
      ON CONFLICT (company_id, idempotency_key) DO NOTHING`),
    query(sql`
      UPDATE members SET points = points + (SELECT delta FROM points_ledger WHERE company_id = ${companyId} AND id = ${id}),
        updated_at = ${now}
      WHERE company_id = ${companyId} AND id = ${memberId} AND changes() = 1`),
    query<{ delta: number }>(sql`SELECT delta FROM points_ledger WHERE company_id = ${companyId} AND id = ${id}`),
  ] as const;
}

export interface CompanyExpiryResult {
  expired: { memberId: string; points: number }[];
  /** Statements sent to D1. */
  queries: number;
  /** False when the budget ran out before every candidate was seen. */
  complete: boolean;
}

/** Members per chunk: 3 statements each in one batch, each statement well under 100 bound values. */
export const EXPIRY_CHUNK = 25;

/**
 * Expires what is due in one company, in chunks of EXPIRY_CHUNK members (one candidate query and one
 * batch per chunk), stopping before `queryBudget` statements are spent. What is left is found again by
 * the next run: a member whose points have expired is no longer a candidate.
 */
export async function expireCompanyPoints(
  db: Database,
  input: { companyId: string; months: number; now: number; queryBudget: number },
): Promise<CompanyExpiryResult> {
  const { companyId, months, now } = input;
  const cutoff = expiryCutoff(now, months);
  const result: CompanyExpiryResult = { expired: [], queries: 0, complete: false };
  let afterPk = 0;
  while (result.queries + 1 + 3 * EXPIRY_CHUNK <= input.queryBudget) {
    const candidates = await all(db, expiryCandidatesStatement(companyId, cutoff, afterPk, EXPIRY_CHUNK));
    result.queries += 1;
    if (candidates.length > 0) {
      const statements = candidates.flatMap((c) => expireMemberStatements({ companyId, memberId: c.id, cutoff, months, now }));
      const rows = await batch(db, statements);
      result.queries += statements.length;
      candidates.forEach((c, i) => {
        const written = (rows[i * 3 + 2] as { delta: number }[])[0];
        if (written) result.expired.push({ memberId: c.id, points: -written.delta });
      });
      afterPk = candidates[candidates.length - 1]!.pk;
    }
    if (candidates.length < EXPIRY_CHUNK) {
      result.complete = true;
      break;
    }
  }
  return result;
}

/** Companies with an expiry policy, in id order. */
export function companiesWithExpiry(db: Database) {
  return all(db, query<{ id: string; expiry_months: number }>(sql`
    SELECT id, expiry_months FROM companies WHERE expiry_months IS NOT NULL AND expiry_months > 0 ORDER BY id`));
}

// ---- Warnings ahead of an expiry (src/loyalty/notifications/expiry-warnings.ts) -----------------

/**
 * The instants between which the lots that expire on UTC day `day` (midnight) were created: before
 * that day's cutoff, and at or after every cutoff of the days before it. The cutoff can step back at a
 * month's end (a 1-month policy: 30 March's is 3 March, 31 March's 1 March), so "the day before" is
 * not enough: the four days before are (as in expiryDay). An empty range (from = before) when no lot
 * expires that day.
 */
export function lotsExpiringOn(day: number, months: number): { from: number; before: number } {
  const before = expiryCutoff(day, months);
  let from = -Infinity;
  for (let k = 1; k <= 4; k++) from = Math.max(from, expiryCutoff(day - k * DAY_MS, months));
  return { from: Math.min(from, before), before };
}

/** One chunk of a company's lots created in [from, before), in (created_at, id) order after `after`. */
export function lotsCreatedStatement(companyId: string, range: { from: number; before: number }, after: { createdAt: number; id: string } | null, limit: number) {
  // One lower bound, so the index range starts at the cursor: given two, SQLite bounds the range by
  // one of them only (the range's start), and each chunk would read again every row before it.
  const from = after ? Math.max(range.from, after.createdAt) : range.from;
  const resume = after ? sql`AND (l.created_at > ${after.createdAt} OR l.id > ${after.id})` : sql``;
  return query<{ id: string; created_at: number; member_id: string }>(sql`
    SELECT l.id, l.created_at, l.member_id FROM points_ledger l
    WHERE l.company_id = ${companyId} AND l.created_at >= ${from} AND l.created_at < ${range.before} ${resume} AND ${lotRow}
    ORDER BY l.created_at, l.id LIMIT ${limit}`);
}

/**
 * The points of member `m` that expire on the day whose lots were created in [from, before), if the
 * balance is not spent first: what is due by then less what is due the day before (the rule above).
 */
export function pointsExpiringSql(range: { from: number; before: number }): SQL {
  return sql`(max(0, m.points - ${recentLots(sql`${range.before}`)}) - max(0, m.points - ${recentLots(sql`${range.from}`)}))`;
}

// ---- The member card -------------------------------------------------------------------------

/**
 * Columns for the member query (alias m; the company's row is looked up by m.company_id) that let
 * the card say what expires next: the policy, the points earned since today's cutoff, and the lots
 * that reach their expiry in the next EXPIRING_NOTICE_DAYS days as [created_at, points] pairs.
 */
export function expiringColumns(now: number): SQL {
  const today = isoDay(now);
  const months = sql`(SELECT c.expiry_months FROM companies c WHERE c.id = m.company_id AND c.expiry_months > 0)`;
  const cutoffAfter = (days: number) =>
    sql`(CAST(strftime('%s', date(${today}, ${`+${days} days`}, '-' || ${months} || ' months')) AS INTEGER) * 1000)`;
  return sql`${months} AS expiry_months, ${today} AS expiry_today,
    CASE WHEN ${months} IS NULL THEN NULL ELSE ${recentLots(cutoffAfter(1))} END AS expiry_recent,
    CASE WHEN ${months} IS NULL THEN NULL ELSE (SELECT json_group_array(json_array(l.created_at, ${lotAmount})) FROM points_ledger l
      WHERE l.company_id = m.company_id AND l.member_id = m.id AND ${lotRow}
        AND l.created_at >= ${cutoffAfter(1)} AND l.created_at < ${cutoffAfter(EXPIRING_NOTICE_DAYS + 1)}) END AS expiry_lots`;
}

export interface ExpiringColumns {
  expiry_months?: number | null;
  expiry_today?: string | null;
  expiry_recent?: number | null;
  expiry_lots?: string | null;
}

export interface Expiring {
  points: number;
  /** YYYY-MM-DD (UTC). */
  on: string;
}

/**
 * What expires next, within EXPIRING_NOTICE_DAYS days: points already due (the job has not run yet)
 * show as expiring today; else the first day on which some of the balance expires, and how much.
 */
export function expiringFromRow(points: number, row: ExpiringColumns): Expiring | null {
  const months = row.expiry_months;
  if (!months || !row.expiry_today || points <= 0) return null;
  let recent = row.expiry_recent ?? 0;
  const due = points - recent;
  if (due > 0) return { points: due, on: row.expiry_today };
  const lots = (row.expiry_lots ? (JSON.parse(row.expiry_lots) as [number, number][]) : [])
    .map(([createdAt, amount]) => ({ day: expiryDay(createdAt, months), amount }))
    .sort((a, b) => a.day - b.day);
  for (let i = 0; i < lots.length; ) {
    const day = lots[i]!.day;
    for (; i < lots.length && lots[i]!.day === day; i++) recent -= lots[i]!.amount;
    const expiring = Math.min(points, points - Math.max(0, recent));
    if (expiring > 0) return { points: expiring, on: isoDay(day) };
  }
  return null;
}
