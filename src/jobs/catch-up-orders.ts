import { sql } from "drizzle-orm";
import { z } from "zod";
import { loadConfig } from "../config";
import { KountaClient, kountaClientOptions } from "../kounta-api/client";
import { KountaApiError } from "../kounta-api/errors";
import { describeError, type Logger } from "../lib/logger";
import { earnForOrder } from "../loyalty/earn-order";
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
});

export interface OrderSummary {
  id: string;
  status: string | null;
  customerId: string | null;
}

export function readOrderSummaries(data: unknown): OrderSummary[] {
  if (!Array.isArray(data)) throw new KountaApiError("refused", "Kounta sent an order list we could not read");
  return data.flatMap((item) => {
    const parsed = orderSummarySchema.safeParse(item);
    if (!parsed.success) return [];
    const o = parsed.data;
    return [{ id: o.id_str ?? o.id, status: o.status ?? null, customerId: o.customer_id ?? null }];
  });
}

export interface OrderPage {
  orders: OrderSummary[];
  /** The next page's full URL (X-Next-Page), or null on the last page. */
  next: string | null;
}

/** Reads one page of a company's completed orders: the first (next = null) or the one a header named. */
export type ListCompletedOrders = (companyId: string, since: number, next: string | null) => Promise<OrderPage>;
/** Earns on one order, exactly once (src/loyalty/earn-order.ts earnForOrder). */
export type EarnOrder = (input: { companyId: string; orderId: string }) => Promise<{ outcome: string }>;

export interface CatchUpDeps {
  db: Database;
  logger: Logger;
  listOrders: ListCompletedOrders;
  earn: EarnOrder;
  now?: number;
  limits?: Partial<{ companies: number; orders: number; earnCalls: number; earnCallsPerRun: number }>;
}

export interface CatchUpSummary {
  companies: number;
  ordersSeen: number;
  earnCalls: number;
  outcomes: Record<string, number>;
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

/** Of these orders, the ones that have earned already. */
async function earnedAlready(db: Database, companyId: string, orderIds: string[]): Promise<Set<string>> {
  const earned = new Set<string>();
  for (let i = 0; i < orderIds.length; i += KEYS_PER_QUERY) {
    const keys = orderIds.slice(i, i + KEYS_PER_QUERY).map((id) => `earn:${id}`);
    const rows = await all(db, query<{ order_id: string }>(sql`
      SELECT substr(idempotency_key, 6) AS order_id FROM points_ledger
      WHERE company_id = ${companyId} AND idempotency_key IN (${sql.join(keys.map((k) => sql`${k}`), sql`, `)})`));
    for (const r of rows) earned.add(r.order_id);
  }
  return earned;
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
  const limits = {
    companies: MAX_COMPANIES,
    orders: MAX_ORDERS,
    earnCalls: MAX_EARN_CALLS,
    earnCallsPerRun: MAX_EARN_CALLS_PER_RUN,
    ...deps.limits,
  };
  const since = now - CATCH_UP_WINDOW_MS;
  const summary: CatchUpSummary = { companies: 0, ordersSeen: 0, earnCalls: 0, outcomes: {}, failures: 0 };

  for (const companyId of await companiesThisRun(deps.db, now, limits.companies)) {
    if (summary.earnCalls >= limits.earnCallsPerRun) break;
    const log = deps.logger.child({ company_id: companyId });
    summary.companies += 1;
    // 1. The newest completed orders, page by page, up to the limit.
    const candidates: OrderSummary[] = [];
    try {
      let seen = 0;
      let next: string | null = null;
      do {
        const page: OrderPage = await deps.listOrders(companyId, since, next);
        const orders = page.orders.slice(0, limits.orders - seen);
        seen += orders.length;
        // A sale without a customer earns nothing: not worth a call.
        candidates.push(...orders.filter((o) => o.customerId && (o.status === null || o.status === "COMPLETE")));
        next = page.next;
      } while (next && seen < limits.orders);
      summary.ordersSeen += seen;
    } catch (err) {
      summary.failures += 1;
      log.warn("catch-up could not list orders", describeError(err));
      if (candidates.length === 0) continue;
    }

    // 2. Those that have not earned yet, orders of known members first.
    const earned = await earnedAlready(deps.db, companyId, candidates.map((o) => o.id));
    const missing = candidates.filter((o) => !earned.has(o.id));
    if (missing.length === 0) continue;
    const linked = await linkedCustomers(deps.db, companyId, [...new Set(missing.map((o) => o.customerId!))]);
    missing.sort((a, b) => Number(linked.has(b.customerId!)) - Number(linked.has(a.customerId!)));

    // 3. Earn on each (exactly once by itself).
    for (const order of missing.slice(0, Math.min(limits.earnCalls, limits.earnCallsPerRun - summary.earnCalls))) {
      summary.earnCalls += 1;
      try {
        const { outcome } = await deps.earn({ companyId, orderId: order.id });
        summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
        if (outcome === "earned") log.info("catch-up earned on a missed order", { order_id: order.id });
      } catch (err) {
        summary.failures += 1;
        log.warn("catch-up could not earn on an order", { order_id: order.id, ...describeError(err) });
        // Kounta refusing or unreachable for this company: leave the rest to the next run.
        if (err instanceof KountaApiError && err.failure !== "not_found") break;
      }
    }
  }
  return summary;
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
  return {
    db,
    logger,
    now: options.now,
    async listOrders(companyId, since, next) {
      const page = await clientFor(companyId).listOrders(
        next ?? { status: "COMPLETE", updated_gte: new Date(since).toISOString().replace(/\.\d{3}Z$/, "Z") },
      );
      return { orders: readOrderSummaries(page.data), next: page.next };
    },
    earn: (input) =>
      earnForOrder(
        { db, cache, config, logger, deadline: Date.now() + PER_COMPANY_MS / 2, fetch: options.fetch },
        { ...input, now: options.now },
      ),
  };
}

export const catchUpOrdersJob: ScheduledJob = {
  name: "catch-up-orders",
  async run(env, logger) {
    const summary = await catchUpOrders(catchUpDeps(env, logger));
    logger.info("catch-up-orders summary", { ...summary });
  },
};
