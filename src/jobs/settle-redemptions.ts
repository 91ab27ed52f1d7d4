import { loadConfig } from "../config";
import { KountaClient, kountaClientOptions } from "../kounta-api/client";
import { KountaApiError } from "../kounta-api/errors";
import { describeError, type Logger } from "../lib/logger";
import { findRedemptionOnOrder } from "../loyalty/apply-reward";
import { refreshMemberCard } from "../loyalty/members";
import { confirmRedemption, findStalePendingRedemptions, releaseRedemption } from "../loyalty/redemption";
import { LoyaltyCache } from "../storage/cache";
import { openDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled";

/** A redemption still pending this long after it started was left behind by a crash or a timeout. */
export const SETTLE_AFTER_MS = 2 * 60_000;
const BATCH = 50;
const PER_REDEMPTION_MS = 10_000;

export interface SettleSummary {
  applied: number;
  released: number;
  unresolved: number;
}

/**
 * Settles redemptions left pending: reads each one's order from Kounta and confirms it when our line
 * or payment is there, or gives the points back when it is not. When Kounta cannot tell (down, slow,
 * rate limiting) the redemption stays pending for the next run: nothing is guessed.
 */
export async function settlePendingRedemptions(
  env: Env,
  logger: Logger,
  options: { now?: number; fetch?: typeof fetch } = {},
): Promise<SettleSummary> {
  const config = loadConfig(env);
  const db = openDatabase(env.DB);
  const cache = new LoyaltyCache(env.CACHE);
  const now = options.now ?? Date.now();
  const summary: SettleSummary = { applied: 0, released: 0, unresolved: 0 };

  for (const pending of await findStalePendingRedemptions(db, now - SETTLE_AFTER_MS, BATCH)) {
    const log = logger.child({ redemption_id: pending.id, company_id: pending.company_id, order_id: pending.order_id });
    const client = new KountaClient({
      db,
      companyId: pending.company_id,
      ...kountaClientOptions(config),
      logger: log,
      deadline: Date.now() + PER_REDEMPTION_MS,
      fetch: options.fetch,
    });
    try {
      const landed = findRedemptionOnOrder(await client.getOrder(pending.order_id), pending.id);
      if (landed) {
        await confirmRedemption(db, { companyId: pending.company_id, redemptionId: pending.id, kountaRef: landed, now: Date.now() });
        summary.applied += 1;
        log.info("pending redemption settled: applied", { kounta_ref: landed });
      } else {
        await release(pending, "It was not on the order when checked later.");
      }
    } catch (err) {
      if (err instanceof KountaApiError && err.failure === "not_found") {
        await release(pending, "Kounta no longer has the order.");
      } else {
        summary.unresolved += 1;
        log.warn("pending redemption not settled yet", describeError(err));
        continue;
      }
    }
    await refreshMemberCard(db, cache, pending.company_id, pending.member_id).catch(() => undefined);

    async function release(p: typeof pending, reason: string) {
      await releaseRedemption(db, { companyId: p.company_id, redemptionId: p.id, reason, now: Date.now() });
      summary.released += 1;
      log.info("pending redemption settled: released", { reason });
    }
  }
  return summary;
}

export const settleRedemptionsJob: ScheduledJob = {
  name: "settle-redemptions",
  async run(env, logger) {
    const summary = await settlePendingRedemptions(env, logger);
    logger.info("settle-redemptions summary", { ...summary });
  },
};
