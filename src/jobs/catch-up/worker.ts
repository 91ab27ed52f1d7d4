import { loadConfig } from "../../config";
import { kountaClientFor, type KountaClient } from "../../kounta-api/client";
import { KountaApiError } from "../../kounta-api/errors";
import type { Logger } from "../../lib/logger";
import { earnForOrder } from "../../loyalty/earning/earn-order";
import { reverseRefunds, undoOrder } from "../../loyalty/earning/undo-order";
import { LoyaltyCache } from "../../loyalty/cache";
import { openPrimaryDatabase } from "../../storage/db";
import { jobNotifier } from "../notification-sweep";
import type { ScheduledJob } from "../scheduled-job";
import { catchUpOrders, type CatchUpDeps } from "./job";
import { readOrderSummaries, type OrderPage } from "./kounta-orders";
import { PER_COMPANY_MS } from "./limits";

/** The Worker's own dependencies: the Kounta client's order list and the real earning. */
export function catchUpDeps(env: Env, logger: Logger, options: { now?: number; fetch?: typeof fetch } = {}): CatchUpDeps {
  const config = loadConfig(env);
  const db = openPrimaryDatabase(env.DB);
  const cache = new LoyaltyCache(env.CACHE);
  const notifier = jobNotifier(env, logger);
  const clients = new Map<string, KountaClient>();
  const clientFor = (companyId: string) => {
    let client = clients.get(companyId);
    if (!client) {
      client = kountaClientFor(config, db, {
        companyId,
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
        { db, cache, config, logger, deadline: Date.now() + PER_COMPANY_MS / 2, fetch: options.fetch, notifier },
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
