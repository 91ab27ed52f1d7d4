import { KountaApiError } from "../../kounta-api/errors";
import { describeError, type Logger } from "../../lib/logger";
import type { Database } from "../../storage/db";
import {
  companiesThisRun,
  earnedAlready,
  linkedCustomers,
  markChecked,
  markStanding,
  pruneChecks,
  readStanding,
  stillToUndo,
} from "./bookkeeping";
import { listAll, type ListCompletedOrders, type ListRejectedOrders, type OrderSummary } from "./kounta-orders";
import {
  CATCH_UP_WINDOW_MS,
  MAX_COMPANIES,
  MAX_EARN_CALLS,
  MAX_EARN_CALLS_PER_RUN,
  MAX_ORDERS,
  MAX_REFUND_CHECKS,
  MAX_UNDO_CALLS,
  REFUND_CHECKS_PER_COMPANY,
  type Limits,
} from "./limits";

// Catching up on sales the webhooks missed (a lost or failed delivery): the cron reads each
// connected company's orders completed recently through the Kounta API and earns on any that has
// not earned yet. Earning is exactly-once by itself (the ledger key `earn:<order id>`), so an order
// the webhook already earned, or one this job sees again next run, never earns twice.
//
// Kounta's list: GET /companies/{c}/orders?status=COMPLETE&updated_gte=<ISO 8601>, newest first, paged
// by the `X-Next-Page` header (a full URL). We filter on updated_gte, not created_gte: an order opened
// days ago (a tab) and completed just now was updated when it completed.
//
// A refund is a negative payment added to a completed order; whether Kounta sends a delivery for it
// is unpublished (if it does, the webhook takes the refund back; once either way). So an order that
// has earned and that Kounta changed since it was last looked at is read again and its refunds take
// back their share, each once (refund:<order>:<payment>). "Since" is Kounta's updated_at against the
// one the catch-up last read the order at (order_checks), or, before a first read, our earning's time.
//
// Kounta sends no delivery when an order is rejected (voided), so the same pass also lists the
// orders rejected in the window (status=REJECTED) and undoes those that still carry loyalty: an
// earning not yet reversed, or an applied redemption whose points have not come back. The list is
// only a lead: an order is undone once Kounta's own copy of it (GET) says REJECTED, or that it no
// longer exists (404, as the webhook treats a deleted order). A summary without a status (the list's
// filter may not have been applied) is read too, after those listed as REJECTED; one found standing is
// remembered (order_status_checks) and not read again until Kounta changes it. Undoing is
// exactly-once by its own keys (unearn:<order>, return:<redemption>).
//
// Bounded, and remembering nothing: each run takes at most MAX_COMPANIES connected companies (a
// different slice each 5-minute slot, so every company comes round), reads at most MAX_ORDERS orders
// of each (the newest), and calls the earning for at most MAX_EARN_CALLS orders per company and
// MAX_EARN_CALLS_PER_RUN in all (D1 allows about 1000 queries per invocation, shared by the jobs). An order
// is only worth an earning call when it has a customer and has not earned yet (one D1 query per page).
//
// The parts: ./kounta-orders.ts (the lists), ./bookkeeping.ts (the D1 queries), ./limits.ts (the
// bounds), ./worker.ts (the Worker's own dependencies and the cron job).

/** Earns on one order, exactly once (src/loyalty/earning/earn-order.ts earnForOrder). */
export type EarnOrder = (input: { companyId: string; orderId: string }) => Promise<{ outcome: string }>;
/** Reads an order again and takes back its refunds' share, each once (src/loyalty/earning/undo-order.ts reverseRefunds). */
export type ReverseOrderRefunds = (input: { companyId: string; orderId: string }) => Promise<number>;
/** Undoes a rejected or deleted order, exactly once (src/loyalty/earning/undo-order.ts undoOrder). */
export type UndoOrder = (input: { companyId: string; orderId: string; reason: "rejected" | "deleted" }) => Promise<{ reversed: number; returned: number }>;
/** The order's status as Kounta reads it now (GET), or null when Kounta no longer has it (404). */
export type ReadOrderStatus = (input: { companyId: string; orderId: string }) => Promise<string | null>;

export interface CatchUpDeps {
  db: Database;
  logger: Logger;
  listOrders: ListCompletedOrders;
  listRejected: ListRejectedOrders;
  earn: EarnOrder;
  readStatus: ReadOrderStatus;
  undo: UndoOrder;
  reverseRefunds: ReverseOrderRefunds;
  now?: number;
  limits?: Partial<Limits>;
}

