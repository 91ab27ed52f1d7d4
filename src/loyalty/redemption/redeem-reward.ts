import { sql } from "drizzle-orm";
import { kountaClientFor } from "../../kounta-api/client";
import { KountaApiError } from "../../kounta-api/errors";
import { describeError } from "../../lib/logger";
import { all, query } from "../../storage/sql";
import type { Database } from "../../storage/db";
import { applyRewardToOrder, DiscountNotPutBackError, RewardSetupError } from "./apply-reward";
import type { EarnDeps } from "../earning/earn-order";
import { refreshMemberCard } from "../cache";
import { orderStatusMessage, redeemMessages } from "../cashier-messages";
import { OrderStatusError } from "./order-status";
import { readBackRedemption } from "./read-back";
import { confirmRedemption, releaseRedemption, reservePoints, type RedeemRequest, type RedemptionRow, type Reservation } from "./redemption";

export type RedeemOutcome = { success: true } | { success: false; error: string };

export interface RedeemDeps extends EarnDeps {
  /** Keeps the cache write-through alive after the answer (ctx.waitUntil). */
  waitUntil: (promise: Promise<unknown>) => void;
}

const POLL_MS = 250;
/** How often a redemption waiting for its order tries again (one D1 batch each). */
const ORDER_POLL_MS = 100;
/** A redemption waiting for the order starts only with this much of its deadline left to apply itself. */
const TIME_TO_APPLY_MS = 1_500;

/**
 * Redeems one reward on one Kounta order, exactly once: reserve the points (one D1 batch), apply the
 * reward through the Kounta API, then confirm (one D1 batch) or release the points. An outcome
 * Kounta leaves unknown (no answer in time, an answer lost, a gateway's 5xx, a change only partly put
 * back) stays pending for the settling job, which reads the order later; the points are never lost
 * or spent twice. Never throws: every outcome is an answer for the cashier.
 */
export async function redeemReward(deps: RedeemDeps, request: RedeemRequest): Promise<RedeemOutcome> {
  const { db, logger } = deps;
  const log = logger.child({ company_id: request.companyId, order_id: request.orderId, reward_id: request.rewardId });
  let reservation: Reservation;
  try {
    reservation = await reserveWhenOrderFree(deps, request);
  } catch (err) {
    // The batch may have been applied before the error reached us: a reservation may exist.
    log.error("redemption could not be reserved", describeError(err));
    return { success: false, error: redeemMessages.internal };
  }

  if (reservation.outcome === "refused") {
    log.info("redemption refused", { reason: reservation.reason });
    return { success: false, error: reservation.reason };
  }
  if (reservation.outcome === "busy") {
    log.info("redemption refused", { reason: "order busy" });
    return { success: false, error: redeemMessages.orderBusy };
  }
  if (reservation.outcome === "existing") {
    log.info("redemption repeated", { redemption_id: reservation.redemption.id, status: reservation.redemption.status });
    // A variable reward's repeat is one only with the same number of points (the key says so).
    const sameQuantity = request.quantity !== null && reservation.redemption.points === request.quantity;
    return awaitOutcome(deps, request.companyId, reservation.redemption, sameQuantity).catch((err: unknown) => {
      log.error("redemption outcome could not be read", describeError(err));
      return { success: false, error: redeemMessages.internal };
    });
  }

  const { redemption, reward, company } = reservation;
  const rlog = log.child({ redemption_id: redemption.id, kind: reward.kind });
  const client = kountaClientFor(deps.config, db, {
    companyId: request.companyId,
    logger: rlog,
    metrics: deps.metrics,
    deadline: deps.deadline,
    fetch: deps.fetch,
    connection: company,
  });

  const settle = (result: RedeemOutcome) => {
    deps.waitUntil(refreshMemberCard(db, deps.cache, request.companyId, request.memberId).catch(() => undefined));
    return result;
  };
  // A D1 failure while closing the redemption leaves it pending: the settling job closes it later.
  const closing = async (close: () => Promise<RedeemOutcome>): Promise<RedeemOutcome> => {
    try {
      return await close();
    } catch (err) {
      rlog.error("redemption left pending: D1 failed while closing it", describeError(err));
      return settle({ success: false, error: redeemMessages.internal });
    }
  };
  // Confirming or releasing changes nothing once the redemption is no longer pending (the settling
  // job got to it first): then the answer is what it was settled to, not what this flow meant. The
  // reward on the order with its points given back is said as such: the cashier takes it off.
  const settledElsewhere = async (meant: "applied" | "released") => {
    const row = await readOutcome(db, request.companyId, redemption.id);
    rlog.warn("redemption already settled elsewhere", { meant, status: row?.status ?? null });
    if (meant === "applied" && row?.status === "failed") return settle({ success: false, error: redeemMessages.releasedMeanwhile });
    return settle(answerOf(row, redeemMessages.unconfirmed));
  };
  const release = (reason: string, cause?: unknown) =>
    closing(async () => {
      if (!(await releaseRedemption(db, { companyId: request.companyId, redemptionId: redemption.id, reason, now: Date.now() }))) {
        return settledElsewhere("released");
      }
      rlog.warn("redemption released", { reason, ...(cause ? describeError(cause) : {}) });
      return settle({ success: false, error: reason });
    });
  const confirm = (kountaRef: string) =>
    closing(async () => {
      if (!(await confirmRedemption(db, { companyId: request.companyId, redemptionId: redemption.id, kountaRef, now: Date.now() }))) {
        return settledElsewhere("applied");
      }
      rlog.info("redemption applied", { kounta_ref: kountaRef, points: redemption.points });
      return settle({ success: true });
    });
  const leavePending = (message: string, cause: unknown) => {
    rlog.warn("redemption left pending for settling", describeError(cause));
    return settle({ success: false, error: message });
  };
  // The change may have happened although it failed: the order says. Unreadable: pending. When
  // Kounta itself answered (a 500 in its own error shape, a 503), an order without the reward means
  // nothing happened. When the answer was lost, or a gateway answered (502, 504, a 5xx that is not
  // Kounta's: ./change-outcome.ts), the change may still be on its way: only the settling job, minutes
  // later, may give back. A cancelled order takes nothing more: the points come back.
  const readBack = async (cause: unknown, whenAbsent: "release" | "pending") => {
    try {
      const found = await readBackRedemption(client, { orderId: request.orderId, redemptionId: redemption.id, basisPoints: redemption.amount_cents });
      if (found.outcome === "applied") return await confirm(found.ref);
      if (found.outcome === "cancelled") return await release(orderStatusMessage("REJECTED"), cause);
      if (found.outcome === "absent" && whenAbsent === "release") return await release(redeemMessages.kountaFailed, cause);
      return leavePending(redeemMessages.unconfirmed, cause);
    } catch (checkErr) {
      return leavePending(redeemMessages.unconfirmed, checkErr);
    }
  };

  let ref: string;
  try {
    ref = await applyRewardToOrder(client, {
      redemptionId: redemption.id,
      orderId: request.orderId,
      reward,
      company,
      amountCents: redemption.amount_cents,
    });
  } catch (err) {
    if (err instanceof RewardSetupError || err instanceof OrderStatusError) return release(err.message, err);
    // Some lines kept a discount that could not be taken off again: never released on a guess.
    if (err instanceof DiscountNotPutBackError) return leavePending(redeemMessages.unconfirmed, err);
    if (!(err instanceof KountaApiError)) return leavePending(redeemMessages.internal, err);
    switch (err.failure) {
      case "timeout":
        // No answer: the change may still land after a read-back, so only the settling job decides.
        return leavePending(redeemMessages.unconfirmed, err);
      case "server_error":
        // Kounta's own failure: a gateway's 5xx to a change arrives as "uncertain" (./change-outcome.ts).
        return readBack(err, "release");
      case "uncertain":
        return readBack(err, "pending");
      case "not_sent":
      case "rate_limited":
        return release(redeemMessages.busy, err);
      case "network":
        return release(redeemMessages.kountaFailed, err);
      case "unauthorized":
        return release(redeemMessages.reconnect, err);
      case "not_found":
        return release(redeemMessages.orderNotFound, err);
      case "refused":
        return release(redeemMessages.orderRefused, err);
    }
  }
  return confirm(ref);
}

