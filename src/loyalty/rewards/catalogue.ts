import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { batch, query } from "../../storage/sql";
import { companyStatement, programmeFromRows, type CompanyRow, type Programme } from "../programme";
import { tierPosition, type CatalogueTier } from "../tiers/status";

// The reward catalogue: a company's programme with its active rewards, as the POS lists them.

export const MAX_SAVING_TOWARD = 3;

export interface CatalogueReward {
  id: string;
  title: string;
  terms: string | null;
  pointsRequired: number;
  variableQuantity: boolean;
  actionLabel: string | null;
  /** Only members of this tier and above are offered it (absent or null: every member). */
  minTierId?: string | null;
}

/** A company's programme as the POS sees it: its labels and its active rewards in display order. */
export interface RewardCatalogue extends Programme {
  rewards: CatalogueReward[];
  /** The company's cards generation (absent reads as 0): older cached cards are misses. */
  cardsGeneration?: number;
  /** The company's tiers, lowest first (absent: none, a catalogue cached before tiers). */
  tiers?: CatalogueTier[];
  tierBasis?: "points" | "spend";
  currency?: string;
}

export interface RewardRow {
  id: string;
  title: string;
  terms: string | null;
  points_required: number;
  variable_quantity: number;
  action_label: string | null;
  min_tier_id: string | null;
}

/** The statements that read a company's programme, to run inside one D1 batch. */
export function programmeStatements(companyId: string) {
  const company = companyStatement(companyId);
  const rewards = query<RewardRow>(sql`
    SELECT id, title, terms, points_required, variable_quantity, action_label, min_tier_id
    FROM rewards WHERE company_id = ${companyId} AND active = 1
    ORDER BY sort_order, id`);
  return { company, rewards };
}

/** A reward as the POS lists it, from its row (programmeStatements' rewards). */
export function catalogueReward(r: RewardRow): CatalogueReward {
  return {
    id: r.id,
    title: r.title,
    terms: r.terms,
    pointsRequired: r.points_required,
    variableQuantity: r.variable_quantity === 1,
    actionLabel: r.action_label,
    minTierId: r.min_tier_id,
  };
}

/** A company that has connected its Kounta account, with its reward catalogue; null otherwise. */
export function catalogueFromRows(companyRows: CompanyRow[], rewardRows: RewardRow[]): RewardCatalogue | null {
  const programme = programmeFromRows(companyRows);
  if (!programme) return null;
  return {
    ...programme,
    cardsGeneration: companyRows[0]!.cards_generation,
    tiers: companyRows[0]!.tiers_json ? (JSON.parse(companyRows[0]!.tiers_json) as CatalogueTier[]) : [],
    tierBasis: companyRows[0]!.tier_basis ?? "points",
    currency: companyRows[0]!.currency ?? "AUD",
    rewards: rewardRows.map(catalogueReward),
  };
}

export async function loadCatalogue(db: Database, companyId: string): Promise<RewardCatalogue | null> {
  const { company, rewards } = programmeStatements(companyId);
  const [companyRows, rewardRows] = await batch(db, [company, rewards]);
  return catalogueFromRows(companyRows, rewardRows);
}

export interface OfferedReward {
  reward: CatalogueReward;
  /** Points this redemption may spend at most (a variable reward is capped by the balance). */
  pointsRequired: number;
  /** Points still missing; 0 when the member can redeem it now. */
  missingPoints: number;
}

/**
 * What the POS lists for a member: every reward they can redeem now, in the merchant's order, then
 * at most three they are saving toward, nearest first. A variable-quantity reward is redeemable
 * with any balance of at least one point, up to the smaller of its cap and the balance. A reward of
 * a tier above the member's (`tier`: their level's position, -1 for none) is not offered at all.
 */
export function offerRewards(catalogue: RewardCatalogue, balance: number, tier = -1): OfferedReward[] {
  const now: OfferedReward[] = [];
  const later: OfferedReward[] = [];
  for (const reward of catalogue.rewards) {
    if (reward.minTierId && tierPosition(catalogue.tiers ?? [], reward.minTierId) > tier) continue;
    if (reward.variableQuantity) {
      if (balance >= 1) now.push({ reward, pointsRequired: Math.min(reward.pointsRequired, balance), missingPoints: 0 });
      else later.push({ reward, pointsRequired: reward.pointsRequired, missingPoints: 1 - balance });
    } else if (balance >= reward.pointsRequired) {
      now.push({ reward, pointsRequired: reward.pointsRequired, missingPoints: 0 });
    } else {
      later.push({ reward, pointsRequired: reward.pointsRequired, missingPoints: reward.pointsRequired - balance });
    }
  }
  later.sort((a, b) => a.missingPoints - b.missingPoints);
  return [...now, ...later.slice(0, MAX_SAVING_TOWARD)];
}
