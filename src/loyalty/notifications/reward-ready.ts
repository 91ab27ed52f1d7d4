import { sql } from "drizzle-orm";
import { query } from "../../storage/sql";
import { requiredTierPositionSql, tierPositionSql } from "../tiers/window";
import { reachableMemberSql } from "./records";

// "Reward ready": the first time a member's balance crosses a reward's price, in at most one message
// a day. reward_notices keeps which rewards each member was told of, written when the message is sent
// (deliver.ts: only the rewards still within the balance and the member's tier then). A reward crossed
// on a day whose message was recorded already is not told of that day (nor recorded as told, so a
// later crossing of its price tells it). Rewards paid for with any amount of points (variable
// quantity) are never "ready": any balance pays for some of them.

/** Active fixed-price rewards the member may have whose price lies in (before, after], not told of yet. */
export function rewardsNewlyAffordableStatement(input: { companyId: string; memberId: string; before: number; after: number; now: number }) {
  const { companyId, memberId, before, after, now } = input;
  return query<{ id: string }>(sql`
    SELECT r.id FROM members m JOIN rewards r ON r.company_id = m.company_id
    WHERE m.company_id = ${companyId} AND m.id = ${memberId} AND ${reachableMemberSql("reward_ready")}
      AND r.active = 1 AND r.variable_quantity = 0 AND r.points_required > ${before} AND r.points_required <= ${after}
      AND (r.min_tier_id IS NULL OR ${requiredTierPositionSql(sql`r.min_tier_id`, sql`r.company_id`)} <= ${tierPositionSql(now)})
      AND NOT EXISTS (SELECT 1 FROM reward_notices x WHERE x.company_id = m.company_id AND x.member_id = m.id AND x.reward_id = r.id)
    ORDER BY r.points_required, r.id LIMIT 20`);
}