/**
 * Reserves, waiting while another redemption is changing the same order (one at a time per order),
 * as long as enough of the deadline would be left to apply this one; then the order is still busy.
 */
async function reserveWhenOrderFree(deps: RedeemDeps, request: RedeemRequest): Promise<Reservation> {
  for (;;) {
    const reservation = await reservePoints(deps.db, { ...request, now: Date.now() });
    if (reservation.outcome !== "busy" || Date.now() + ORDER_POLL_MS + TIME_TO_APPLY_MS > deps.deadline) return reservation;
    await new Promise((resolve) => setTimeout(resolve, ORDER_POLL_MS));
  }
}

type OutcomeRow = { status: string; failure_reason: string | null } | undefined;

async function readOutcome(db: Database, companyId: string, redemptionId: string): Promise<OutcomeRow> {
  const [row] = await all(
    db,
    query<{ status: string; failure_reason: string | null }>(sql`
      SELECT status, failure_reason FROM redemptions WHERE company_id = ${companyId} AND id = ${redemptionId}`),
  );
  return row;
}

/** The answer a redemption's row gives: applied, failed with its reason, or still pending (`pending`). */
function answerOf(row: OutcomeRow, pending: string): RedeemOutcome {
  if (row?.status === "applied") return { success: true };
  if (row?.status === "failed") return { success: false, error: row.failure_reason ?? redeemMessages.kountaFailed };
  return { success: false, error: pending };
}

/** A repeat of a redemption already under way or done: the first outcome, waited for within the deadline. */
async function awaitOutcome(deps: RedeemDeps, companyId: string, first: RedemptionRow, sameQuantity: boolean): Promise<RedeemOutcome> {
  let row: OutcomeRow = first;
  while (row?.status === "pending" && Date.now() + POLL_MS < deps.deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    row = await readOutcome(deps.db, companyId, first.id);
  }
  return answerOf(row, sameQuantity ? redeemMessages.sameQuantityUnconfirmed : redeemMessages.unconfirmed);
}
