import { sql } from "drizzle-orm";
import { remainingOfEarning } from "../../loyalty/earning/undo-order";
import { earnKey, isRefundKeyOf, orderIdOfEarnKeySql, returnKeySql } from "../../loyalty/ledger/keys";
import type { Database } from "../../storage/db";
import { connectedCompanyIds } from "../../storage/kounta-connections";
import { all, query } from "../../storage/sql";
import { CATCH_UP_WINDOW_MS, KEYS_PER_QUERY, SLOT_MS, STANDING_RECHECK_MS } from "./limits";
import type { OrderSummary } from "./kounta-orders";

// The catch-up's bookkeeping in D1: which companies this run takes, which listed orders have earned
// (and when they were last looked at), which rejected ones still carry loyalty, and the watermarks
// (order_checks, order_status_checks) that keep an order from being read again for nothing.

/** The connected companies this run looks at: a slice that moves on every 5-minute slot. */
export async function companiesThisRun(db: Database, now: number, limit: number): Promise<string[]> {
  const ids = await connectedCompanyIds(db);
  if (ids.length <= limit) return ids;
  const start = (Math.floor(now / SLOT_MS) * limit) % ids.length;
  return Array.from({ length: limit }, (_, i) => ids[(start + i) % ids.length]!);
}

/** The order id of an earn:<order> ledger row `e`, as SQL. */
const EARNED_ORDER = orderIdOfEarnKeySql(sql`e.idempotency_key`);

export interface EarnedOrder {
  /** Our last write for the order (its earning or its latest refund reversal), in our clock. */
  lastAt: number;
  /** Kounta's updated_at at the catch-up's last read of its refunds, if any. */
  checkedUpdatedAt: number | null;
}

/** Of these orders, the ones that have earned already, with when they were last written and looked at. */
export async function earnedAlready(db: Database, companyId: string, orderIds: string[]): Promise<Map<string, EarnedOrder>> {
  const earned = new Map<string, EarnedOrder>();
  for (let i = 0; i < orderIds.length; i += KEYS_PER_QUERY) {
    const keys = orderIds.slice(i, i + KEYS_PER_QUERY).map(earnKey);
    const rows = await all(db, query<{ order_id: string; last_at: number; checked: number | null }>(sql`
      SELECT ${EARNED_ORDER} AS order_id,
        max(e.created_at, coalesce((SELECT max(r.created_at) FROM points_ledger r WHERE r.company_id = e.company_id
          AND ${isRefundKeyOf(sql`r.idempotency_key`, EARNED_ORDER)}), 0)) AS last_at,
        (SELECT c.kounta_updated_at FROM order_checks c WHERE c.company_id = e.company_id AND c.order_id = ${EARNED_ORDER}) AS checked
      FROM points_ledger e
      WHERE e.company_id = ${companyId} AND e.idempotency_key IN (${sql.join(keys.map((k) => sql`${k}`), sql`, `)})`));
    for (const r of rows) earned.set(r.order_id, { lastAt: r.last_at, checkedUpdatedAt: r.checked });
  }
  return earned;
}

/** Kounta's updated_at the catch-up last read an order's refunds at: it is read again only after a newer change. */
export async function markChecked(db: Database, companyId: string, orderId: string, kountaUpdatedAt: number, now: number) {
  await all(db, query<never>(sql`
    INSERT INTO order_checks (company_id, order_id, kounta_updated_at, checked_at)
    VALUES (${companyId}, ${orderId}, ${kountaUpdatedAt}, ${now})
    ON CONFLICT (company_id, order_id) DO UPDATE SET
      kounta_updated_at = max(order_checks.kounta_updated_at, excluded.kounta_updated_at), checked_at = excluded.checked_at`));
}

