import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { buildRedeemUrl } from "../../src/kounta/redeem-url";
import { orderSchema } from "../../src/kounta-api/types";
import { refreshCatalogue } from "../../src/loyalty/cache";
import { reverseRefunds } from "../../src/loyalty/earning/undo-order";
import { adjustPoints } from "../../src/loyalty/ledger/adjust-points";
import { setTierFloor } from "../../src/loyalty/tiers/member-tier";
import { activityFlags, members, pointsLedger, redemptions, rewards } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";
import { kounta } from "../kounta-harness";
import { cache, earnSale, link, seedTiers } from "../loyalty/tiers/tiers-harness";

// Redeeming a reward for a tier (src/loyalty/redemption/limits.ts, a condition of the reserve
// batch's debit): refused with a sentence for a member below the tier, nothing changed (no points,
// no redemption, no ledger row, no call to Kounta, no activity flag); the member's level is read in
// the debit's own transaction, so a burst of taps passes exactly for those who may.

const SIGNING_KEY = "test-redeem-signing-key-0123456789abcdef";
const TIER_ONLY = "This reward is for Gold members and above.";

let touched: string[] = [];
afterEach(async () => {
  for (const id of touched) await expectBalanceMatchesLedger(id);
  touched = [];
});

async function setup() {
  const company = await seedCompany({
    rewards: [
      { id: "coffee", title: "Free coffee", productId: "2001", pointsRequired: 100 },
      { id: "gold", title: "Gold coffee", productId: "2001", pointsRequired: 100 },
    ],
  });
  touched.push(company.id);
  const tiers = await seedTiers(company.id);
  await db.update(rewards).set({ minTierId: tiers.Gold!.id }).where(and(eq(rewards.companyId, company.id), eq(rewards.id, company.rewardId("gold"))));
  await refreshCatalogue(db, cache(), company.id);
  return { company, tiers };
}

type Company = Awaited<ReturnType<typeof setup>>["company"];

/** A member with these points, all counted toward the tier (600: Silver, 1200: Gold). */
async function memberWith(company: Company, points: number, firstName = "John") {
  const memberId = await company.addMember({ firstName });
  const r = await adjustPoints(db, { companyId: company.id, memberId, points, reason: "Test", idempotencyKey: null, actor: "test", countsTowardTier: true });
  expect(r.outcome).toBe("adjusted");
  return memberId;
}

/** A signed link to the reward as a lookup would hand it out (the lookup itself hides it from a member below the tier). */
function linkTo(company: Company, memberId: string, reward: string, orderId: string) {
  return buildRedeemUrl({
    origin: ORIGIN,
    signingKey: SIGNING_KEY,
    ttlSeconds: 600,
    now: Date.now(),
    companyId: company.id,
    siteId: company.siteId,
    memberId,
    customerId: "789",
    rewardId: company.rewardId(reward),
    points: 100,
    orderPlaceholder: orderId,
  });
}

async function redeem(url: string) {
  const res = await getJson(url);
  expect(res.status).toBe(200);
  return res.body as { success: boolean; error?: string };
}

async function pointsOf(memberId: string) {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

const redemptionsOf = (companyId: string) =>
  db.select({ memberId: redemptions.memberId, status: redemptions.status, orderId: redemptions.orderId }).from(redemptions).where(eq(redemptions.companyId, companyId));
const redeemRows = (companyId: string) =>
  db.select({ memberId: pointsLedger.memberId, delta: pointsLedger.delta }).from(pointsLedger).where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.reason, "redeem")));
const flagsOf = (companyId: string) => db.select().from(activityFlags).where(eq(activityFlags.companyId, companyId));

