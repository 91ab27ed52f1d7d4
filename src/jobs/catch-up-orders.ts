import { sql } from "drizzle-orm";
import { z } from "zod";
import { loadConfig } from "../config";
import { KountaClient, kountaClientOptions } from "../kounta-api/client";
import { KountaApiError } from "../kounta-api/errors";
import { parseOrderId } from "../kounta-api/ids";
import { describeError, type Logger } from "../lib/logger";
import { earnForOrder } from "../loyalty/earn-order";
import { isRefundKeyOf, remainingOfEarning, reverseRefunds, undoOrder } from "../loyalty/undo-order";
import { LoyaltyCache } from "../storage/cache";
import { openDatabase, type Database } from "../storage/db";
import { all, query } from "../storage/sql";
import type { ScheduledJob } from "./scheduled";

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

export const CATCH_UP_WINDOW_MS = 2 * 24 * 3600_000;
export const MAX_COMPANIES = 20;
export const MAX_ORDERS = 200;
export const MAX_EARN_CALLS = 25;
/** Earning calls in all (each a few D1 queries and Kounta calls, within one invocation's limits). */
export const MAX_EARN_CALLS_PER_RUN = 50;
/** Rejected orders undone per run, all companies together (each one read and one batch; rare). */
export const MAX_UNDO_CALLS = 25;
/** Earned orders read again per run, all companies together, because Kounta changed them since. */
export const MAX_REFUND_CHECKS = 25;
/** Refund re-reads per company and run, so that one company's changed orders cannot take them all. */
const REFUND_CHECKS_PER_COMPANY = 10;
const SLOT_MS = 5 * 60_000;
const PER_COMPANY_MS = 30_000;
/** Ids per ledger check: one bound value each, below D1's 100 per statement. */
const KEYS_PER_QUERY = 90;

/** What the list shows of an order (a summary: GET the order for its lines and payments). */
const orderSummarySchema = z.looseObject({
  id: z.union([z.number(), z.string()]).transform(String),
  id_str: z.string().nullish(),
  status: z.string().nullish(),
  customer_id: z.union([z.number(), z.string()]).transform(String).nullish(),
  updated_at: z.string().nullish(),
});

export interface OrderSummary {
  id: string;
  status: string | null;
  customerId: string | null;
  /** When Kounta last changed the order (ms), when it says. */
  updatedAt?: number | null;
}

export function readOrderSummaries(data: unknown): OrderSummary[] {
  if (!Array.isArray(data)) throw new KountaApiError("refused", "Kounta sent an order list we could not read");
  return data.flatMap((item) => {
    const parsed = orderSummarySchema.safeParse(item);
    if (!parsed.success) return [];
    const o = parsed.data;
    const id = parseOrderId(o.id_str ?? o.id);
    if (id === null) return [];
    const updatedAt = o.updated_at ? Date.parse(o.updated_at) : NaN;
    return [{ id, status: o.status ?? null, customerId: o.customer_id ?? null, updatedAt: Number.isNaN(updatedAt) ? null : updatedAt }];
  });
}

export interface OrderPage {
  orders: OrderSummary[];
  /** The next page's full URL (X-Next-Page), or null on the last page. */
  next: string | null;
}

/** Reads one page of a company's completed orders: the first (next = null) or the one a header named. */
export type ListCompletedOrders = (companyId: string, since: number, next: string | null) => Promise<OrderPage>;
/** The same for the orders rejected in the window. */
export type ListRejectedOrders = ListCompletedOrders;
/** Earns on one order, exactly once (src/loyalty/earn-order.ts earnForOrder). */
export type EarnOrder = (input: { companyId: string; orderId: string }) => Promise<{ outcome: string }>;
/** Reads an order again and takes back its refunds' share, each once (src/loyalty/undo-order.ts reverseRefunds). */
export type ReverseOrderRefunds = (input: { companyId: string; orderId: string }) => Promise<number>;
/** Undoes a rejected or deleted order, exactly once (src/loyalty/undo-order.ts undoOrder). */
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