/** Watermarks of orders older than the window are never consulted again: a bounded delete per run. */
export async function pruneChecks(db: Database, now: number) {
  const before = now - CATCH_UP_WINDOW_MS - 24 * 3600_000;
  await all(db, query<never>(sql`
    DELETE FROM order_checks WHERE rowid IN (SELECT rowid FROM order_checks WHERE checked_at < ${before} LIMIT 500)`));
  await all(db, query<never>(sql`
    DELETE FROM order_status_checks WHERE rowid IN (SELECT rowid FROM order_status_checks WHERE checked_at < ${before} LIMIT 500)`));
}

/** Of these orders (listed without a status), the ones read standing since Kounta last changed them. */
export async function readStanding(db: Database, companyId: string, orders: OrderSummary[], now: number): Promise<Set<string>> {
  const standing = new Set<string>();
  for (let i = 0; i < orders.length; i += KEYS_PER_QUERY) {
    const slice = orders.slice(i, i + KEYS_PER_QUERY);
    const rows = await all(db, query<{ order_id: string; kounta_updated_at: number | null; checked_at: number }>(sql`
      SELECT order_id, kounta_updated_at, checked_at FROM order_status_checks
      WHERE company_id = ${companyId} AND order_id IN (${sql.join(slice.map((o) => sql`${o.id}`), sql`, `)})`));
    const byId = new Map(rows.map((r) => [r.order_id, r]));
    for (const o of slice) {
      const seen = byId.get(o.id);
      if (!seen) continue;
      const unchanged = o.updatedAt != null ? seen.kounta_updated_at !== null && seen.kounta_updated_at >= o.updatedAt : seen.checked_at > now - STANDING_RECHECK_MS;
      if (unchanged) standing.add(o.id);
    }
  }
  return standing;
}

export async function markStanding(db: Database, companyId: string, order: OrderSummary, now: number) {
  await all(db, query<never>(sql`
    INSERT INTO order_status_checks (company_id, order_id, kounta_updated_at, checked_at)
    VALUES (${companyId}, ${order.id}, ${order.updatedAt ?? null}, ${now})
    ON CONFLICT (company_id, order_id) DO UPDATE SET
      kounta_updated_at = excluded.kounta_updated_at, checked_at = excluded.checked_at`));
}

/**
 * Of these rejected orders, the ones that still carry loyalty: an earning with something left of it
 * and no unearn row, or an applied redemption whose points have not been returned.
 */
export async function stillToUndo(db: Database, companyId: string, orderIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < orderIds.length; i += KEYS_PER_QUERY / 2) {
    const ids = orderIds.slice(i, i + KEYS_PER_QUERY / 2);
    const keys = ids.map((id) => sql`${earnKey(id)}`);
    const rows = await all(db, query<{ order_id: string }>(sql`
      SELECT ${EARNED_ORDER} AS order_id FROM points_ledger e
      WHERE e.company_id = ${companyId} AND e.idempotency_key IN (${sql.join(keys, sql`, `)})
        -- Something left of the earning (not unearned, and not all taken back by refunds).
        AND ${remainingOfEarning(companyId, EARNED_ORDER)} > 0
      UNION
      SELECT d.order_id FROM redemptions d
      WHERE d.company_id = ${companyId} AND d.order_id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})
        AND d.status = 'applied' AND d.points > 0
        AND NOT EXISTS (SELECT 1 FROM points_ledger r WHERE r.company_id = d.company_id AND r.idempotency_key = ${returnKeySql(sql`d.id`)})`));
    for (const r of rows) found.add(r.order_id);
  }
  return found;
}

/** Kounta customers of this company already linked to a member: their orders are tried first. */
export async function linkedCustomers(db: Database, companyId: string, customerIds: string[]): Promise<Set<string>> {
  const linked = new Set<string>();
  for (let i = 0; i < customerIds.length; i += KEYS_PER_QUERY) {
    const ids = customerIds.slice(i, i + KEYS_PER_QUERY);
    const rows = await all(db, query<{ id: string }>(sql`
      SELECT kounta_customer_id AS id FROM customer_links
      WHERE company_id = ${companyId} AND kounta_customer_id IN (${sql.join(ids.map((k) => sql`${k}`), sql`, `)})`));
    for (const r of rows) linked.add(r.id);
  }
  return linked;
}
