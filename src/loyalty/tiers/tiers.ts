import { sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { all, batch, query, type Query } from "../../storage/sql";
import { invalidateMemberCards, type LoyaltyCache } from "../cache";

// A company's tiers: up to six ordered levels, each a name, a threshold and an earning multiplier,
// and what they count (the basis and the window). Written as a whole (PUT /admin/v1/tiers): a tier
// kept keeps its id (its members and rewards stay with it); one left out is marked removed, never
// deleted, so history still names it.

export const MAX_TIERS = 6;

export type TierBasis = "points" | "spend";
export type TierWindow = "rolling" | "calendar_year";

export interface TierLevel {
  id: string;
  name: string;
  threshold: number;
  multiplier: number;
  position: number;
}

export interface TierProgramme {
  basis: TierBasis;
  window: TierWindow;
  windowMonths: number;
  tiers: TierLevel[];
}

export interface TierInput {
  /** An existing tier of the company, to keep (its members and rewards stay with it). */
  id?: string;
  name: string;
  threshold: number;
  multiplier: number;
}

export type PutTiersResult =
  | { outcome: "saved"; programme: TierProgramme }
  | { outcome: "unknown_tier"; id: string }
  /** A tier left out is still what an active reward needs. */
  | { outcome: "in_use"; tier: string; reward: string }
  /** The tiers (or a reward's tier) changed between reading and writing: nothing was changed. */
  | { outcome: "changed_meanwhile" };

export async function getTierProgramme(db: Database, companyId: string): Promise<TierProgramme | null> {
  const [companies, tiers] = await batch(db, [
    query<{ tier_basis: TierBasis; tier_window: TierWindow; tier_window_months: number }>(sql`
      SELECT tier_basis, tier_window, tier_window_months FROM companies WHERE id = ${companyId}`),
    activeTiersSql(companyId),
  ]);
  const c = companies[0];
  if (!c) return null;
  return { basis: c.tier_basis, window: c.tier_window, windowMonths: c.tier_window_months, tiers };
}

export function activeTiersSql(companyId: string): Query<TierLevel> {
  return query<TierLevel>(sql`
    SELECT id, name, threshold, multiplier, position FROM tiers
    WHERE company_id = ${companyId} AND removed_at IS NULL ORDER BY position`);
}

/**
 * Replaces the company's tiers. Every member with something toward a level is reviewed by the cron
 * at its next run (their levels are recorded then); what the POS shows follows at once, as a
 * level reads the window total as well as the stored level.
 */
export async function putTierProgramme(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; basis: TierBasis; window: TierWindow; windowMonths: number; tiers: TierInput[] },
  now = Date.now(),
): Promise<PutTiersResult> {
  const { companyId } = input;
  const [current, usedBy, versions] = await batch(db, [
    activeTiersSql(companyId),
    query<{ tier_id: string; tier_name: string; title: string }>(sql`
      SELECT rw.min_tier_id AS tier_id, t.name AS tier_name, rw.title FROM rewards rw JOIN tiers t ON t.id = rw.min_tier_id
      WHERE rw.company_id = ${companyId} AND rw.active = 1 AND rw.min_tier_id IS NOT NULL`),
    query<{ tiers_version: string }>(sql`SELECT tiers_version FROM companies WHERE id = ${companyId}`),
  ]);
  const known = new Set(current.map((t) => t.id));
  for (const tier of input.tiers) if (tier.id && !known.has(tier.id)) return { outcome: "unknown_tier", id: tier.id };
  const kept = new Set(input.tiers.flatMap((t) => (t.id ? [t.id] : [])));
  const needed = usedBy.find((u) => !kept.has(u.tier_id));
  if (needed) return { outcome: "in_use", tier: needed.tier_name, reward: needed.title };

  // The write claims the tiers as read (their version) with a token of its own, and every statement
  // after runs only under that token: a write that came between, or a reward made for a tier being
  // removed meanwhile, makes this one change nothing (and it says so).
  const removed = current.filter((t) => !kept.has(t.id)).map((t) => t.id);
  const token = newId("tv");
  const ours = sql`(SELECT tiers_version FROM companies WHERE id = ${companyId}) = ${token}`;
  const statements: Query<unknown>[] = [
    query(sql`
      UPDATE companies SET tiers_version = ${token}
      WHERE id = ${companyId} AND tiers_version = ${versions[0]?.tiers_version ?? ""}
        AND NOT EXISTS (SELECT 1 FROM rewards rw WHERE rw.company_id = ${companyId} AND rw.active = 1
          AND rw.min_tier_id IN (SELECT value FROM json_each(${JSON.stringify(removed)})))`),
  ];
  input.tiers.forEach((tier, position) => {
    if (tier.id) {
      statements.push(query(sql`
        UPDATE tiers SET position = ${position}, name = ${tier.name}, threshold = ${tier.threshold}, multiplier = ${tier.multiplier}, updated_at = ${now}
        WHERE company_id = ${companyId} AND id = ${tier.id} AND ${ours}`));
    } else {
      statements.push(query(sql`
        INSERT INTO tiers (id, company_id, position, name, threshold, multiplier, created_at, updated_at)
        SELECT ${newId("tier")}, ${companyId}, ${position}, ${tier.name}, ${tier.threshold}, ${tier.multiplier}, ${now}, ${now} WHERE ${ours}`));
    }
  });
  for (const id of removed) {
    statements.push(query(sql`UPDATE tiers SET removed_at = ${now} WHERE company_id = ${companyId} AND id = ${id} AND ${ours}`));
  }
  statements.push(
    query(sql`
      UPDATE companies SET tier_basis = ${input.basis}, tier_window = ${input.window}, tier_window_months = ${input.windowMonths}, updated_at = ${now}
      WHERE id = ${companyId} AND ${ours}`),
    // Everyone the new levels may concern is reviewed next run (a level kept, a floor, a window total).
    query(sql`
      UPDATE members AS m SET tier_review_at = ${now}
      WHERE m.company_id = ${companyId} AND ${ours} AND (m.tier_id IS NOT NULL OR m.tier_floor_id IS NOT NULL OR m.tier_review_at IS NOT NULL
        OR EXISTS (SELECT 1 FROM member_tier_months b WHERE b.company_id = m.company_id AND b.member_id = m.id))`),
    query<{ applied: number }>(sql`SELECT ${ours} AS applied`),
  );
  const results = await batch(db, statements);
  if ((results.at(-1) as { applied: number }[])[0]?.applied !== 1) return { outcome: "changed_meanwhile" };
  // Cards carry the level kept on the row and the window total, read under the old tiers: every card goes, the catalogue with them.
  await invalidateMemberCards(db, cache, companyId);
  const programme = await getTierProgramme(db, companyId);
  return { outcome: "saved", programme: programme! };
}

/** SQL: the tier is one of the company's active tiers (for a condition in another module's write). */
export const tierActiveSql = (companyId: string, tierId: string) =>
  sql`EXISTS (SELECT 1 FROM tiers t WHERE t.company_id = ${companyId} AND t.id = ${tierId} AND t.removed_at IS NULL)`;

/** An active tier of the company by id; null when it has none. */
export async function findTier(db: Database, companyId: string, tierId: string): Promise<TierLevel | null> {
  const [row] = await all(
    db,
    query<TierLevel>(sql`
      SELECT id, name, threshold, multiplier, position FROM tiers WHERE company_id = ${companyId} AND id = ${tierId} AND removed_at IS NULL`),
  );
  return row ?? null;
}
