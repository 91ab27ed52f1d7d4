import { refusalMessages as refusal } from "../cashier-messages";
import { limitRefusal, type LimitState } from "./limits";

/** What of the request, the reward and the company the sentences need (redemption.ts's rows have them). */
type RedeemRequest = { quantity: number | null; expectedPoints?: number | null; expectedVariable?: boolean | null };
type RewardDetails = { active: number; variable_quantity: number; points_required: number };
type CompanySettings = { connection_status: string | null; points_label: string };

// Why a reservation reserved nothing, as the cashier reads it: the plain reasons first (the
// company, the member, the reward as shown, a quantity the reward cannot take), then the reward's
// tier and the limits, then the balance.

/** Why nothing was reserved, as the cashier reads it (and which limit, if one); null when the member could have had it (the order was busy). */
export function refusalReason(
  r: RedeemRequest,
  found: { reward?: RewardDetails; member?: { points: number; status: string }; company?: CompanySettings; limits?: LimitState },
): { reason: string; limit?: string } | null {
  const reason = plainRefusal(r, found);
  if (reason !== undefined) return reason === null ? null : { reason };
  const { reward, company, limits } = found;
  // A quantity that this reward cannot take at all (none, or over its cap) is the reason, whatever the limits.
  const q = r.quantity ?? 0;
  if (reward!.variable_quantity === 1 && (q < 1 || q > reward!.points_required)) {
    const invalid = balanceRefusal(r, found);
    if (invalid !== null) return { reason: invalid };
  }
  const cost = reward!.variable_quantity === 1 ? q : reward!.points_required;
  const limited = limitRefusal(limits, cost, company!.points_label || "Points");
  if (limited) return limited;
  const balance = balanceRefusal(r, found);
  return balance === null ? null : { reason: balance };
}

/** The refusals that come before the tier and the limits; undefined when none applies. */
function plainRefusal(
  r: RedeemRequest,
  found: { reward?: RewardDetails; member?: { points: number; status: string }; company?: CompanySettings },
): string | undefined {
  const { reward, member, company } = found;
  if (!company || company.connection_status !== "connected") return refusal.notConnected;
  if (!member) return refusal.notMember;
  if (member.status !== "active") return refusal.inactive;
  if (!reward || reward.active !== 1) return refusal.unavailable;
  const expected = r.expectedPoints ?? null;
  const expectedVariable = r.expectedVariable ?? null;
  const kindChanged = expectedVariable !== null && (reward.variable_quantity === 1) !== expectedVariable;
  if (kindChanged || (reward.variable_quantity !== 1 && expected !== null && reward.points_required !== expected)) {
    return refusal.changed;
  }
  return undefined;
}

/** The balance's refusal (or the variable quantity's); null when the points were there. */
function balanceRefusal(
  r: RedeemRequest,
  found: { reward?: RewardDetails; member?: { points: number; status: string }; company?: CompanySettings },
): string | null {
  const reward = found.reward!;
  const member = found.member!;
  const company = found.company!;
  const label = company.points_label || "Points";
  const balance = Math.max(0, member.points);
  if (reward.variable_quantity === 1) {
    const q = r.quantity ?? 0;
    if (q < 1) return refusal.chooseHowMany(label);
    // The balance first: when both apply, it is the number the cashier can act on.
    if (q > member.points) return refusal.notEnough(label, balance, q);
    if (q > reward.points_required) return refusal.atMost(reward.points_required, label);
    return null;
  }
  if (reward.points_required > member.points) return refusal.notEnough(label, balance, reward.points_required);
  return null;
}

