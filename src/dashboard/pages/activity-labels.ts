import type { RedemptionListRow } from "../../loyalty/ledger/ledger-queries";
import type { MemberLabel } from "../../loyalty/members/member-names";
import { formatMoney } from "../../lib/money";
import type { LedgerReason, RedemptionStatus } from "../../storage/schema";
import { memberName } from "../format";

// How the Activity page and its downloads word a ledger row and a redemption (the same words as a
// member's history on the member page, ./member-history.tsx, which uses them too).

export const reasonLabels: Record<LedgerReason, string> = {
  earn: "Earned on a sale",
  redeem: "Spent on a reward",
  reversal: "Given back or taken back",
  adjustment: "Changed by hand",
  expiry: "Expired",
};

export const redemptionStatusLabels: Record<RedemptionStatus, string> = { pending: "Waiting for Kounta", applied: "Applied", failed: "Failed" };

const actorKinds: Record<string, string> = { dashboard: "Dashboard", api_key: "API key", staff: "Staff", import: "Import" };

/** "Dashboard · 1a2b3c", "API key · key_..."; an actor of another shape as it is written. */
export function actorLabel(actor: string | null): string {
  if (!actor) return "";
  const [kind, ...rest] = actor.split(":");
  const label = kind !== undefined ? actorKinds[kind] : undefined;
  return label && rest.length ? `${label} · ${rest.join(":")}` : actor;
}

/** What a redemption was worth: money off or paid (cents), a percentage (basis points), nothing for a free product. */
export function redemptionValue(row: Pick<RedemptionListRow, "kind" | "amount_cents">, currency: string): string {
  if (row.amount_cents === null) return "";
  return row.kind === "percent_off" ? `${row.amount_cents / 100}% off` : formatMoney(row.amount_cents, currency);
}

/** A member's name as the lists show it; null when the member was not found. */
export function memberLabelName(label: MemberLabel | undefined): string | null {
  return label ? memberName(label.firstName, label.lastName) : null;
}
