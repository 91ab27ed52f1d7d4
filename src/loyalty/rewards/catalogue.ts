import { sql } from "drizzle-orm";
import type { Database } from "../storage/db";
import { batch, query } from "../storage/sql";
import type { CatalogueReward, LoyaltyCache, Programme, RewardCatalogue } from "../storage/cache";

export type { Programme };

export const DEFAULT_POINTS_LABEL = "Points";
export const MAX_SAVING_TOWARD = 3;

export interface CompanyRow {
  id: string;
  points_label: string;
  intro_text: string | null;
  connection_status: "connected" | "disconnected" | null;
  cards_generation: number;
}

export interface RewardRow {
  id: string;
  title: string;
  terms: string | null;
  points_required: number;
  variable_quantity: number;
  action_label: string | null;
}

/** The company's settings and connection, as one statement (for a D1 batch). */
export function companyStatement(companyId: string) {
  return query<CompanyRow>(sql`
    SELECT c.id, c.points_label, c.intro_text, k.status AS connection_status, c.cards_generation
    FROM companies c LEFT JOIN kounta_connections k ON k.company_id = c.id
    WHERE c.id = ${companyId}`);
}

/** The statements that read a company's programme, to run inside one D1 batch. */
export function programmeStatements(companyId: string) {
  const company = companyStatement(companyId);
  const rewards = query<RewardRow>(sql`
    SELECT id, title, terms, points_required, variable_quantity, action_label
    FROM rewards WHERE company_id = ${companyId} AND active = 1
    ORDER BY sort_order, id`);
  return { company, rewards };
}


/** The programme of a company that has connected its Kounta account; null otherwise. */
export function programmeFromRows(companyRows: CompanyRow[]): Programme | null {
  const company = companyRows[0];
  if (!company || company.connection_status !== "connected") return null;
  return { companyId: company.id, pointsLabel: company.points_label || DEFAULT_POINTS_LABEL, introText: company.intro_text };
}

/** A company that has connected its Kounta account, with its reward catalogue; null otherwise. */
export function catalogueFromRows(companyRows: CompanyRow[], rewardRows: RewardRow[]): RewardCatalogue | null {
  const programme = programmeFromRows(companyRows);
  if (!programme) return null;
  return {
    ...programme,
    cardsGeneration: companyRows[0]!.cards_generation,
    rewards: rewardRows.map(
      (r): CatalogueReward => ({
        id: r.id,
        title: r.title,
        terms: r.terms,
        pointsRequired: r.points_required,
        variableQuantity: r.variable_quantity === 1,
        actionLabel: r.action_label,
      }),
    ),
  };
}

export async function loadCatalogue(db: Database, companyId: string): Promise<RewardCatalogue | null> {
  const { company, rewards } = programmeStatements(companyId);
  const [companyRows, rewardRows] = await batch(db, [company, rewards]);
  return catalogueFromRows(companyRows, rewardRows);
}

/** Write-through after a change to a company's settings, rewards or connection. */
export async function refreshCatalogue(db: Database, cache: LoyaltyCache, companyId: string): Promise<void> {
  const catalogue = await loadCatalogue(db, companyId);
  if (catalogue) await cache.putCatalogue(catalogue);
  else await cache.deleteCatalogue(companyId);
}

/**
 * Makes every cached member card of the company a miss at once (after a change to more members than
 * one request can refresh card by card): the company's cards generation goes up and the catalogue,
 * which carries it, is written through in the same D1 round trip.
 */
export async function invalidateMemberCards(db: Database, cache: LoyaltyCache, companyId: string): Promise<void> {
  const { company, rewards } = programmeStatements(companyId);
  const bump = query(sql`UPDATE companies SET cards_generation = cards_generation + 1 WHERE id = ${companyId}`);
  const [, companyRows, rewardRows] = await batch(db, [bump, company, rewards]);
  const catalogue = catalogueFromRows(companyRows, rewardRows);
  if (catalogue) await cache.putCatalogue(catalogue);
  else await cache.deleteCatalogue(companyId);
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
 * with any balance of at least one point, up to the smaller of its cap and the balance.
 */
export function offerRewards(catalogue: RewardCatalogue, balance: number): OfferedReward[] {
  const now: OfferedReward[] = [];
  const later: OfferedReward[] = [];
  for (const reward of catalogue.rewards) {
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
