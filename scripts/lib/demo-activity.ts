// Twelve weeks of made-up but plausible trade for the demo company, dated back from the day the seed
// first runs, so the dashboard's overview (its figures and its weekly chart) has something to show:
// sales that earned points and rewards redeemed, as the Worker itself writes them (an earn ledger
// row per sale; an applied redemption with its redeem ledger row). John Smith is left out: the README
// and the contract's examples show his 1,250 points.
//
// The same seed always draws the same visits (a fixed pseudo-random sequence); only the dates move
// with the day it runs. scripts/seed.ts writes these rows only when the company has none yet.

import { prng } from "./prng.ts";

const DAY = 24 * 3600 * 1000;
export const DEMO_ACTIVITY_WEEKS = 12;
/** The idempotency keys of these rows start with it: how the seed tells they are already there. */
export const DEMO_ACTIVITY_KEY_PREFIX = "demo-activity:";

interface ActivityMember {
  id: string;
  points: number;
}
interface ActivityReward {
  id: string;
  kind: string;
  pointsRequired: number;
  value: number | null;
  variableQuantity: number;
}

export function demoActivityStatements(input: {
  company: string;
  site: string;
  members: ActivityMember[];
  rewards: readonly ActivityReward[];
  now: number;
  q: (value: string | number | null) => string;
}): string[] {
  const { company, site, q } = input;
  const next = prng(456);
  const balances = new Map(input.members.map((m) => [m.id, m.points]));
  const ledger: string[] = [];
  const redemptions: string[] = [];
  const today = Math.floor(input.now / DAY) * DAY;
  // Fixed-price rewards only: a points payment needs an order total to make sense of.
  const rewards = input.rewards.filter((r) => r.variableQuantity === 0);
  let sale = 0;
  for (let daysAgo = DEMO_ACTIVITY_WEEKS * 7 - 1; daysAgo >= 0; daysAgo--) {
    const day = today - daysAgo * DAY;
    // Busier towards today: the programme is growing.
    const busy = 0.12 + 0.1 * (1 - daysAgo / (DEMO_ACTIVITY_WEEKS * 7));
    for (const member of input.members) {
      if (next() >= busy) continue;
      sale++;
      // Opening hours 7:00 to 15:00 UTC, never later than now.
      const at = Math.min(day + 7 * 3600_000 + Math.floor(next() * 8 * 3600_000), input.now - 60_000);
      const orderId = String(880_000 + sale);
      const spend = 450 + Math.floor(next() * 2600);
      // A point per whole dollar: the demo company's earning rate.
      const earned = Math.floor(spend / 100);
      balances.set(member.id, balances.get(member.id)! + earned);
      ledger.push(
        `(${[`led_demo_e${sale}`, company, member.id, earned, "earn", site, orderId, null, null, `Sale of $${(spend / 100).toFixed(2)}`, `${DEMO_ACTIVITY_KEY_PREFIX}earn:${sale}`, at].map(q).join(", ")})`,
      );
      const reward = rewards[Math.floor(next() * rewards.length)];
      if (!reward || next() >= 0.025 || balances.get(member.id)! < reward.pointsRequired) continue;
      balances.set(member.id, balances.get(member.id)! - reward.pointsRequired);
      const redeemedAt = at + 1000;
      const amount = reward.kind === "amount_off" || reward.kind === "percent_off" ? reward.value : null;
      redemptions.push(
        `(${[`rdm_demo_${sale}`, company, member.id, reward.id, reward.kind, orderId, site, reward.pointsRequired, amount, "applied", "line:1", `${DEMO_ACTIVITY_KEY_PREFIX}redeem:${sale}`, redeemedAt, redeemedAt].map(q).join(", ")})`,
      );
      ledger.push(
        `(${[`led_demo_r${sale}`, company, member.id, -reward.pointsRequired, "redeem", site, orderId, reward.id, null, null, `${DEMO_ACTIVITY_KEY_PREFIX}redeem:${sale}`, redeemedAt].map(q).join(", ")})`,
      );
    }
  }
  const statements: string[] = [];
  for (let i = 0; i < redemptions.length; i += 200) {
    statements.push(`INSERT INTO redemptions (id, company_id, member_id, reward_id, kind, order_id, site_id, points, amount_cents, status, kounta_ref, idempotency_key, created_at, updated_at) VALUES
${redemptions.slice(i, i + 200).join(",\n")};`);
  }
  for (let i = 0; i < ledger.length; i += 200) {
    statements.push(`INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, reward_id, actor, note, idempotency_key, created_at) VALUES
${ledger.slice(i, i + 200).join(",\n")};`);
  }
  for (const member of input.members) {
    const change = balances.get(member.id)! - member.points;
    if (change !== 0) statements.push(`UPDATE members SET points = points + ${change} WHERE company_id = ${q(company)} AND id = ${q(member.id)};`);
  }
  return statements;
}
