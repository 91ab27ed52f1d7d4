import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, batch, query } from "../../storage/sql";
import type { TierChangeReason } from "../../storage/schema";
import { refreshMemberCard, type LoyaltyCache } from "../cache";
import { evaluateTierStatements, memberFilter } from "./evaluate";
import { activeTiersSql, type TierLevel } from "./tiers";
import { tierPositionSql, tierValueSql } from "./window";

// One member's level: where they stand (the level, the window total, what the next level needs),
// its history, and the level a merchant sets by hand (a floor, until a date or for good).

export interface TierChange {
  id: string;
  from_tier_id: string | null;
  from_name: string | null;
  to_tier_id: string | null;
  to_name: string | null;
  reason: TierChangeReason;
  actor: string | null;
  created_at: number;
}

export interface MemberTier {
  tier: TierLevel | null;
  /** The window total: points, or cents on the "spend" basis. */
  value: number;
  next: { tier: TierLevel; missing: number } | null;
  floor: { tier: TierLevel | null; tierId: string; until: number | null } | null;
  changes: TierChange[];
}

const HISTORY = 50;

export async function getMemberTier(db: Database, companyId: string, memberId: string, now = Date.now()): Promise<MemberTier | null> {
  const [members, tiers, changes] = await batch(db, [
    query<{ position: number; value: number; tier_floor_id: string | null; tier_floor_until: number | null }>(sql`
      SELECT ${tierPositionSql(now)} AS position, ${tierValueSql(now)} AS value, m.tier_floor_id, m.tier_floor_until
      FROM members m WHERE m.company_id = ${companyId} AND m.id = ${memberId}`),
    activeTiersSql(companyId),
    query<TierChange>(sql`
      SELECT id, from_tier_id, from_name, to_tier_id, to_name, reason, actor, created_at FROM tier_changes
      WHERE company_id = ${companyId} AND member_id = ${memberId} ORDER BY created_at DESC, rowid DESC LIMIT ${HISTORY}`),
  ]);
  const member = members[0];
  if (!member) return null;
  const tier = tiers.find((t) => t.position === member.position) ?? null;
  const above = tiers.find((t) => t.position > member.position);
  const floorActive = member.tier_floor_id && (member.tier_floor_until === null || member.tier_floor_until > now);
  return {
    tier,
    value: member.value,
    next: above ? { tier: above, missing: Math.max(0, above.threshold - member.value) } : null,
    floor: floorActive
      ? { tierId: member.tier_floor_id!, tier: tiers.find((t) => t.id === member.tier_floor_id) ?? null, until: member.tier_floor_until }
      : null,
    changes,
  };
}

export type SetFloorResult = { outcome: "set"; tier: MemberTier } | { outcome: "not_found" } | { outcome: "unknown_tier" };

/**
 * Sets (or, with tierId null, clears) the member's manual level: a floor the level never goes
 * below while it lasts (until `until`, or for good when null). The level is evaluated at once and
 * the change recorded as "manual".
 */
export async function setTierFloor(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; memberId: string; tierId: string | null; until: number | null; actor: string; now?: number },
): Promise<SetFloorResult> {
  const now = input.now ?? Date.now();
  const { companyId, memberId, tierId } = input;
  const until = tierId ? input.until : null;
  // An unknown tier sets nothing, and evaluates nothing either: a refused request changes no level.
  const tierKnown = sql`(${tierId} IS NULL OR EXISTS (SELECT 1 FROM tiers t WHERE t.company_id = ${companyId} AND t.id = ${tierId} AND t.removed_at IS NULL))`;
  const [, , , members, tiers] = await batch(db, [
    query(sql`
      UPDATE members SET tier_floor_id = ${tierId}, tier_floor_until = ${until}, updated_at = ${now}
      WHERE company_id = ${companyId} AND id = ${memberId} AND ${tierKnown}`),
    ...evaluateTierStatements({ filter: sql`${memberFilter(companyId, memberId)} AND ${tierKnown}`, now, reason: "manual", actor: input.actor }),
    query<{ id: string }>(sql`SELECT id FROM members WHERE company_id = ${companyId} AND id = ${memberId}`),
    query<{ id: string }>(sql`SELECT id FROM tiers WHERE company_id = ${companyId} AND id = ${tierId} AND removed_at IS NULL`),
  ]);
  if (!members[0]) return { outcome: "not_found" };
  if (tierId && !tiers[0]) return { outcome: "unknown_tier" };
  await refreshMemberCard(db, cache, companyId, memberId).catch(() => undefined);
  const tier = await getMemberTier(db, companyId, memberId, now);
  return { outcome: "set", tier: tier! };
}

/** Members due a review (the window moved, a floor ended, the tiers changed), the longest waiting first. */
export async function dueForReview(db: Database, now: number, limit: number) {
  return all(
    db,
    query<{ id: string; company_id: string }>(sql`
      SELECT id, company_id FROM members WHERE tier_review_at IS NOT NULL AND tier_review_at <= ${now}
      ORDER BY tier_review_at LIMIT ${limit}`),
  );
}

/** Reviews these members' levels in one batch; returns those whose level changed. */
export async function reviewTiers(db: Database, memberIds: string[], now: number): Promise<{ member_id: string; company_id: string }[]> {
  if (memberIds.length === 0) return [];
  // The ids as one bound JSON array: D1 binds at most 100 values per statement, fewer than a chunk's members.
  const ids = sql`(SELECT value FROM json_each(${JSON.stringify(memberIds)}))`;
  const [changed] = await batch(db, evaluateTierStatements({ filter: sql`m.id IN ${ids}`, now, reason: "review" }));
  return changed.map((c) => ({ member_id: c.member_id, company_id: c.company_id }));
}

/** The earning multiplier of the member's level now (null: no level, or a multiplier of 1). */
export async function tierMultiplier(
  db: Database,
  companyId: string,
  memberId: string,
  now: number,
): Promise<{ multiplier: number; name: string } | null> {
  const [row] = await all(
    db,
    query<{ multiplier: number; name: string }>(sql`
      SELECT t.multiplier, t.name FROM members m
      JOIN tiers t ON t.company_id = m.company_id AND t.removed_at IS NULL AND t.position = ${tierPositionSql(now)}
      WHERE m.company_id = ${companyId} AND m.id = ${memberId}`),
  );
  return row && row.multiplier !== 1 ? row : null;
}
