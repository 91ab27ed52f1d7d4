import { sql, type SQL } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import {
  connectionJoinSql,
  connectionStatusColumnSql,
  connectionTokenColumnsSql,
  isConnectedSql,
  type ConnectionStatusColumn,
  type ConnectionToken,
} from "../../storage/kounta-connections";
import { all, batch, query } from "../../storage/sql";
import type { RedemptionStatus, RewardKind } from "../../storage/schema";
import { refusalMessages as refusal } from "../cashier-messages";
import { failedRedemptionKeySql, quantitySuffixSql, redeemKeySql, releaseKeySql } from "../ledger/keys";
import { recordFlag } from "../flags/flags";
import { limitsAllowSql, limitStateSql } from "./limits";
import { refusalReason } from "./refusals";
import { claimOrderSql, dropUnusedClaimSql, holdsOrderSql, orderHolderSql, releaseOrderSql } from "./order-claims";

// The points side of a redemption, all in D1. Reserve debits and records in one batch; confirm and
// release each close it in one batch. Conditions live in SQL, so concurrent requests can never
// overspend (the debit is `points >= cost`) and a repeated request can never debit twice (the
// idempotency key is UNIQUE per company and checked in the same transaction).

export interface RedeemRequest {
  companyId: string;
  memberId: string;
  rewardId: string;
  orderId: string;
  siteId: string | null;
  kountaCustomerId: string | null;
  /** For a variable-quantity reward: the points the cashier chose. */
  quantity: number | null;
  /** For a fixed-price reward: the price the cashier was shown (null: whatever it costs now). */
  expectedPoints?: number | null;
  /** Whether the cashier was shown a variable-quantity reward (null: not known, an older link). */
  expectedVariable?: boolean | null;
  idempotencyKey: string;
  now: number;
}

export interface RewardDetails {
  id: string;
  title: string;
  kind: RewardKind;
  points_required: number;
  variable_quantity: number;
  value: number | null;
  product_id: string | null;
  active: number;
}

/** The company's settings, with its connection and Kounta access token read in the same batch (the API calls need no extra read). */
export interface CompanySettings extends ConnectionStatusColumn, ConnectionToken {
  points_label: string;
  /** The company's currency (ISO 4217), for the amounts a cashier reads. */
  currency: string;
  reward_product_id: string | null;
  loyalty_payment_method_id: string | null;
  point_value_cents: number;
}

export interface RedemptionRow {
  id: string;
  status: RedemptionStatus;
  failure_reason: string | null;
  points: number;
  amount_cents: number | null;
  kind: RewardKind;
  member_id: string;
  reward_id: string;
  order_id: string;
  kounta_ref: string | null;
}

export type Reservation =
  | { outcome: "reserved"; redemption: RedemptionRow; reward: RewardDetails; company: CompanySettings; balance: number }
  | { outcome: "existing"; redemption: RedemptionRow }
  | { outcome: "refused"; reason: string }
  /** Another redemption is changing the order: try again once it is done. */
  | { outcome: "busy" };

/**
 * The points a redemption of this reward costs: its price (when it is still the one the cashier was
 * shown), or the chosen quantity (validated in SQL too). NULL when it cannot be redeemed so.
 */
function costSql(r: RedeemRequest) {
  const expected = r.expectedPoints ?? null;
  const expectedVariable = r.expectedVariable ?? null;
  const variable = expectedVariable === null ? null : Number(expectedVariable);
  return sql`(SELECT CASE WHEN rw.variable_quantity = 1 THEN ${r.quantity} ELSE rw.points_required END
    FROM rewards rw WHERE rw.company_id = ${r.companyId} AND rw.id = ${r.rewardId} AND rw.active = 1
      AND (rw.variable_quantity = 0 OR (${r.quantity} >= 1 AND ${r.quantity} <= rw.points_required))
      AND (${variable} IS NULL OR rw.variable_quantity = ${variable})
      AND (rw.variable_quantity = 1 OR ${expected} IS NULL OR rw.points_required = ${expected}))`;
}

/**
 * The redemption's idempotency key: the caller's (order and link) plus, for a variable-quantity
 * reward only, the number of points chosen. A `quantity` sent with a fixed-price reward means
 * nothing, so it can never make a retry a second redemption.
 */
function keySql(r: RedeemRequest) {
  // Bound as text: D1 binds a JavaScript number as a REAL, which SQLite would write "100.0".
  const quantity = r.quantity === null ? null : String(r.quantity);
  return sql`(${r.idempotencyKey} || coalesce((SELECT ${quantitySuffixSql(quantity)} FROM rewards rw
    WHERE rw.company_id = ${r.companyId} AND rw.id = ${r.rewardId} AND rw.variable_quantity = 1 AND ${quantity} IS NOT NULL), ''))`;
}