export interface CatchUpSummary {
  companies: number;
  ordersSeen: number;
  earnCalls: number;
  outcomes: Record<string, number>;
  /** Earned orders read again because Kounta changed them since, and the points their refunds took back. */
  refundChecks: number;
  refundsReversed: number;
  /**
   * Rejected orders listed, undo calls made (each a read of the order, then its undoing when Kounta
   * confirms), orders Kounta did not confirm as rejected, orders undone, and the points reversed and returned.
   */
  rejectedSeen: number;
  undoCalls: number;
  notRejected: number;
  undone: number;
  reversed: number;
  returned: number;
  failures: number;
}

/** Failures of one order's read that say nothing of the company's others: the pass goes on. */
const ORDER_ONLY_FAILURES: ReadonlySet<string> = new Set(["refused", "not_found"]);

export async function catchUpOrders(deps: CatchUpDeps): Promise<CatchUpSummary> {
  const now = deps.now ?? Date.now();
  const limits: Limits = {
    companies: MAX_COMPANIES,
    orders: MAX_ORDERS,
    earnCalls: MAX_EARN_CALLS,
    earnCallsPerRun: MAX_EARN_CALLS_PER_RUN,
    undoCalls: MAX_UNDO_CALLS,
    refundChecks: MAX_REFUND_CHECKS,
    ...deps.limits,
  };
  const since = now - CATCH_UP_WINDOW_MS;
  const summary: CatchUpSummary = {
    companies: 0,
    ordersSeen: 0,
    earnCalls: 0,
    outcomes: {},
    refundChecks: 0,
    refundsReversed: 0,
    rejectedSeen: 0,
    undoCalls: 0,
    notRejected: 0,
    undone: 0,
    reversed: 0,
    returned: 0,
    failures: 0,
  };

  for (const companyId of await companiesThisRun(deps.db, now, limits.companies)) {
    const canEarn = summary.earnCalls < limits.earnCallsPerRun;
    const canUndo = summary.undoCalls < limits.undoCalls;
    if (!canEarn && !canUndo) break;
    const log = deps.logger.child({ company_id: companyId });
    summary.companies += 1;
    const reachable = canEarn ? await earnMissed(deps, companyId, since, limits, summary, log) : true;
    if (reachable && canUndo) await undoRejected(deps, companyId, since, limits, summary, log);
  }
  await pruneChecks(deps.db, now).catch((err: unknown) => deps.logger.warn("catch-up could not prune its order checks", describeError(err)));
  return summary;
}

/** Earns on the company's completed orders that have not earned; false when Kounta could not be used. */
async function earnMissed(deps: CatchUpDeps, companyId: string, since: number, limits: Limits, summary: CatchUpSummary, log: Logger) {
  // 1. The newest completed orders, page by page, up to the limit.
  const { orders, error } = await listAll(deps.listOrders, companyId, since, limits.orders);
  summary.ordersSeen += orders.length;
  if (error) {
    summary.failures += 1;
    log.warn("catch-up could not list orders", describeError(error));
  }
  // A sale without a customer earns nothing: not worth a call.
  const candidates = orders.filter((o) => o.customerId && (o.status === null || o.status === "COMPLETE"));
  if (candidates.length === 0) return !error;

  // 2. Those that have not earned yet, orders of known members first.
  const earned = await earnedAlready(deps.db, companyId, candidates.map((o) => o.id));
  const missing = candidates.filter((o) => !earned.has(o.id));
  const linked = missing.length ? await linkedCustomers(deps.db, companyId, [...new Set(missing.map((o) => o.customerId!))]) : new Set<string>();
  missing.sort((a, b) => Number(linked.has(b.customerId!)) - Number(linked.has(a.customerId!)));

  // 3. Earn on each (exactly once by itself).
  for (const order of missing.slice(0, Math.max(0, Math.min(limits.earnCalls, limits.earnCallsPerRun - summary.earnCalls)))) {
    summary.earnCalls += 1;
    try {
      const { outcome } = await deps.earn({ companyId, orderId: order.id });
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
      if (outcome === "earned") {
        log.info("catch-up earned on a missed order", { order_id: order.id });
        await reverseEarlierRefunds(deps, companyId, order, summary);
      }
    } catch (err) {
      summary.failures += 1;
      log.warn("catch-up could not earn on an order", { order_id: order.id, ...describeError(err) });
      // Kounta refusing or unreachable for this company: leave the rest to the next run. (One order
      // it cannot answer for, or that we cannot read, does not hold up the others.)
      if (err instanceof KountaApiError && !ORDER_ONLY_FAILURES.has(err.failure)) return false;
    }
  }

  // 4. Earned orders Kounta changed since it was last looked at (a refund is a negative payment added
  // to the order): read again for their refunds. Compared in Kounta's own clock once an order has a
  // watermark; before that, against our earning's time.
  const changed = candidates.filter((o) => {
    const seen = earned.get(o.id);
    return seen !== undefined && o.updatedAt != null && o.updatedAt > (seen.checkedUpdatedAt ?? seen.lastAt);
  });
  const checks = Math.max(0, Math.min(REFUND_CHECKS_PER_COMPANY, limits.refundChecks - summary.refundChecks));
  for (const order of changed.slice(0, checks)) {
    summary.refundChecks += 1;
    try {
      const reversed = await deps.reverseRefunds({ companyId, orderId: order.id });
      summary.refundsReversed += reversed;
      if (reversed > 0) log.info("catch-up reversed a refund", { order_id: order.id, points: reversed });
      await markChecked(deps.db, companyId, order.id, order.updatedAt!, deps.now ?? Date.now());
    } catch (err) {
      summary.failures += 1;
      log.warn("catch-up could not read an order for its refunds", { order_id: order.id, ...describeError(err) });
      if (err instanceof KountaApiError && err.failure !== "not_found") return false;
    }
  }
  return !error;
}

