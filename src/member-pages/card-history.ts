import { count, shortDay } from "../dashboard/format";
import { isoDay } from "../loyalty/earning/expiry";
import type { CardHistoryRow } from "../loyalty/members/card-view";

// A ledger row in the member's own words, for their card page: "Earned 45 at Main Street",
// "Redeemed Free coffee", "Added by the café: Birthday". What the merchant sees (the dashboard's
// member history) names reasons and actors; a customer is told what happened, never who at the
// café did it nor the internal notes of a sale (only the reason written for a manual change).

export interface HistoryLine {
  /** "Earned 45 at Main Street" */
  text: string;
  /** "3 Dec" (UTC, as the dashboard counts days) */
  day: string;
  /** "+45", "−150" */
  amount: string;
}

export function historyLine(row: CardHistoryRow, programmeName: string): HistoryLine {
  return { text: historyText(row, programmeName), day: shortDay(isoDay(row.createdAt)), amount: signed(row.delta) };
}

function signed(n: number): string {
  if (n > 0) return `+${count(n)}`;
  // A true minus sign, read as "minus" by screen readers.
  return n < 0 ? `\u2212${count(-n)}` : "0";
}

function historyText(row: CardHistoryRow, programmeName: string): string {
  const reward = row.rewardTitle ?? "a reward";
  switch (row.reason) {
    case "earn":
      return `Earned ${count(row.delta)} at ${row.siteName ?? programmeName}`;
    case "redeem":
      return `Redeemed ${reward}`;
    case "expiry":
      return "Expired";
    case "reversal":
      switch (row.key) {
        case "refund":
          return "Taken back after a refund";
        case "unearn":
          return "Taken back: the sale was cancelled";
        case "return":
          return `Given back: the sale with ${reward} was cancelled`;
        case "release":
          return `Given back: ${reward} was not used`;
        default:
          return row.delta >= 0 ? "Given back" : "Taken back";
      }
    case "adjustment": {
      if (row.key === "opening") return "Opening balance";
      const reason = row.note?.trim() ? `: ${row.note.trim()}` : "";
      return row.delta >= 0 ? `Added by the café${reason}` : `Taken off by the café${reason}`;
    }
  }
}
