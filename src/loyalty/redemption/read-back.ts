import type { KountaClient } from "../../kounta-api/client";
import type { KountaOrder, KountaOrderLine } from "../../kounta-api/types";
import { ourSegment, putBack, redemptionMark, withoutSegment } from "./apply-reward";
import { orderTakesReward } from "./order-status";

// Reading an order back for a redemption whose outcome is unknown (a change unanswered, a gateway's
// 5xx, a crash): the redeem flow right after its change, the settling job minutes later. The order
// itself says what happened: our lines carry the redemption id in their notes, our payments in `ref`.

/** What an order shows of a redemption. */
export type OnOrder =
  | { found: "all"; ref: string }
  | { found: "none" }
  /** A percent-off on some of the lines it was meant for: these. */
  | { found: "part"; lines: KountaOrderLine[] };

/** Where a redemption shows on an order: all of it, none, or part of a percent-off. */
export function findRedemptionOnOrder(order: KountaOrder, redemptionId: string): OnOrder {
  const mark = redemptionMark(redemptionId);
  const lines = order.lines.filter((l) => l.notes?.includes(mark));
  if (lines.length > 0) {
    const ref = lines.length === 1 ? `line:${lines[0]!.number}` : `lines:${lines.map((l) => l.number).join(",")}`;
    // A percent-off says on each line how many lines it discounts (notes before it did not).
    const count = Math.max(0, ...lines.map((l) => Number(new RegExp(`${mark} \\(\\d+/(\\d+)[,)]`).exec(l.notes!)?.[1] ?? 0)));
    return count > lines.length ? { found: "part", lines } : { found: "all", ref };
  }
  const payment = order.payments.find((p) => p.ref === redemptionId);
  return payment ? { found: "all", ref: `payment:${payment.id}` } : { found: "none" };
}

/** What reading the order settled about a redemption whose outcome was unknown. */
export type ReadBack =
  | { outcome: "applied"; ref: string }
  /**
   * The order was cancelled (REJECTED): whatever of the redemption is on it buys nothing, and Kounta
   * takes no more lines or payments on it, so the points come back (`found`: what is on it).
   */
  | { outcome: "cancelled"; found: OnOrder["found"] }
  /**
   * Not all on the order: nothing of it, or part of a percent-off, since taken off again ("undone") or
   * left on an order that can no longer change ("kept").
   */
  | { outcome: "absent"; partial: "none" | "undone" | "kept" }
  /** A partial discount could not be put back: still unknown. */
  | { outcome: "unknown" };

/**
 * Reads the order for a redemption: applied when all of it is there, absent when none is. A
 * percent-off found on only some of its lines is put back first; if the order can no longer change
 * (completed or voided meanwhile) it cannot be, and the points come back all the same: a member never
 * pays the full price for part of a discount. A cancelled (REJECTED) order is never "applied", even
 * with the reward on it: confirming would spend the points on an order that sells nothing (and the
 * catch-up may have undone the order already, returning only what was applied then). Throws when the
 * order cannot be read.
 */
export async function readBackRedemption(
  client: KountaClient,
  input: { orderId: string; redemptionId: string; basisPoints: number | null },
): Promise<ReadBack> {
  const order = await client.getOrder(input.orderId);
  const found = findRedemptionOnOrder(order, input.redemptionId);
  if (order.status.toUpperCase() === "REJECTED") return { outcome: "cancelled", found: found.found };
  if (found.found === "all") return { outcome: "applied", ref: found.ref };
  if (found.found === "none") return { outcome: "absent", partial: "none" };
  if (!orderTakesReward("percent_off", order.status)) return { outcome: "absent", partial: "kept" };
  const factor = 1 - (input.basisPoints ?? 0) / 10_000;
  const mark = redemptionMark(input.redemptionId);
  const restore: { number: number; price_variation: number; notes: string }[] = [];
  for (const line of found.lines) {
    const notes = line.notes ?? "";
    const segment = ourSegment(notes, mark);
    const variation = variationBefore(line.price_variation ?? 1, factor, segment.text);
    // Neither recorded nor computable (a 100% discount changed since): only a person can tell.
    if (variation === null) return { outcome: "unknown" };
    restore.push({ number: line.number, price_variation: variation, notes: withoutSegment(notes, segment) });
  }
  const restored = await putBack(client, input.orderId, restore);
  return restored ? { outcome: "absent", partial: "undone" } : { outcome: "unknown" };
}

/**
 * The line's price variation without our discount. The value it had is in our note ("was 0.8765"):
 * exact when the line still holds what we set. When something changed it since (another discount
 * on top), ours is divided out of what is there now, keeping the other change; a 100% discount
 * cannot be divided out, so then null.
 */
function variationBefore(current: number, factor: number, segment: string): number | null {
  const was = /, was (\d+(?:\.\d+)?)\)/.exec(segment)?.[1];
  if (was !== undefined && Math.abs(Math.round(Number(was) * factor * 10_000) / 10_000 - current) < 1e-9) return Number(was);
  if (factor <= 0) return null;
  return Math.round((current / factor) * 10_000) / 10_000;
}
