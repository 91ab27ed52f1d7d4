import type { RewardKind } from "../../storage/schema";
import { orderStatusMessage } from "../cashier-messages";

// Which Kounta orders may take which reward: the one rule, consulted wherever the redemption learns
// the order's status (before an amount off, a percent off or a payment, and when Kounta refuses a line).
//
// - A line (free product, amount off) or a change of lines (percent off) needs an order whose lines
//   can still change: SUBMITTED, ON_HOLD or PENDING (Kounta: "lines can change only before the order
//   is accepted").
// - Points as payment may also go on an ACCEPTED order (accepted by the venue, not yet paid: table
//   service pays at the end). Kounta takes payments on a COMPLETE order too, but a finished sale has
//   nothing left to pay: points spent there would buy nothing.
// - Nothing goes on a COMPLETE or REJECTED order, nor on a status Kounta may add later (unknown here).

const LINES_CAN_CHANGE: ReadonlySet<string> = new Set(["SUBMITTED", "ON_HOLD", "PENDING"]);
const CAN_BE_PAID: ReadonlySet<string> = new Set([...LINES_CAN_CHANGE, "ACCEPTED"]);

const TAKES: Record<RewardKind, ReadonlySet<string>> = {
  free_product: LINES_CAN_CHANGE,
  amount_off: LINES_CAN_CHANGE,
  percent_off: LINES_CAN_CHANGE,
  points_payment: CAN_BE_PAID,
};

/** The order cannot take this kind of reward in its status: nothing was changed. */
export class OrderStatusError extends Error {
  override name = "OrderStatusError";
  constructor(readonly status: string) {
    super(orderStatusMessage(status));
  }
}

export function orderTakesReward(kind: RewardKind, status: string): boolean {
  return TAKES[kind].has(status.toUpperCase());
}

/** Throws OrderStatusError when the order's status cannot take this kind of reward. */
export function assertOrderTakesReward(kind: RewardKind, status: string): void {
  if (!orderTakesReward(kind, status)) throw new OrderStatusError(status);
}