export async function reservePoints(db: Database, r: RedeemRequest): Promise<Reservation> {
  const id = newId("rdm");
  const cost = costSql(r);
  const key = keySql(r);
  const claim = { companyId: r.companyId, orderId: r.orderId, holderId: id, now: r.now };
  const scope = { companyId: r.companyId, memberId: r.memberId, orderId: r.orderId, rewardId: r.rewardId, now: r.now };
  const keyUsed = sql`EXISTS (SELECT 1 FROM redemptions d WHERE d.company_id = ${r.companyId} AND d.idempotency_key = ${key})`;
  const [, , , , , rewardRows, memberRows, companyRows, redemptionRows, holderRows, limitRows] = await batch(db, [
    // The order first: no debit unless this redemption alone may change it (a repeat claims nothing).
    query(claimOrderSql(claim, keyUsed)),
    query(sql`
      UPDATE members SET points = points - ${cost}, updated_at = ${r.now}
      WHERE company_id = ${r.companyId} AND id = ${r.memberId} AND status = 'active'
        AND ${cost} IS NOT NULL AND ${cost} > 0 AND points >= ${cost}
        AND ${isConnectedSql(r.companyId)} AND ${limitsAllowSql(scope, cost)}
        AND NOT ${keyUsed} AND ${holdsOrderSql(claim)}`),
    // Only when the debit above happened (changes() counts the previous statement's rows).
    query(sql`
      INSERT INTO redemptions (id, company_id, member_id, reward_id, kind, order_id, site_id, kounta_customer_id,
        points, amount_cents, status, idempotency_key, created_at, updated_at)
      SELECT ${id}, ${r.companyId}, ${r.memberId}, rw.id, rw.kind, ${r.orderId}, ${r.siteId}, ${r.kountaCustomerId},
        ${cost}, CASE rw.kind
          WHEN 'points_payment' THEN ${cost} * (SELECT point_value_cents FROM companies WHERE id = ${r.companyId})
          ELSE rw.value END,
        'pending', ${key}, ${r.now}, ${r.now}
      FROM rewards rw WHERE rw.company_id = ${r.companyId} AND rw.id = ${r.rewardId} AND changes() = 1`),
    query(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, reward_id, idempotency_key, created_at)
      SELECT ${newId("led")}, d.company_id, d.member_id, -d.points, 'redeem', d.site_id, d.order_id, d.reward_id,
        ${redeemKeySql(sql`d.id`)}, ${r.now}
      FROM redemptions d WHERE d.id = ${id} AND changes() = 1`),
    // Refused or a repeat: the order is not kept from others.
    query(dropUnusedClaimSql(claim)),
    query<RewardDetails>(sql`
      SELECT id, title, kind, points_required, variable_quantity, value, product_id, active
      FROM rewards WHERE company_id = ${r.companyId} AND id = ${r.rewardId}`),
    query<{ points: number; status: string }>(sql`
      SELECT points, status FROM members WHERE company_id = ${r.companyId} AND id = ${r.memberId}`),
    query<CompanySettings>(sql`
      SELECT ${connectionStatusColumnSql("k")}, c.points_label, c.currency, c.reward_product_id, c.loyalty_payment_method_id, c.point_value_cents,
        ${connectionTokenColumnsSql("k")}
      FROM companies c ${connectionJoinSql("k", sql`c.id`)} WHERE c.id = ${r.companyId}`),
    query<RedemptionRow>(redemptionByKeySql(r.companyId, key)),
    query<{ redemption_id: string }>(orderHolderSql(claim)),
    limitStateSql(scope, sql`EXISTS (SELECT 1 FROM redemptions WHERE id = ${id})`),
  ]);

  const redemption = redemptionRows[0];
  if (redemption && redemption.id !== id) return { outcome: "existing", redemption };
  const reward = rewardRows[0];
  const member = memberRows[0];
  const company = companyRows[0];
  if (redemption && reward && company && member) {
    return { outcome: "reserved", redemption, reward, company, balance: member.points };
  }
  // Another redemption is changing the order (and may yet give points back): this one waits for it.
  const holder = holderRows[0];
  if (holder && holder.redemption_id !== id) return { outcome: "busy" };
  const refused = refusalReason(r, { reward, member, company, limits: limitRows[0] });
  // A limit's refusal is suspicious activity (a tier's is not: the cashier chose the wrong reward).
  if (refused?.limit && refused.limit !== "tier") {
    await recordFlag(db, { companyId: r.companyId, memberId: r.memberId, kind: "limit_refused", detail: refused.reason, now: r.now }).catch(() => undefined);
  }
  return { outcome: "refused", reason: refused?.reason ?? refusal.refused };
}

function redemptionByKeySql(companyId: string, key: string | SQL) {
  return sql`
    SELECT id, status, failure_reason, points, amount_cents, kind, member_id, reward_id, order_id, kounta_ref
    FROM redemptions WHERE company_id = ${companyId} AND idempotency_key = ${key}`;
}

export async function findRedemptionByKey(db: Database, companyId: string, key: string): Promise<RedemptionRow | null> {
  const [row] = await all(db, query<RedemptionRow>(redemptionByKeySql(companyId, key)));
  return row ?? null;
}

/** Marks a pending redemption applied. False when it was no longer pending (settled elsewhere). */
export async function confirmRedemption(
  db: Database,
  input: { companyId: string; redemptionId: string; kountaRef: string; now: number },
): Promise<boolean> {
  const [, rows] = await batch(db, [
    query(sql`
      UPDATE redemptions SET status = 'applied', kounta_ref = ${input.kountaRef}, updated_at = ${input.now}
      WHERE company_id = ${input.companyId} AND id = ${input.redemptionId} AND status = 'pending'`),
    query<{ changed: number }>(sql`SELECT changes() AS changed`),
    query(releaseOrderSql(input.companyId, input.redemptionId)),
  ]);
  return rows[0]?.changed === 1;
}

/**
 * Gives the points of a pending redemption back: marks it failed, writes the reversal row and
 * credits the member, all or nothing, and only once (each step runs only if the previous changed a
 * row). The idempotency key gets a suffix so the same redeem URL can be tried again.
 */
export async function releaseRedemption(
  db: Database,
  input: { companyId: string; redemptionId: string; reason: string; now: number },
): Promise<boolean> {
  const { companyId, redemptionId: id, reason, now } = input;
  const [, , , rows] = await batch(db, [
    query(sql`
      UPDATE redemptions SET status = 'failed', failure_reason = ${reason},
        idempotency_key = ${failedRedemptionKeySql(sql`idempotency_key`, sql`id`)}, updated_at = ${now}
      WHERE company_id = ${companyId} AND id = ${id} AND status = 'pending'`),
    query(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, reward_id, note, idempotency_key, created_at)
      SELECT ${newId("led")}, d.company_id, d.member_id, d.points, 'reversal', d.site_id, d.order_id, d.reward_id,
        ${`Redemption not applied: ${reason}`.slice(0, 300)}, ${releaseKeySql(sql`d.id`)}, ${now}
      FROM redemptions d WHERE d.company_id = ${companyId} AND d.id = ${id} AND changes() = 1`),
    query(sql`
      UPDATE members SET points = points + (SELECT points FROM redemptions WHERE id = ${id}), updated_at = ${now}
      WHERE company_id = ${companyId} AND id = (SELECT member_id FROM redemptions WHERE id = ${id}) AND changes() = 1`),
    query<{ changed: number }>(sql`SELECT changes() AS changed`),
    query(releaseOrderSql(companyId, id)),
  ]);
  return rows[0]?.changed === 1;
}

