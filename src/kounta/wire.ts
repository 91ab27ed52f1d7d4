import { iconUrl } from "../loyalty/members/member-icons";
import type { MemberCard } from "../loyalty/members/card";
import type { OfferedReward, RewardCatalogue } from "../loyalty/rewards/catalogue";
import { tierLine, type TierStatus } from "../loyalty/tiers/status";

// Kounta's wire shapes (docs/kounta/CONTRACT.md). The POS parses these names: change nothing
// here without changing test/kounta/*.contract.test.ts with it.

export interface KountaMember {
  id: string;
  first_name: string;
  last_name?: string;
  email_address: string;
  current_points: string;
  points_label: string;
  icon_url?: string;
  intro_text?: string;
  params?: Record<string, string>;
}

export interface KountaReward {
  id: string;
  title: string;
  terms?: string;
  points_required: number;
  points_label: string;
  action_label: string;
  variable_quantity: boolean;
  redeem_url: string;
}

export interface CustomerSearchResponse {
  members: Record<string, KountaMember>;
}

export interface RewardLookupResponse {
  member: KountaMember;
  rewards: KountaReward[];
}

export const DEFAULT_ACTION_LABEL = "Redeem";

export function toKountaMember(
  card: MemberCard,
  programme: Pick<RewardCatalogue, "pointsLabel" | "introText" | "tierBasis" | "currency">,
  origin: string,
  /** The member's level (the reward lookup): "Tier" in params, and where they stand first in intro_text. */
  tier?: TierStatus | null,
): KountaMember {
  const member: KountaMember = {
    id: card.id,
    first_name: card.firstName,
    email_address: card.email ?? "",
    // Documented as a string of digits; a balance below zero (a reversed sale) shows as "0".
    current_points: String(Math.max(0, card.points)),
    points_label: programme.pointsLabel,
  };
  if (card.lastName) member.last_name = card.lastName;
  const icon = iconUrl(origin, card.companyId, card.id, card.iconVersion);
  if (icon) member.icon_url = icon;
  const standing = tier ? tierLine(tier, { pointsLabel: programme.pointsLabel, basis: programme.tierBasis, currency: programme.currency }) : null;
  const intro = [standing, programme.introText].filter(Boolean).join(" · ");
  if (intro) member.intro_text = intro;
  const params: Record<string, string> = {};
  if (tier?.tier) params.Tier = tier.tier.name;
  if (card.phone) params.Phone = card.phone;
  if (card.cardNumber) params.Card = card.cardNumber;
  if (card.points < 0) params.Owing = `${-card.points} ${programme.pointsLabel}`;
  if (card.expiring) params.Expiring = `${card.expiring.points} ${programme.pointsLabel} on ${card.expiring.on}`;
  if (Object.keys(params).length > 0) member.params = params;
  return member;
}

export function toKountaReward(offer: OfferedReward, pointsLabel: string, redeemUrl: string): KountaReward {
  const { reward, missingPoints } = offer;
  const terms =
    missingPoints > 0
      ? [`${missingPoints} more ${pointsLabel} needed.`, reward.terms].filter(Boolean).join(" ")
      : (reward.terms ?? undefined);
  const out: KountaReward = {
    id: reward.id,
    title: reward.title,
    points_required: offer.pointsRequired,
    points_label: pointsLabel,
    action_label: reward.actionLabel || DEFAULT_ACTION_LABEL,
    variable_quantity: reward.variableQuantity,
    redeem_url: redeemUrl,
  };
  if (terms) out.terms = terms;
  return out;
}
