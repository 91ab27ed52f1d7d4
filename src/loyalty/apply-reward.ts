import type { KountaClient } from "../kounta-api/client";
import { KountaApiError } from "../kounta-api/errors";
import { EDITABLE_ORDER_STATUSES, type KountaOrder } from "../kounta-api/types";
import type { CompanySettings, RewardDetails } from "./redemption";

// How each kind of reward changes the Kounta order, with as few calls as the kind allows. Every line
// or payment we add or change carries the redemption id (line notes, payment ref), so the order
// itself says whether a redemption landed: the settling job reads it back.

/** The reward is not set up well enough to be applied (a merchant's fix, not a cashier's). */
export class RewardSetupError extends Error {
  override name = "RewardSetupError";
}

export interface ApplyInput {
  redemptionId: string;
  orderId: string;
  reward: RewardDetails;
  company: CompanySettings;
  /** Cents off (amount_off), basis points off (percent_off) or cents paid (points_payment). */
  amountCents: number | null;
}

export function redemptionNote(redemptionId: string, title: string): string {
  return `Loyalty reward ${redemptionId}: ${title}`.slice(0, 250);
}

/** Applies the reward; answers where it landed ("line:3", "lines:1,2", "payment:991"). */
export async function applyRewardToOrder(client: KountaClient, input: ApplyInput): Promise<string> {
  const { reward, company, orderId, redemptionId } = input;
  const notes = redemptionNote(redemptionId, reward.title);
  switch (reward.kind) {
    case "free_product": {
      if (!reward.product_id) throw new RewardSetupError("This reward has no product set up. Ask the manager to fix it.");
      const res = await client.addLine(orderId, { product_id: reward.product_id, quantity: 1, unit_price: 0, notes });
      return `line:${lastSegment(res.location)}`;
    }
    case "amount_off": {
      if (!company.reward_product_id) throw new RewardSetupError("No reward product is set up for discounts. Ask the manager to fix it.");
      if (!input.amountCents || input.amountCents <= 0) throw new RewardSetupError("This reward has no amount set up. Ask the manager to fix it.");
      // Kounta's unit_price is ex tax: set the reward product up tax-free so the amount is exact.
      try {
        const res = await client.addLine(orderId, {
          product_id: company.reward_product_id,
          quantity: 1,
          unit_price: -input.amountCents / 100,
          notes,
        });
        return `line:${lastSegment(res.location)}`;
      } catch (err) {
        // Whether Kounta accepts a negative unit_price is unpublished. If it refuses the line while
        // the order can still change, take the amount off as a loyalty payment instead.
        if (!(err instanceof KountaApiError && err.failure === "refused")) throw err;
        const order = await client.getOrder(orderId);
        if (!EDITABLE_ORDER_STATUSES.has(order.status)) throw err;
        return payWithLoyalty(client, input, input.amountCents);
      }
    }
    case "percent_off":
      return applyPercentOff(client, input, notes);
    case "points_payment":
      if (!input.amountCents || input.amountCents <= 0) throw new RewardSetupError("Points have no value set up. Ask the manager to fix it.");
      return payWithLoyalty(client, input, input.amountCents);
  }
}

async function payWithLoyalty(client: KountaClient, input: ApplyInput, cents: number): Promise<string> {
  // Without a configured method, Kounta uses our add-on's own payment method.
  const res = await client.addPayment(input.orderId, {
    ...(input.company.loyalty_payment_method_id ? { method_id: input.company.loyalty_payment_method_id } : {}),
    amount: cents / 100,
    ref: input.redemptionId,
  });
  return `payment:${lastSegment(res.location)}`;
}

async function applyPercentOff(client: KountaClient, input: ApplyInput, notes: string): Promise<string> {
  const basisPoints = input.amountCents ?? 0;
  if (basisPoints <= 0 || basisPoints > 10_000) throw new RewardSetupError("This reward has no percentage set up. Ask the manager to fix it.");
  const order = await client.getOrder(input.orderId);
  if (!EDITABLE_ORDER_STATUSES.has(order.status)) throw new KountaApiError("refused", `Order is ${order.status}`);
  const lines = order.lines.filter((l) => (l.unit_price ?? 0) > 0);
  if (lines.length === 0) throw new RewardSetupError("The order has nothing to discount yet. Add the items first.");

  const factor = 1 - basisPoints / 10_000;
  const changed: typeof lines = [];
  try {
    for (const line of lines) {
      await client.updateLine(input.orderId, line.number, {
        price_variation: Math.round((line.price_variation ?? 1) * factor * 10_000) / 10_000,
        notes: [line.notes, notes].filter(Boolean).join(" | ").slice(0, 250),
      });
      changed.push(line);
    }
  } catch (err) {
    // Put back what was changed, so a failed redemption leaves the order as it was.
    for (const line of changed) {
      await client
        .updateLine(input.orderId, line.number, { price_variation: line.price_variation ?? 1, notes: line.notes ?? "" })
        .catch(() => undefined);
    }
    throw err;
  }
  return `lines:${changed.map((l) => l.number).join(",")}`;
}

/** Where a redemption shows on an order, or null when it is not there. */
export function findRedemptionOnOrder(order: KountaOrder, redemptionId: string): string | null {
  const lines = order.lines.filter((l) => l.notes?.includes(redemptionId));
  if (lines.length > 0) return lines.length === 1 ? `line:${lines[0]!.number}` : `lines:${lines.map((l) => l.number).join(",")}`;
  const payment = order.payments.find((p) => p.ref === redemptionId);
  return payment ? `payment:${payment.id}` : null;
}

function lastSegment(location: string | null): string {
  if (!location) return "?";
  const path = location.split("?")[0]!.replace(/\.json$/, "");
  return path.slice(path.lastIndexOf("/") + 1) || "?";
}
