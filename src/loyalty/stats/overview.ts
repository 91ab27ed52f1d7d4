import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { batch, query } from "../../storage/sql";

// The merchant dashboard's overview of one company, in one D1 batch that reads a bounded number of
// rows whatever the company's size (about 100 plus its rewards redeemed this month and its pending
// redemptions): the running totals kept by triggers (migrations/0015_overview_totals.sql,
// src/storage/schema/stats.ts), never points_ledger or the members table. This module is the only
// reader of those tables.
//
// Days, weeks and months are UTC: a day is created_at / 86_400_000 (days since 1970-01-01), a week
// starts on a Monday, "this month" is the UTC calendar month of `now`.

export interface OverviewPending {
  id: string;
  memberId: string;
  memberName: string;
  rewardTitle: string;
  orderId: string;
  points: number;
  createdAt: number;
}

export interface Overview {
  /** total: every member, whatever their status; active30d: an earn or redeem on one of the last 30 days (today included). */
  members: { total: number; active30d: number; newThisMonth: number };
  /** outstanding: the sum of positive balances; liabilityCents: what they are worth (outstanding x pointValueCents). */
  points: { outstanding: number; pointValueCents: number; liabilityCents: number };
  /**
   * Exactly WEEKS, oldest first, the last one containing today. earned: points the week's sales
   * earned, less what was taken back from them since (refunds, rejected or deleted orders); redeemed:
   * points of the redemptions made that week, less those given back since (released or returned).
   */
  weeks: Array<{ start: string /* YYYY-MM-DD, a Monday, UTC */; earned: number; redeemed: number }>;
  /** Redemptions made this month, less those given back. */
  redemptionsThisMonth: number;
  /** At most TOP_REWARDS, most redeemed first (then most points, then reward id). */
  topRewards: Array<{ rewardId: string; title: string; redemptions: number; points: number }>;
  /** Redemptions still pending (reserved, not yet confirmed or released), the oldest PENDING_SHOWN. */
  pending: { count: number; oldest: OverviewPending[] };
}

export const DAY_MS = 86_400_000;
export const WEEKS = 12;
export const ACTIVE_DAYS = 30;
export const TOP_REWARDS = 5;
export const PENDING_SHOWN = 10;

/** The UTC day (days since 1970-01-01) of an epoch-ms time: the triggers' `CAST(created_at AS INTEGER) / 86400000`. */
export const utcDay = (ms: number): number => Math.floor(ms / DAY_MS);

/** The Monday starting the UTC week of `day` (1970-01-01, day 0, was a Thursday). */
export const mondayOf = (day: number): number => day - ((day + 3) % 7);

/** "YYYY-MM" of an epoch-ms time, UTC: monthly_reward_totals.month. */
export const utcMonth = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

interface CompanyRow {
  point_value_cents: number;
  members: number;
  outstanding: number;
}

interface DayRow {
  day: number;
  earned: number;
  redeemed: number;
  reversed: number;
  new_members: number;
  last_active: number;
}

interface RewardRow {
  reward_id: string;
  title: string;
  redemptions: number;
  points: number;
}

interface PendingRow {
  id: string;
  member_id: string;
  member_name: string | null;
  reward_title: string | null;
  order_id: string;
  points: number;
  created_at: number;
}

/**
 * The days the overview reads: WEEKS whole weeks up to today, from `firstMonday` (at least 77 days
 * back, so they also hold the last ACTIVE_DAYS days and this month).
 */
export function overviewDays(now: number): { firstMonday: number; today: number; monthStart: number } {
  const today = utcDay(now);
  const date = new Date(now);
  const monthStart = utcDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  return { firstMonday: mondayOf(today) - 7 * (WEEKS - 1), today, monthStart };
}