/**
 * A sale whose delivery was missed may have been refunded before this run earned on it. The refund is
 * older than the earning, so the "changed since" check would never read it again: its refunds are
 * taken back now. If that fails, the order is marked as read at Kounta's time 0, so the next run's
 * check reads it again.
 */
async function reverseEarlierRefunds(deps: CatchUpDeps, companyId: string, order: OrderSummary, summary: CatchUpSummary) {
  const now = deps.now ?? Date.now();
  try {
    summary.refundChecks += 1;
    summary.refundsReversed += await deps.reverseRefunds({ companyId, orderId: order.id });
    if (order.updatedAt != null) await markChecked(deps.db, companyId, order.id, order.updatedAt, now);
  } catch (err) {
    await markChecked(deps.db, companyId, order.id, 0, now).catch(() => undefined);
    throw err;
  }
}

/** Undoes the company's rejected orders that still carry loyalty (no delivery tells of a rejection). */
async function undoRejected(deps: CatchUpDeps, companyId: string, since: number, limits: Limits, summary: CatchUpSummary, log: Logger) {
  const { orders, error } = await listAll(deps.listRejected, companyId, since, limits.orders);
  summary.rejectedSeen += orders.length;
  if (error) {
    summary.failures += 1;
    log.warn("catch-up could not list rejected orders", describeError(error));
  }
  // Listed as REJECTED, or listed without a status: Kounta's list filter and fields are unpublished.
  const listed = orders.filter((o) => o.status === null || o.status === "REJECTED");
  if (listed.length === 0 || summary.undoCalls >= limits.undoCalls) return;
  const now = deps.now ?? Date.now();
  const toUndo = await stillToUndo(deps.db, companyId, listed.map((o) => o.id));
  let candidates = listed.filter((o) => toUndo.has(o.id));
  const unstated = candidates.filter((o) => o.status === null);
  if (unstated.length > 0) {
    const standing = await readStanding(deps.db, companyId, unstated, now);
    candidates = candidates.filter((o) => !standing.has(o.id));
  }
  // Those the list calls REJECTED first (stable: newest first within each).
  candidates.sort((a, b) => Number(b.status === "REJECTED") - Number(a.status === "REJECTED"));
  for (const order of candidates.slice(0, Math.max(0, limits.undoCalls - summary.undoCalls))) {
    const orderId = order.id;
    summary.undoCalls += 1;
    try {
      // The order itself, not the list, decides: undoing a sale that stands would take points wrongly.
      const status = await deps.readStatus({ companyId, orderId });
      if (status !== null && status !== "REJECTED") {
        summary.notRejected += 1;
        if (order.status === "REJECTED") log.warn("catch-up: a listed rejected order is not rejected", { order_id: orderId, status });
        await markStanding(deps.db, companyId, order, now);
        continue;
      }
      const reason = status === null ? "deleted" : "rejected";
      const { reversed, returned } = await deps.undo({ companyId, orderId, reason });
      summary.undone += 1;
      summary.reversed += reversed;
      summary.returned += returned;
      log.info("catch-up undid an order", { order_id: orderId, reason, reversed, returned });
    } catch (err) {
      summary.failures += 1;
      log.warn("catch-up could not undo a rejected order", { order_id: orderId, ...describeError(err) });
      // Kounta refusing or unreachable for this company: leave the rest to the next run. (One order
      // it cannot answer for, or that we cannot read, does not hold up the others.)
      if (err instanceof KountaApiError && !ORDER_ONLY_FAILURES.has(err.failure)) return;
    }
  }
}