describe("redeeming a reward for a tier", () => {
  it("below the tier: refused with a sentence, nothing changed", async () => {
    const { company } = await setup();
    const silver = await memberWith(company, 600);

    expect(await redeem(await linkTo(company, silver, "gold", "8101"))).toEqual({ success: false, error: TIER_ONLY });

    expect(await pointsOf(silver)).toBe(600);
    expect(await redemptionsOf(company.id)).toEqual([]);
    expect(await redeemRows(company.id)).toEqual([]);
    expect(await kounta.apiCalls(company.id)).toEqual([]);
    // A tier's refusal is the cashier's mistake, not suspicious activity.
    expect(await flagsOf(company.id)).toEqual([]);
    // The same member may still redeem a reward for everyone.
    expect(await redeem(await linkTo(company, silver, "coffee", "8101"))).toEqual({ success: true });
    expect(await pointsOf(silver)).toBe(500);
  });

  it("at the tier: redeemed", async () => {
    const { company } = await setup();
    const gold = await memberWith(company, 1200);
    expect(await redeem(await linkTo(company, gold, "gold", "8102"))).toEqual({ success: true });
    expect(await pointsOf(gold)).toBe(1100);
    expect(await redemptionsOf(company.id)).toEqual([{ memberId: gold, status: "applied", orderId: "8102" }]);
  });

  it("a member held at Gold by hand (nothing earned toward it): redeemed", async () => {
    const { company, tiers } = await setup();
    const memberId = await company.addMember({ firstName: "John", openingPoints: 150 });
    await setTierFloor(db, cache(), { companyId: company.id, memberId, tierId: tiers.Gold!.id, until: Date.now() + 86_400_000, actor: "test" });
    expect(await redeem(await linkTo(company, memberId, "gold", "8105"))).toEqual({ success: true });
    expect(await pointsOf(memberId)).toBe(50);
  });

  it("a link handed out while the member was Gold is refused once a refund has lowered the level", async () => {
    const { company } = await setup();
    const memberId = await company.addMember({ firstName: "John" });
    await link(company.id, memberId, "789");
    const now = Date.now();
    const { orderId } = await earnSale(company.id, 1000, now); // 1100: Gold
    const lookup = await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: memberId, customer_id: "789", site_id: company.siteId, order_id: "111" }));
    const offered = (lookup.body.rewards as { id: string; redeem_url: string }[]).find((r) => r.id === company.rewardId("gold"));
    expect(offered).toBeDefined();

    const order = orderSchema.parse({ id: orderId, status: "COMPLETE", payments: [{ id: 1, amount: 1100, method: { id: 2 } }, { id: 2, amount: -550, method: { id: 2 } }] });
    await reverseRefunds(db, { companyId: company.id, order, now: now + 1 });

    expect(await redeem(offered!.redeem_url.replace("order_id=111", "order_id=8103"))).toEqual({ success: false, error: TIER_ONLY });
    expect(await pointsOf(memberId)).toBe(550);
    expect(await redemptionsOf(company.id)).toEqual([]);
  });

  it("a reward whose tier has been removed: nobody may redeem it", async () => {
    const { company, tiers } = await setup();
    const gold = await memberWith(company, 1200);
    // The reward made inactive so that its tier may be removed, then active again (its tier gone).
    await db.update(rewards).set({ active: false }).where(eq(rewards.id, company.rewardId("gold")));
    await seedTiers(company.id, { tiers: [{ id: tiers.Bronze!.id, name: "Bronze", threshold: 0, multiplier: 1 }, { id: tiers.Silver!.id, name: "Silver", threshold: 500, multiplier: 1 }] });
    await db.update(rewards).set({ active: true }).where(eq(rewards.id, company.rewardId("gold")));
    await refreshCatalogue(db, cache(), company.id);

    const lookup = await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: gold, customer_id: "789", site_id: company.siteId, order_id: "111" }));
    expect((lookup.body.rewards as { id: string }[]).map((r) => r.id)).toEqual([company.rewardId("coffee")]);
    // No member can be of a removed tier: the sentence does not name it.
    expect(await redeem(await linkTo(company, gold, "gold", "8104"))).toEqual({ success: false, error: "This reward is not available at this member's level." });
    expect(await pointsOf(gold)).toBe(1200);
    expect(await redemptionsOf(company.id)).toEqual([]);
  });
});

describe("a burst of redeems of a reward for a tier", () => {
  it("members of different tiers at once: exactly the Gold ones succeed", async () => {
    const { company } = await setup();
    const golds = [await memberWith(company, 1200, "G1"), await memberWith(company, 1500, "G2"), await memberWith(company, 1000, "G3")];
    const silvers = [await memberWith(company, 600, "S1"), await memberWith(company, 999, "S2"), await memberWith(company, 500, "S3")];
    const everyone = [...golds, ...silvers];
    const urls = await Promise.all(everyone.map((m, i) => linkTo(company, m, "gold", String(8200 + i))));

    const answers = await Promise.all(urls.map((u) => redeem(u)));

    expect(answers).toEqual([
      ...golds.map(() => ({ success: true })),
      ...silvers.map(() => ({ success: false, error: TIER_ONLY })),
    ]);
    expect((await redemptionsOf(company.id)).map((r) => r.memberId).sort()).toEqual([...golds].sort());
    expect((await redeemRows(company.id)).map((r) => [r.memberId, r.delta]).sort()).toEqual(golds.map((m) => [m, -100]).sort());
    expect(await Promise.all(everyone.map(pointsOf))).toEqual([1100, 1400, 900, 600, 999, 500]);
  });

  it("one member below the tier tapping again and again: none succeeds, nothing changed", async () => {
    const { company } = await setup();
    const silver = await memberWith(company, 900);
    const urls = await Promise.all([0, 1, 2, 3, 4].map((i) => linkTo(company, silver, "gold", String(8300 + (i % 2)))));

    const answers = await Promise.all(urls.map((u) => redeem(u)));

    expect(answers).toEqual(urls.map(() => ({ success: false, error: TIER_ONLY })));
    expect(await pointsOf(silver)).toBe(900);
    expect(await redemptionsOf(company.id)).toEqual([]);
    expect(await redeemRows(company.id)).toEqual([]);
    expect(await kounta.apiCalls(company.id)).toEqual([]);
  });
});
