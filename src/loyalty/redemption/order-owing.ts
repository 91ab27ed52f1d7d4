import type { KountaOrder } from "../../kounta-api/types";
import { formatMoney } from "../../lib/money";
import { rewardSetupMessages as setup } from "../cashier-messages";

// What a loyalty payment or an amount off may take from an order: never more than the order still owes
// (its total less what has been paid). Kounta takes any payment (docs/kounta/REST-API.md: no check
// against the total) and a negative line takes the total below zero as readily, so more than what is
// owed would leave the customer in credit, change the till would pay out.
//
// - Points as payment: the cashier chose the number of points, so more than the order owes is refused,
//   with the most that can be used ("This order owes $15.40: use at most 1540 Points.").
// - An amount off, as its negative line or (when Kounta refuses that line) a loyalty payment: a voucher
//   takes off at most what is owed, so it is capped there (the reward's price in points is unchanged).
//   Owed, not the total: a line of the whole total on an order partly paid by card would leave the
//   card's payment over the new total, change again.
// - All: nothing owing (paid in full, a total of 0) is refused; so is an order whose total Kounta did
//   not say (what it owes is unknown). Refused before anything is sent, the points given back.

/** What the order still owes, in cents: its total less what has been paid; null when Kounta did not say its total. */
export function owedCents(order: KountaOrder): number | null {
  if (order.total === null || order.total === undefined) return null;
  const paidCents =
    order.paid !== null && order.paid !== undefined
      ? Math.round(order.paid * 100)
      : order.payments.reduce((sum, p) => sum + Math.round((p.amount ?? 0) * 100), 0);
  return Math.round(order.total * 100) - paidCents;
}

/** Why no loyalty payment at all can go on the order (nothing owing, or unknown), or null when it owes something. */
export function nothingToPay(owed: number | null): string | null {
  if (owed === null) return setup.owingUnknown;
  return owed <= 0 ? setup.nothingOwed : null;
}

/** Why a points payment of `cents` cannot go on an order owing `owed` cents, or null when it fits. */
export function pointsPaymentRefusal(
  owed: number | null,
  cents: number,
  company: { currency: string; point_value_cents: number; points_label: string },
): string | null {
  const none = nothingToPay(owed);
  if (none !== null || owed === null) return none;
  if (cents <= owed) return null;
  const most = Math.floor(owed / Math.max(1, company.point_value_cents));
  return setup.moreThanOwed(formatMoney(owed, company.currency), most, company.points_label);
}