export async function readOverview(db: Database, companyId: string, now = Date.now()): Promise<Overview> {
  const { firstMonday, today, monthStart } = overviewDays(now);
  const month = utcMonth(now);
  const [companyRows, dayRows, monthRows, rewardRows, pendingCountRows, pendingRows] = await batch(db, [
    query<CompanyRow>(sql`
      SELECT c.point_value_cents, coalesce(t.members, 0) AS members, coalesce(t.points_outstanding, 0) AS outstanding
      FROM companies c LEFT JOIN company_totals t ON t.company_id = c.id
      WHERE c.id = ${companyId}`),
    // At most 7 x WEEKS rows (a day without a row had nothing to count).
    query<DayRow>(sql`
      SELECT day, earned, redeemed, reversed, new_members, last_active FROM daily_totals
      WHERE company_id = ${companyId} AND day >= ${firstMonday} AND day <= ${today}`),
    query<{ redemptions: number }>(sql`
      SELECT coalesce(sum(redemptions), 0) AS redemptions FROM monthly_reward_totals
      WHERE company_id = ${companyId} AND month = ${month}`),
    query<RewardRow>(sql`
      SELECT t.reward_id, coalesce(r.title, t.reward_id) AS title, t.redemptions, t.points
      FROM monthly_reward_totals t LEFT JOIN rewards r ON r.company_id = t.company_id AND r.id = t.reward_id
      WHERE t.company_id = ${companyId} AND t.month = ${month} AND t.redemptions > 0
      ORDER BY t.redemptions DESC, t.points DESC, t.reward_id LIMIT ${sql.raw(String(TOP_REWARDS))}`),
    query<{ count: number }>(sql`
      SELECT count(*) AS count FROM redemptions WHERE company_id = ${companyId} AND status = 'pending'`),
    // In the order of redemptions_company_status_idx (created_at, then rowid): no sort, LIMIT rows read.
    query<PendingRow>(sql`
      SELECT d.id, d.member_id, trim(m.first_name || ' ' || coalesce(m.last_name, '')) AS member_name,
        rw.title AS reward_title, d.order_id, d.points, d.created_at
      FROM redemptions d
      LEFT JOIN members m ON m.id = d.member_id AND m.company_id = d.company_id
      LEFT JOIN rewards rw ON rw.id = d.reward_id AND rw.company_id = d.company_id
      WHERE d.company_id = ${companyId} AND d.status = 'pending'
      ORDER BY d.created_at, d.rowid LIMIT ${sql.raw(String(PENDING_SHOWN))}`),
  ]);

  const company = companyRows[0];
  const byDay = new Map(dayRows.map((r) => [r.day, r]));
  const sum = (from: number, to: number, value: (r: DayRow) => number) => {
    let total = 0;
    for (let day = from; day <= to; day++) {
      const row = byDay.get(day);
      if (row) total += value(row);
    }
    return total;
  };

  const weeks = Array.from({ length: WEEKS }, (_, i) => {
    const start = firstMonday + 7 * i;
    const end = Math.min(start + 6, today);
    return {
      start: isoDate(start),
      earned: sum(start, end, (r) => r.earned - r.reversed),
      redeemed: sum(start, end, (r) => r.redeemed),
    };
  });

  const outstanding = company?.outstanding ?? 0;
  const pointValueCents = company?.point_value_cents ?? 0;
  return {
    members: {
      total: company?.members ?? 0,
      active30d: sum(today - (ACTIVE_DAYS - 1), today, (r) => r.last_active),
      newThisMonth: sum(monthStart, today, (r) => r.new_members),
    },
    points: { outstanding, pointValueCents, liabilityCents: outstanding * pointValueCents },
    weeks,
    redemptionsThisMonth: monthRows[0]?.redemptions ?? 0,
    topRewards: rewardRows.map((r) => ({ rewardId: r.reward_id, title: r.title, redemptions: r.redemptions, points: r.points })),
    pending: {
      count: pendingCountRows[0]?.count ?? 0,
      oldest: pendingRows.map((r) => ({
        id: r.id,
        memberId: r.member_id,
        memberName: r.member_name ?? "",
        rewardTitle: r.reward_title ?? "",
        orderId: r.order_id,
        points: r.points,
        createdAt: r.created_at,
      })),
    },
  };
}
