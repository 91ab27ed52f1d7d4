import { sql, type SQL } from "drizzle-orm";
import { query, type Query } from "../../storage/sql";
import type { TierChangeReason } from "../../storage/schema";
import { baseTierSql, evaluatedTierSql, nextReviewSql } from "./window";

// Evaluating members' levels: the level their window total (or their floor) gives now is written to
// members.tier_id, with a tier_changes row (from, to, why, who, when) when it differs, and the next
// review is set. Set-based SQL over any members (`filter`, a condition on members `m`), so it runs
// inside the batch of whatever changed the total (earning, a refund) or for a chunk (the review).

export interface TierEvaluation {
  /** A condition on the members row `m`: which members. */
  filter: SQL;
  now: number;
  reason: TierChangeReason;
  actor?: string | null;
}

export interface RecordedChange {
  company_id: string;
  member_id: string;
  from_name: string | null;
  to_name: string | null;
}

/**
 * Why a change is recorded: the reason given, except that a level lower than before found while
 * earning is the window's doing (old earnings left it before the review came), so it is
 * recorded as the review's.
 */
function reasonSql(reason: TierChangeReason): SQL {
  if (reason !== "earned") return sql`${reason}`;
  return sql`CASE WHEN coalesce((SELECT position FROM tiers WHERE id = x.new_id), -1) < coalesce((SELECT position FROM tiers WHERE id = x.old_id), -1)
    THEN 'review' ELSE ${reason} END`;
}

/** Two statements, in this order: record the changes (returning them), then write the levels and next reviews. */
export function evaluateTierStatements(e: TierEvaluation): [Query<RecordedChange>, Query<never>] {
  const { filter, now, reason } = e;
  const actor = e.actor ?? null;
  return [
    query(sql`
      INSERT INTO tier_changes (id, company_id, member_id, from_tier_id, from_name, to_tier_id, to_name, reason, actor, created_at)
      SELECT 'tch_' || lower(hex(randomblob(10))), x.company_id, x.id, x.old_id, (SELECT name FROM tiers WHERE id = x.old_id),
        x.new_id, (SELECT name FROM tiers WHERE id = x.new_id), ${reasonSql(reason)}, ${actor}, ${now}
      FROM (SELECT m.company_id, m.id, coalesce(m.tier_id, ${baseTierSql()}) AS old_id, ${evaluatedTierSql(now)} AS new_id
        FROM members m WHERE ${filter}) x
      WHERE x.old_id IS NOT x.new_id
      RETURNING company_id, member_id, from_name, to_name`),
    query(sql`
      UPDATE members AS m SET tier_id = ${evaluatedTierSql(now)}, tier_review_at = ${nextReviewSql(now)}
      WHERE ${filter}`),
  ];
}



export const memberFilter = (companyId: string, memberId: string) => sql`m.company_id = ${companyId} AND m.id = ${memberId}`;