/** How much one run may do (defaults: the MAX_ constants above). */
export interface Limits {
  companies: number;
  orders: number;
  earnCalls: number;
  earnCallsPerRun: number;
  undoCalls: number;
  refundChecks: number;
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

/** The connected companies this run looks at: a slice that moves on every 5-minute slot. */
async function companiesThisRun(db: Database, now: number, limit: number): Promise<string[]> {
  const rows = await all(db, query<{ company_id: string }>(sql`
    SELECT company_id FROM kounta_connections WHERE status = 'connected' ORDER BY company_id`));
  if (rows.length <= limit) return rows.map((r) => r.company_id);
  const start = (Math.floor(now / SLOT_MS) * limit) % rows.length;
  return Array.from({ length: limit }, (_, i) => rows[(start + i) % rows.length]!.company_id);
}

/** The order id of an earn:<order> ledger row `e`, as SQL. */
const EARNED_ORDER = sql`substr(e.idempotency_key, 6)`;

interface EarnedOrder {
  /** Our last write for the order (its earning or its latest refund reversal), in our clock. */
  lastAt: number;
  /** Kounta's updated_at at the catch-up's last read of its refunds, if any. */
  checkedUpdatedAt: number | null;
}

/** Of these orders, the ones that have earned already, with when they were last written and looked at. */
async function earnedAlready(db: Database, companyId: string, orderIds: string[]): Promise<Map<string, EarnedOrder>> {
  const earned = new Map<string, EarnedOrder>();
  for (let i = 0; i < orderIds.length; i += KEYS_PER_QUERY) {
    const keys = orderIds.slice(i, i + KEYS_PER_QUERY).map((id) => `earn:${id}`);
    const rows = await all(db, query<{ order_id: string; last_at: number; checked: number | null }>(sql`
      SELECT substr(e.idempotency_key, 6) AS order_id,
        max(e.created_at, coalesce((SELECT max(r.created_at) FROM points_ledger r WHERE r.company_id = e.company_id
          AND ${isRefundKeyOf(sql`r.idempotency_key`, EARNED_ORDER)}), 0)) AS last_at,
        (SELECT c.kounta_updated_at FROM order_checks c WHERE c.company_id = e.company_id AND c.order_id = substr(e.idempotency_key, 6)) AS checked
      FROM points_ledger e
      WHERE e.company_id = ${companyId} AND e.idempotency_key IN (${sql.join(keys.map((k) => sql`${k}`), sql`, `)})`));
    for (const r of rows) earned.set(r.order_id, { lastAt: r.last_at, checkedUpdatedAt: r.checked });
  }
  return earned;
}

/** Kounta's updated_at the catch-up last read an order's refunds at: it is read again only after a newer change. */
async function markChecked(db: Database, companyId: string, orderId: string, kountaUpdatedAt: number, now: number) {
  await all(db, query<never>(sql`
    INSERT INTO order_checks (company_id, order_id, kounta_updated_at, checked_at)
    VALUES (${companyId}, ${orderId}, ${kountaUpdatedAt}, ${now})
    ON CONFLICT (company_id, order_id) DO UPDATE SET
      kounta_updated_at = max(order_checks.kounta_updated_at, excluded.kounta_updated_at), checked_at = excluded.checked_at`));
}

/** Watermarks of orders older than the window are never consulted again: a bounded delete per run. */
async function pruneChecks(db: Database, now: number) {
  const before = now - CATCH_UP_WINDOW_MS - 24 * 3600_000;
  await all(db, query<never>(sql`
    DELETE FROM order_checks WHERE rowid IN (SELECT rowid FROM order_checks WHERE checked_at < ${before} LIMIT 500)`));
  await all(db, query<never>(sql`
    DELETE FROM order_status_checks WHERE rowid IN (SELECT rowid FROM order_status_checks WHERE checked_at < ${before} LIMIT 500)`));
}

/** A summary without an updated_at that was read standing is read again after this long. */
const STANDING_RECHECK_MS = 3600_000;

/** Of these orders (listed without a status), the ones read standing since Kounta last changed them. */
async function readStanding(db: Database, companyId: string, orders: OrderSummary[], now: number): Promise<Set<string>> {
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

async function markStanding(db: Database, companyId: string, order: OrderSummary, now: number) {
  await all(db, query<never>(sql`
    INSERT INTO order_status_checks (company_id, order_id, kounta_updated_at, checked_at)
    VALUES (${companyId}, ${order.id}, ${order.updatedAt ?? null}, ${now})
    ON CONFLICT (company_id, order_id) DO UPDATE SET
      kounta_updated_at = excluded.kounta_updated_at, checked_at = excluded.checked_at`));
}

/** Failures of one order's read that say nothing of the company's others: the pass goes on. */
const ORDER_ONLY_FAILURES: ReadonlySet<string> = new Set(["refused", "not_found"]);

/**
 * Of these rejected orders, the ones that still carry loyalty: an earning with something left of it
 * and no unearn row, or an applied redemption whose points have not been returned.
 */
async function stillToUndo(db: Database, companyId: string, orderIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < orderIds.length; i += KEYS_PER_QUERY / 2) {
    const ids = orderIds.slice(i, i + KEYS_PER_QUERY / 2);
    const keys = ids.map((id) => sql`${`earn:${id}`}`);
    const rows = await all(db, query<{ order_id: string }>(sql`
      SELECT substr(e.idempotency_key, 6) AS order_id FROM points_ledger e
      WHERE e.company_id = ${companyId} AND e.idempotency_key IN (${sql.join(keys, sql`, `)})
        -- Something left of the earning (not unearned, and not all taken back by refunds).
        AND ${remainingOfEarning(companyId, EARNED_ORDER)} > 0
      UNION
      SELECT d.order_id FROM redemptions d
      WHERE d.company_id = ${companyId} AND d.order_id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})
        AND d.status = 'applied' AND d.points > 0
        AND NOT EXISTS (SELECT 1 FROM points_ledger r WHERE r.company_id = d.company_id AND r.idempotency_key = 'return:' || d.id)`));
    for (const r of rows) found.add(r.order_id);
  }
  return found;
}

/** Kounta customers of this company already linked to a member: their orders are tried first. */
async function linkedCustomers(db: Database, companyId: string, customerIds: string[]): Promise<Set<string>> {
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

/** Every order of a listing, page by page (X-Next-Page), up to the limit; what was read if a page fails. */
async function listAll(
  list: ListCompletedOrders,
  companyId: string,
  since: number,
  max: number,
): Promise<{ orders: OrderSummary[]; error: unknown }> {
  const orders: OrderSummary[] = [];
  try {
    let next: string | null = null;
    do {
      const page: OrderPage = await list(companyId, since, next);
      orders.push(...page.orders.slice(0, max - orders.length));
      next = page.next;
    } while (next && orders.length < max);
    return { orders, error: null };
  } catch (err) {
    return { orders, error: err };
  }
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

/** The Worker's own dependencies: the Kounta client's order list and the real earning. */
export function catchUpDeps(env: Env, logger: Logger, options: { now?: number; fetch?: typeof fetch } = {}): CatchUpDeps {
  const config = loadConfig(env);
  const db = openDatabase(env.DB);
  const cache = new LoyaltyCache(env.CACHE);
  const clients = new Map<string, KountaClient>();
  const clientFor = (companyId: string) => {
    let client = clients.get(companyId);
    if (!client) {
      client = new KountaClient({
        db,
        companyId,
        ...kountaClientOptions(config),
        logger: logger.child({ company_id: companyId }),
        deadline: Date.now() + PER_COMPANY_MS,
        fetch: options.fetch,
      });
      clients.set(companyId, client);
    }
    return client;
  };
  const listByStatus = async (companyId: string, status: string, since: number, next: string | null): Promise<OrderPage> => {
    const page = await clientFor(companyId).listOrders(
      next ?? { status, updated_gte: new Date(since).toISOString().replace(/\.\d{3}Z$/, "Z") },
    );
    return { orders: readOrderSummaries(page.data), next: page.next };
  };
  return {
    db,
    logger,
    now: options.now,
    listOrders: (companyId, since, next) => listByStatus(companyId, "COMPLETE", since, next),
    listRejected: (companyId, since, next) => listByStatus(companyId, "REJECTED", since, next),
    earn: (input) =>
      earnForOrder(
        { db, cache, config, logger, deadline: Date.now() + PER_COMPANY_MS / 2, fetch: options.fetch },
        { ...input, now: options.now },
      ),
    readStatus: async (input) => {
      try {
        return (await clientFor(input.companyId).getOrder(input.orderId)).status;
      } catch (err) {
        if (err instanceof KountaApiError && err.failure === "not_found") return null;
        throw err;
      }
    },
    undo: (input) => undoOrder(db, { ...input, now: options.now ?? Date.now(), cache }),
    reverseRefunds: async (input) => {
      const order = await clientFor(input.companyId).getOrder(input.orderId);
      return reverseRefunds(db, { companyId: input.companyId, order, now: options.now ?? Date.now(), cache });
    },
  };
}

export const catchUpOrdersJob: ScheduledJob = {
  name: "catch-up-orders",
  async run(env, logger) {
    const summary = await catchUpOrders(catchUpDeps(env, logger));
    logger.info("catch-up-orders summary", { ...summary });
  },
};
