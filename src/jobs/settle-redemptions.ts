import { loadConfig, type Config } from "../config";
import { kountaClientFor, type KountaClient } from "../kounta-api/client";
import { KountaApiError } from "../kounta-api/errors";
import { describeError, type Logger } from "../lib/logger";
import { settleReasons } from "../loyalty/cashier-messages";
import { claimOrder, clearExpiredClaims, releaseOrder } from "../loyalty/redemption/order-claims";
import { readBackRedemption } from "../loyalty/redemption/read-back";
import {
  confirmRedemption,
  findStalePendingRedemptions,
  postponeSettling,
  releaseRedemption,
  type PendingRedemption,
} from "../loyalty/redemption/redemption";
import { LoyaltyCache, refreshMemberCard } from "../loyalty/cache";
import { openPrimaryDatabase, type Database } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

/** A redemption still pending this long after it started was left behind by a crash or a timeout. */
export const SETTLE_AFTER_MS = 2 * 60_000;
const BATCH = 50;
const PER_REDEMPTION_MS = 10_000;

export interface SettleSummary {
  applied: number;
  released: number;
  unresolved: number;
}

type Settled = "applied" | "released" | "unresolved";

/**
 * Settles redemptions left pending: reads each one's order from Kounta and confirms it when all of
 * it is there (every line of a percent-off), or gives the points back when it is not (a partial
 * discount is put back first), or when the order was cancelled (REJECTED) or deleted meanwhile. When
 * Kounta cannot tell (down, slow, rate limiting, tokens refused), or a partial discount cannot be put
 * back, or our own D1 fails for one of them, the redemption stays pending and is tried again on a
 * later run, backing off, so rows that cannot be settled yet never hold up the others. A
 * disconnected company's redemptions are not tried at all: they wait until it reconnects.
 */
export async function settlePendingRedemptions(
  env: Env,
  logger: Logger,
  options: { now?: number; fetch?: typeof fetch; limit?: number } = {},
): Promise<SettleSummary> {
  const config = loadConfig(env);
  const db = openPrimaryDatabase(env.DB);
  const cache = new LoyaltyCache(env.CACHE);
  const now = options.now ?? Date.now();
  const summary: SettleSummary = { applied: 0, released: 0, unresolved: 0 };

  await clearExpiredClaims(db, Date.now()).catch((err: unknown) => logger.warn("expired order claims not cleared", describeError(err)));
  const due = await findStalePendingRedemptions(db, { olderThan: now - SETTLE_AFTER_MS, now, limit: options.limit ?? BATCH });
  for (const pending of due) {
    const log = logger.child({ redemption_id: pending.id, company_id: pending.company_id, order_id: pending.order_id });
    const settled = await settleDue({ db, config, fetch: options.fetch, now }, pending, log);
    summary[settled] += 1;
    if (settled !== "unresolved") await refreshMemberCard(db, cache, pending.company_id, pending.member_id).catch(() => undefined);
  }
  return summary;
}

interface SettleDeps {
  db: Database;
  config: Config;
  fetch?: typeof fetch;
  /** The run's time: when a postponed redemption is due again is counted from it. */
  now: number;
}

/**
 * One due redemption, whatever fails: never throws, so one order's failure (Kounta's, or our own
 * D1's) cannot stop the run before the others. What is not settled is postponed.
 */
async function settleDue(deps: SettleDeps, pending: PendingRedemption, log: Logger): Promise<Settled> {
  const { db } = deps;
  // Reading the order and putting lines back is a change of the order like any redemption's: one
  // at a time. An order another redemption is changing right now is left for the next run.
  const claim = { companyId: pending.company_id, orderId: pending.order_id, holderId: pending.id };
  let settled: Settled;
  try {
    if (!(await claimOrder(db, { ...claim, now: Date.now() }))) {
      log.info("pending redemption left for the next run: its order is being changed");
      return "unresolved";
    }
    const client = kountaClientFor(deps.config, db, {
      companyId: pending.company_id,
      logger: log,
      deadline: Date.now() + PER_REDEMPTION_MS,
      fetch: deps.fetch,
    });
    settled = await settleOne(db, client, pending, log);
  } catch (err) {
    log.warn("pending redemption not settled yet", { attempts: pending.settle_attempts + 1, ...describeError(err) });
    settled = "unresolved";
  }
  if (settled === "unresolved") {
    await releaseOrder(db, claim).catch(() => undefined);
    await postponeSettling(db, { companyId: pending.company_id, redemptionId: pending.id, now: deps.now }).catch((err: unknown) =>
      log.warn("pending redemption could not be postponed", describeError(err)),
    );
  }
  return settled;
}

/** One pending redemption, settled by what its order says. Throws when Kounta cannot tell. */
async function settleOne(db: Database, client: KountaClient, pending: PendingRedemption, log: Logger): Promise<Settled> {
  // Both close the redemption only while it is pending: false when something else closed it first
  // (the redemption itself, late), and then this run settled nothing.
  const release = async (reason: string) => {
    if (!(await releaseRedemption(db, { companyId: pending.company_id, redemptionId: pending.id, reason, now: Date.now() }))) {
      log.info("pending redemption already settled elsewhere", { meant: "released" });
      return "unresolved" as const;
    }
    log.info("pending redemption settled: released", { reason });
    return "released" as const;
  };
  try {
    const found = await readBackRedemption(client, {
      orderId: pending.order_id,
      redemptionId: pending.id,
      basisPoints: pending.kind === "percent_off" ? pending.amount_cents : null,
    });
    switch (found.outcome) {
      case "applied":
        if (!(await confirmRedemption(db, { companyId: pending.company_id, redemptionId: pending.id, kountaRef: found.ref, now: Date.now() }))) {
          log.info("pending redemption already settled elsewhere", { meant: "applied" });
          return "unresolved";
        }
        log.info("pending redemption settled: applied", { kounta_ref: found.ref });
        return "applied";
      case "cancelled":
        // Released, never confirmed: undoing a rejected order (the catch-up) returns only applied
        // redemptions, so this is the one place these points come back, and they come back once.
        if (found.found !== "none") log.warn("redemption found on a cancelled order", { found: found.found });
        return release(settleReasons.cancelled);
      case "absent":
        if (found.partial !== "none") log.warn("partial discount found on the order", { partial: found.partial });
        return release(settleReasons[found.partial === "none" ? "absent" : found.partial]);
      case "unknown":
        log.warn("pending redemption not settled yet: a partial discount could not be put back", { attempts: pending.settle_attempts + 1 });
        return "unresolved";
    }
  } catch (err) {
    if (err instanceof KountaApiError && err.failure === "not_found") return release(settleReasons.gone);
    throw err;
  }
}

export const settleRedemptionsJob: ScheduledJob = {
  name: "settle-redemptions",
  async run(env, logger) {
    const summary = await settlePendingRedemptions(env, logger);
    logger.info("settle-redemptions summary", { ...summary });
  },
};
