import { createFactory } from "hono/factory";
import { z } from "zod";
import { ConfigError } from "../config";
import { describeError } from "../lib/logger";
import type { AppEnv, Services } from "../services";
import { redemptionKey } from "../loyalty/ledger/keys";
import { redeemLinkMessages as messages, redeemMessages, serviceMessages } from "../loyalty/cashier-messages";
import { redeemReward, type RedeemOutcome } from "../loyalty/redemption/redeem-reward";
import { parseOrderId } from "../kounta-api/ids";
import { kountaParams } from "./params";
import { verifyRedeemParams } from "./redeem-url";

// Reward redemption (CONTRACT.md section 3): the redeem_url we handed out in a lookup, with Kounta's
// real order id in place of the placeholder. Every answer is HTTP 200 with {success} or
// {success:false, error} for the cashier, whatever failed (an unexpected error included: it is
// logged, never shown). The whole call answers within 8 seconds.

const ANSWER_WITHIN_MS = 8_000;
const SAFETY_MARGIN_MS = 600;

// No parameter of a link we signed is this long: a cut or padded link.
const text = z.string().max(200, messages.invalid).optional();
export const redeemParams = z.object({
  company_id: text,
  site_id: text,
  reference_id: text,
  customer_id: text,
  reward_id: text,
  expires: text,
  nonce: text,
  sig: text,
  order_id: text,
  quantity: text,
  points: text,
  max_points: text,
});

const fail = (error: string): RedeemOutcome => ({ success: false, error });

export const redeemHandlers = createFactory<AppEnv>().createHandlers(
  kountaParams(redeemParams, (c, message) => c.json(fail(message), 200)),
  async (c) => {
    const deadline = Date.now() + ANSWER_WITHIN_MS - SAFETY_MARGIN_MS;
    const services = c.get("services");
    try {
      return c.json(await redeem(services, c.req.valid("query"), deadline, (promise) => c.executionCtx.waitUntil(promise)));
    } catch (err) {
      // redeemReward answers its own failures: what reaches here came before it (the configuration,
      // the link's check) or is a bug, when a reservation may exist: the cashier checks the order.
      const misconfigured = err instanceof ConfigError;
      services.logger.error(misconfigured ? "configuration invalid" : "redemption failed unexpectedly", describeError(err));
      return c.json(fail(misconfigured ? serviceMessages.misconfigured : redeemMessages.internal));
    }
  },
);

async function redeem(
  services: Services,
  p: z.output<typeof redeemParams>,
  deadline: number,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<RedeemOutcome> {
  const { config } = services;
  const keys = [config.REDEEM_SIGNING_KEY, config.REDEEM_SIGNING_KEY_PREVIOUS].filter((k): k is string => !!k);
  const check = await verifyRedeemParams(p, keys, Date.now());
  if (check !== "valid" || !p.company_id || !p.reference_id || !p.reward_id || !p.sig) {
    return fail(check === "expired" ? messages.expired : messages.invalid);
  }
  // One order, one id: `04001432` is the order `4001432`.
  const orderId = parseOrderId(p.order_id);
  if (orderId === null) return fail(messages.noOrder);

  // What the cashier was shown (signed): a fixed price, or a variable reward. A reward whose price or
  // kind changed since is refused.
  for (const shown of [p.points, p.max_points]) if (shown !== undefined && !/^\d{1,9}$/.test(shown)) return fail(messages.invalid);
  const expectedPoints = p.points === undefined ? null : Number(p.points);
  const expectedVariable = p.points !== undefined ? false : p.max_points !== undefined ? true : null;

  // A quantity means something only for a variable-quantity reward: with a fixed-price one (signed as
  // such, or found so when reserving) it is ignored, and never makes a retry a second redemption.
  let quantity: number | null = null;
  if (expectedVariable !== false && p.quantity !== undefined && p.quantity !== "") {
    if (!/^\d{1,9}$/.test(p.quantity) || Number(p.quantity) < 1) return fail(messages.quantity);
    quantity = Number(p.quantity);
  }

  return redeemReward(
    { db: services.db, cache: services.cache, config, logger: services.logger, metrics: services.metrics, deadline, waitUntil },
    {
      companyId: p.company_id,
      memberId: p.reference_id,
      rewardId: p.reward_id,
      orderId,
      siteId: p.site_id ?? null,
      kountaCustomerId: p.customer_id ?? null,
      quantity,
      expectedPoints,
      expectedVariable,
      // The same redeem URL (its signature) on the same order is one redemption: a retry. For a
      // variable-quantity reward the reservation adds the quantity to the key (":<quantity>"): another
      // number of points chosen on the same reward and order is another redemption.
      idempotencyKey: redemptionKey(orderId, p.sig),
      now: Date.now(),
    },
  );
}
