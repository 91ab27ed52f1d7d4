import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, batch, query } from "../../storage/sql";

// One redemption at a time changes a Kounta order (the order_claims table; this module owns it). A
// percent off reads the order's lines and PUTs each one multiplied down: two of them on one order at
// the same moment would each write their factor over what the other read, and one discount would be
// lost while both were charged. So the reserve batch claims the order (in the same SQL transaction
// as the debit: no claim, no debit), the close batch lets it go, and a redemption that finds the
// order claimed waits for it. The settling job claims an order before it puts lines back.

/**
 * How long a claim holds without its holder closing it: longer than a redemption's answer (8 s), so
 * a holder that crashed or left its change unanswered (it may still land) keeps other rewards off the
 * order for a while after the cashier was told to check it, and no longer.
 */
export const ORDER_CLAIM_MS = 30_000;

export interface OrderClaimRequest {
  companyId: string;
  orderId: string;
  /** Who claims: the redemption being reserved (or settled). */
  holderId: string;
  now: number;
}

/**
 * Takes the order for the holder when it is free or its claim has run out; does nothing otherwise.
 * `unless` is a condition under which nothing is claimed at all (a repeat of a redemption that exists).
 */
export function claimOrderSql(r: OrderClaimRequest, unless = sql`0`) {
  return sql`
    INSERT INTO order_claims (company_id, order_id, redemption_id, expires_at)
    SELECT ${r.companyId}, ${r.orderId}, ${r.holderId}, ${r.now + ORDER_CLAIM_MS} WHERE NOT (${unless})
    ON CONFLICT (company_id, order_id) DO UPDATE SET redemption_id = excluded.redemption_id, expires_at = excluded.expires_at
    WHERE order_claims.expires_at <= ${r.now} OR order_claims.redemption_id = excluded.redemption_id`;
}

/** True (1) when the holder has the order: the condition every change of it is made under. */
export function holdsOrderSql(r: Omit<OrderClaimRequest, "now">) {
  return sql`EXISTS (SELECT 1 FROM order_claims oc
    WHERE oc.company_id = ${r.companyId} AND oc.order_id = ${r.orderId} AND oc.redemption_id = ${r.holderId})`;
}

/** Who holds the order (another redemption while it is busy with it), for the reserve batch to read. */
export function orderHolderSql(r: Omit<OrderClaimRequest, "holderId">) {
  return sql`SELECT redemption_id FROM order_claims
    WHERE company_id = ${r.companyId} AND order_id = ${r.orderId} AND expires_at > ${r.now}`;
}

/** Lets the order go, if this redemption still holds it (by the redemption's own order id). */
export function releaseOrderSql(companyId: string, redemptionId: string) {
  return sql`DELETE FROM order_claims WHERE company_id = ${companyId} AND redemption_id = ${redemptionId}
    AND order_id = (SELECT order_id FROM redemptions WHERE company_id = ${companyId} AND id = ${redemptionId})`;
}

/** Lets the order go when the holder did not become a redemption after all (refused, or a repeat). */
export function dropUnusedClaimSql(r: Omit<OrderClaimRequest, "now">) {
  return sql`DELETE FROM order_claims WHERE company_id = ${r.companyId} AND order_id = ${r.orderId}
    AND redemption_id = ${r.holderId} AND NOT EXISTS (SELECT 1 FROM redemptions WHERE id = ${r.holderId})`;
}

/** For the settling job: takes the order for a pending redemption; false when another holds it. */
export async function claimOrder(db: Database, r: OrderClaimRequest): Promise<boolean> {
  const [, rows] = await batch(db, [
    query(claimOrderSql(r)),
    query<{ held: number }>(sql`SELECT ${holdsOrderSql(r)} AS held`),
  ]);
  return rows[0]?.held === 1;
}

/** For the settling job: lets the order go when it is done with it (whatever it decided). */
export async function releaseOrder(db: Database, r: Omit<OrderClaimRequest, "now">): Promise<void> {
  await all(
    db,
    query(sql`DELETE FROM order_claims WHERE company_id = ${r.companyId} AND order_id = ${r.orderId} AND redemption_id = ${r.holderId}`),
  );
}

/** Claims that ran out long ago (their holders crashed): the settling job clears them. */
export async function clearExpiredClaims(db: Database, now: number): Promise<void> {
  await all(db, query(sql`DELETE FROM order_claims WHERE expires_at < ${now - ORDER_CLAIM_MS}`));
}
