import { formatMoney } from "../../lib/money";

// A member's level as the POS shows it, from the catalogue's tiers and the member's card (the
// level kept on the row and the window total): the same rule as tierPositionSql (./window.ts), the
// higher of the two.

export interface CatalogueTier {
  id: string;
  name: string;
  threshold: number;
  position: number;
}

export interface TierStatus {
  tier: CatalogueTier | null;
  position: number;
  next: { tier: CatalogueTier; missing: number } | null;
}

/** A tier's position among the active ones; an unknown (removed) tier is out of reach. */
export function tierPosition(tiers: CatalogueTier[], tierId: string): number {
  return tiers.find((t) => t.id === tierId)?.position ?? Number.POSITIVE_INFINITY;
}

export function tierStatus(tiers: CatalogueTier[], stored: string | null | undefined, value: number): TierStatus | null {
  if (tiers.length === 0) return null;
  const kept = stored ? (tiers.find((t) => t.id === stored)?.position ?? -1) : -1;
  const reached = tiers.filter((t) => t.threshold <= value).reduce((most, t) => Math.max(most, t.position), -1);
  const position = Math.max(kept, reached);
  const tier = tiers.find((t) => t.position === position) ?? null;
  const above = tiers.find((t) => t.position > position);
  return { tier, position, next: above ? { tier: above, missing: Math.max(0, above.threshold - value) } : null };
}

/** "Gold: 120 Points to Platinum", "Platinum", "80 Points to Silver" (on the spend basis, money: "$45.00 to Platinum"). */
export function tierLine(status: TierStatus, format: { pointsLabel: string; basis?: "points" | "spend"; currency?: string }): string | null {
  const name = status.tier?.name ?? null;
  if (!status.next) return name;
  const missing = format.basis === "spend" ? formatMoney(status.next.missing, format.currency) : `${status.next.missing} ${format.pointsLabel}`;
  const toNext = `${missing} to ${status.next.tier.name}`;
  return name ? `${name}: ${toNext}` : toNext;
}
