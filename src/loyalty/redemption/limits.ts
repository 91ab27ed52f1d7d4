import { sql, type SQL } from "drizzle-orm";
import { query } from "../../storage/sql";
import { returnKeySql } from "../ledger/keys";
import { refusalMessages as refusal } from "../cashier-messages";
import { activeTierNameSql, requiredTierPositionSql, tierPositionSql } from "../tiers/window";

// What a redemption must pass besides the balance: the reward's tier (members of that tier and
// above), and the company's limits (redemptions per member per UTC day, per order, points per
// member per UTC day; each optional). All are conditions of the reserve batch's debit, so they are
// checked in the same transaction as the debit and parallel taps can never pass them: of a burst,
// exactly the allowed number reserve. A redemption counts while pending or applied; one whose points
// were given back (released, or returned when its order was undone) no longer does.

const DAY_MS = 86_400_000;

export interface LimitScope {
  companyId: string;
  memberId: string;
  orderId: string;
  rewardId: string;
  now: number;
}

// Pending or applied, and not given back since (an applied one on an order later undone has a `return:` row).
const counting = sql`d.status IN ('pending', 'applied')
  AND NOT EXISTS (SELECT 1 FROM points_ledger g WHERE g.company_id = d.company_id AND g.idempotency_key = ${returnKeySql(sql`d.id`)})`;

function todaySql(s: LimitScope) {
  const start = Math.floor(s.now / DAY_MS) * DAY_MS;
  return sql`d.company_id = ${s.companyId} AND d.member_id = ${s.memberId} AND d.created_at >= ${start} AND ${counting}`;
}

const redemptionsTodaySql = (s: LimitScope) => sql`(SELECT count(*) FROM redemptions d WHERE ${todaySql(s)})`;
const pointsTodaySql = (s: LimitScope) => sql`(SELECT coalesce(sum(d.points), 0) FROM redemptions d WHERE ${todaySql(s)})`;
const onOrderSql = (s: LimitScope) =>
  sql`(SELECT count(*) FROM redemptions d WHERE d.company_id = ${s.companyId} AND d.order_id = ${s.orderId} AND ${counting})`;

/** The position the reward needs (null: any member); an unknown or removed tier can never be reached. */
const rewardTierSql = (s: LimitScope) => sql`(SELECT CASE WHEN rw.min_tier_id IS NULL THEN NULL
    ELSE ${requiredTierPositionSql(sql`rw.min_tier_id`, sql`rw.company_id`)} END
  FROM rewards rw WHERE rw.company_id = ${s.companyId} AND rw.id = ${s.rewardId})`;

const memberTierSql = (s: LimitScope) =>
  sql`(SELECT ${tierPositionSql(s.now)} FROM members m WHERE m.company_id = ${s.companyId} AND m.id = ${s.memberId})`;

/**
 * True when the member may redeem this reward now at this cost: its tier and every limit. Written
 * with CASE so that what a company does not use is never read (no tier on the reward: no level
 * read; no limit: no redemptions counted).
 */
export function limitsAllowSql(s: LimitScope, cost: SQL): SQL {
  return sql`(
    (SELECT CASE WHEN rw.min_tier_id IS NULL THEN 1 ELSE coalesce(${rewardTierSql(s)} <= ${memberTierSql(s)}, 0) END
      FROM rewards rw WHERE rw.company_id = ${s.companyId} AND rw.id = ${s.rewardId})
    AND (SELECT CASE WHEN c.max_redemptions_per_member_day IS NULL THEN 1 ELSE ${redemptionsTodaySql(s)} < c.max_redemptions_per_member_day END
      AND CASE WHEN c.max_redemptions_per_order IS NULL THEN 1 ELSE ${onOrderSql(s)} < c.max_redemptions_per_order END
      AND CASE WHEN c.max_points_per_member_day IS NULL THEN 1 ELSE ${pointsTodaySql(s)} + ${cost} <= c.max_points_per_member_day END
      FROM companies c WHERE c.id = ${s.companyId}))`;
}

export interface LimitState {
  reward_tier: number | null;
  reward_tier_name: string | null;
  member_tier: number;
  max_day: number | null;
  today: number;
  max_order: number | null;
  on_order: number;
  max_points: number | null;
  points_today: number;
}

/**
 * What the refusal's sentence needs, read in the same batch after the debit, and only when it did not
 * happen (`reservedSql`: the redemption's row is there), so a redemption that went through reads none of it.
 */
export function limitStateSql(s: LimitScope, reservedSql: SQL) {
  return query<LimitState>(sql`
    SELECT ${rewardTierSql(s)} AS reward_tier,
      (SELECT ${activeTierNameSql(sql`rw.min_tier_id`)} FROM rewards rw WHERE rw.company_id = ${s.companyId} AND rw.id = ${s.rewardId}) AS reward_tier_name,
      coalesce(${memberTierSql(s)}, -1) AS member_tier,
      c.max_redemptions_per_member_day AS max_day, ${redemptionsTodaySql(s)} AS today,
      c.max_redemptions_per_order AS max_order, ${onOrderSql(s)} AS on_order,
      c.max_points_per_member_day AS max_points, ${pointsTodaySql(s)} AS points_today
    FROM companies c WHERE c.id = ${s.companyId} AND NOT ${reservedSql}`);
}

export type LimitRefusal = { reason: string; limit: "tier" | "per_day" | "per_order" | "points_per_day" };

/** Which of the tier and the limits refused this redemption (cost: what it would have taken), as the cashier reads it. */
export function limitRefusal(state: LimitState | undefined, cost: number, label: string): LimitRefusal | null {
  if (!state) return null;
  if (state.reward_tier !== null && state.reward_tier > state.member_tier) {
    return { limit: "tier", reason: refusal.tierOnly(state.reward_tier_name) };
  }
  if (state.max_order !== null && state.on_order >= state.max_order) return { limit: "per_order", reason: refusal.perOrder(state.max_order) };
  if (state.max_day !== null && state.today >= state.max_day) return { limit: "per_day", reason: refusal.perDay(state.max_day) };
  if (state.max_points !== null && state.points_today + cost > state.max_points) {
    return { limit: "points_per_day", reason: refusal.pointsPerDay(state.max_points, label, state.points_today) };
  }
  return null;
}