export interface PendingRedemption {
  id: string;
  company_id: string;
  member_id: string;
  order_id: string;
  kind: RewardKind;
  amount_cents: number | null;
  settle_attempts: number;
  created_at: number;
}

/** The settling job's first retry comes a run later (the cron runs every 5 minutes), then twice as late each time. */
export const SETTLE_RETRY_FIRST_MS = 5 * 60_000;
export const SETTLE_RETRY_MAX_MS = 6 * 3600_000;

/**
 * Redemptions still pending since before `olderThan` (left behind by a crash or a timeout) that are
 * due a try, the longest waiting first. Only of connected companies: a disconnected company's
 * pending redemptions wait, points held, until it reconnects (without its tokens the order cannot be
 * read, and guessing could lose the member's points or give a reward away).
 */
export async function findStalePendingRedemptions(
  db: Database,
  input: { olderThan: number; now: number; limit: number },
): Promise<PendingRedemption[]> {
  return all(
    db,
    query<PendingRedemption>(sql`
      SELECT d.id, d.company_id, d.member_id, d.order_id, d.kind, d.amount_cents, d.settle_attempts, d.created_at
      FROM redemptions d
      WHERE d.status = 'pending' AND ${isConnectedSql(sql`d.company_id`)} AND d.next_settle_at <= ${input.now} AND d.created_at < ${input.olderThan}
      ORDER BY d.next_settle_at, d.created_at LIMIT ${input.limit}`),
  );
}

/** A pending redemption that could not be settled this time: tried again later, backing off (5 min, 10, 20... up to 6 h). */
export async function postponeSettling(db: Database, input: { companyId: string; redemptionId: string; now: number }): Promise<void> {
  await all(
    db,
    query(sql`
      UPDATE redemptions SET settle_attempts = settle_attempts + 1,
        next_settle_at = ${input.now} + min(${sql.raw(String(SETTLE_RETRY_FIRST_MS))} << min(settle_attempts, 12), ${sql.raw(String(SETTLE_RETRY_MAX_MS))})
      WHERE company_id = ${input.companyId} AND id = ${input.redemptionId} AND status = 'pending'`),
  );
}
