import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { releaseRedemption } from "../../src/loyalty/redemption/redemption";
import { putTierProgramme } from "../../src/loyalty/tiers/tiers";
import { companies, rewards } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, reserveOnly } from "../redeem-harness";
import { flagsOf, flagsOfKind, limitedSeed, reserveAt, utcDayOf } from "./limits.fixtures";

// The company's limits at the till, one redemption after another: each refused with the sentence
// the cashier reads, nothing debited, nothing recorded but the activity flag. (Parallel bursts:
// redeem.limits.burst.test.ts; UTC days and what counts: redeem.limits.days.test.ts.)

const seed = limitedSeed();
const today = () => utcDayOf(Date.now());

describe("at most N redemptions per member per day", () => {
  it("the third of two a day is refused with the sentence; balance, ledger and redemptions unchanged", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 2 });
    const [a, b, c] = await Promise.all([redeemUrl(s, "coffee", "6101"), redeemUrl(s, "pct", "6102"), redeemUrl(s, "coffee", "6103")]);
    expect(await redeem(a!)).toEqual({ success: true });
    expect(await redeem(b!)).toEqual({ success: true });
    const calls = (await kounta.apiCalls(s.company.id)).length;

    expect(await redeem(c!)).toEqual({ success: false, error: "Limit reached: at most 2 rewards a day per member. Try again tomorrow." });

    expect(await balanceOf(s)).toBe(4200);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta, l.orderId])).toEqual([
      ["adjustment", 5000, null],
      ["redeem", -500, "6101"],
      ["redeem", -300, "6102"],
    ]);
    expect((await redemptionsOf(s)).map((r) => [r.orderId, r.status])).toEqual([["6101", "applied"], ["6102", "applied"]]);
    // Kounta was never asked to change the third order.
    expect(await kounta.apiCalls(s.company.id)).toHaveLength(calls);
  });

  it("a limit of one reads in the singular", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 1 });
    const [a, b] = await Promise.all([redeemUrl(s, "coffee", "6111"), redeemUrl(s, "coffee", "6112")]);
    expect(await redeem(a!)).toEqual({ success: true });
    expect(await redeem(b!)).toEqual({ success: false, error: "Limit reached: at most 1 reward a day per member. Try again tomorrow." });
    expect(await balanceOf(s)).toBe(4500);
  });

  it("is each member's own: another member of the company still redeems", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 1 });
    const other = { ...s, memberId: await s.company.addMember({ firstName: "Jane", lastName: "Doe", openingPoints: 1000 }) };
    const [a, b, c] = await Promise.all([redeemUrl(s, "coffee", "6121"), redeemUrl(s, "coffee", "6122"), redeemUrl(other, "coffee", "6123")]);
    expect(await redeem(a!)).toEqual({ success: true });
    expect((await redeem(b!)).success).toBe(false);
    expect(await redeem(c!)).toEqual({ success: true });
    expect(await balanceOf(other)).toBe(500);
  });

  it("a pending redemption counts; one released (its points given back) no longer does", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 1 });
    const [a, b] = await Promise.all([redeemUrl(s, "coffee", "6131"), redeemUrl(s, "coffee", "6132")]);
    const pending = await reserveOnly(s, "pct", "6130");

    expect(await redeem(a!)).toEqual({ success: false, error: "Limit reached: at most 1 reward a day per member. Try again tomorrow." });
    expect(await balanceOf(s)).toBe(4700);

    expect(await releaseRedemption(db, { companyId: s.company.id, redemptionId: pending, reason: "Order closed", now: Date.now() })).toBe(true);
    expect(await redeem(b!)).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(4500);
    expect((await redemptionsOf(s)).map((r) => [r.orderId, r.status])).toEqual([["6130", "failed"], ["6132", "applied"]]);
  });
});

describe("at most N redemptions per order", () => {
  it("a second reward on an order that may take one is refused; another order still takes one", async () => {
    const s = await seed(5000, { maxRedemptionsPerOrder: 1 });
    const [a, b, c] = await Promise.all([redeemUrl(s, "coffee", "6201"), redeemUrl(s, "pct", "6201"), redeemUrl(s, "pct", "6202")]);
    expect(await redeem(a!)).toEqual({ success: true });

    expect(await redeem(b!)).toEqual({ success: false, error: "Limit reached: at most 1 reward per order." });

    expect(await balanceOf(s)).toBe(4500);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta, l.orderId])).toEqual([["adjustment", 5000, null], ["redeem", -500, "6201"]]);
    expect(await redeem(c!)).toEqual({ success: true });
    expect((await redemptionsOf(s)).map((r) => [r.orderId, r.kind, r.status])).toEqual([
      ["6201", "free_product", "applied"],
      ["6202", "percent_off", "applied"],
    ]);
  });

  it("counts every member's redemptions on the order, and reads in the plural above one", async () => {
    const s = await seed(5000, { maxRedemptionsPerOrder: 2 });
    const other = { ...s, memberId: await s.company.addMember({ firstName: "Jane", lastName: "Doe", openingPoints: 1000 }) };
    const links = await Promise.all([redeemUrl(s, "coffee", "6211"), redeemUrl(other, "coffee", "6211"), redeemUrl(s, "pct", "6211")]);
    expect(await redeem(links[0]!)).toEqual({ success: true });
    expect(await redeem(links[1]!)).toEqual({ success: true });
    expect(await redeem(links[2]!)).toEqual({ success: false, error: "Limit reached: at most 2 rewards per order." });
    expect(await balanceOf(s)).toBe(4500);
    expect(await balanceOf(other)).toBe(500);
  });

  it("when both the order's limit and the day's are reached, the order's sentence is read", async () => {
    const s = await seed(5000, { maxRedemptionsPerOrder: 1, maxRedemptionsPerMemberDay: 1 });
    const [a, b] = await Promise.all([redeemUrl(s, "coffee", "6221"), redeemUrl(s, "pct", "6221")]);
    expect(await redeem(a!)).toEqual({ success: true });
    expect(await redeem(b!)).toEqual({ success: false, error: "Limit reached: at most 1 reward per order." });
  });
});

describe("at most M points redeemed per member per day", () => {
  it("refuses the reward that would pass the day's points, with what was redeemed today; a smaller one still fits", async () => {
    const s = await seed(5000, { maxPointsPerMemberDay: 1000 });
    const [coffee, five, pct, coffee2] = await Promise.all(
      [["coffee", "6301"], ["five", "6302"], ["pct", "6303"], ["coffee", "6304"]].map(([reward, order]) => redeemUrl(s, reward!, order!)),
    );
    expect(await redeem(coffee!)).toEqual({ success: true });

    expect(await redeem(five!)).toEqual({ success: false, error: "Limit reached: at most 1000 Points a day per member (500 already redeemed today)." });
    expect(await balanceOf(s)).toBe(4500);

    // 500 + 300 = 800 of 1,000: allowed; then 800 + 500 is not.
    expect(await redeem(pct!)).toEqual({ success: true });
    expect(await redeem(coffee2!)).toEqual({ success: false, error: "Limit reached: at most 1000 Points a day per member (800 already redeemed today)." });
    expect(await balanceOf(s)).toBe(4200);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 5000], ["redeem", -500], ["redeem", -300]]);
    expect((await redemptionsOf(s)).map((r) => r.orderId)).toEqual(["6301", "6303"]);
  });

  it("exactly the day's points is allowed", async () => {
    const s = await seed(5000, { maxPointsPerMemberDay: 1000 });
    expect(await redeem(await redeemUrl(s, "five", "6311"))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(4000);
  });

  it("a variable reward counts the points chosen: 600 after 500 is refused, 500 fits", async () => {
    const s = await seed(5000, { maxPointsPerMemberDay: 1000 });
    const [coffee, six, five] = await Promise.all([redeemUrl(s, "coffee", "6321"), redeemUrl(s, "pay", "6322", 600), redeemUrl(s, "pay", "6323", 500)]);
    expect(await redeem(coffee!)).toEqual({ success: true });
    expect(await redeem(six!)).toEqual({ success: false, error: "Limit reached: at most 1000 Points a day per member (500 already redeemed today)." });
    expect(await redeem(five!)).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(4000);
    expect((await redemptionsOf(s)).map((r) => [r.kind, r.points])).toEqual([["free_product", 500], ["points_payment", 500]]);
  });

  it("speaks the company's points label", async () => {
    const s = await seed(5000, { maxPointsPerMemberDay: 600 });
    await db.update(companies).set({ pointsLabel: "Stars" }).where(eq(companies.id, s.company.id));
    const [a, b] = await Promise.all([redeemUrl(s, "coffee", "6331"), redeemUrl(s, "pct", "6332")]);
    expect(await redeem(a!)).toEqual({ success: true });
    expect(await redeem(b!)).toEqual({ success: false, error: "Limit reached: at most 600 Stars a day per member (500 already redeemed today)." });
  });
});

describe("a limit's refusal is suspicious activity", () => {
  it("writes a limit_refused flag for the member and the UTC day; a second refusal that day counts 2", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 1, maxPointsPerMemberDay: 800 });
    const links = await Promise.all(["6401", "6402", "6403"].map((order) => redeemUrl(s, "coffee", order)));
    expect(await redeem(links[0]!)).toEqual({ success: true });
    expect(await flagsOf(s.company.id)).toEqual([]);

    expect((await redeem(links[1]!)).success).toBe(false);
    expect(await flagsOfKind(s.company.id, "limit_refused")).toEqual([
      { memberId: s.memberId, day: today(), count: 1, detail: "Limit reached: at most 1 reward a day per member. Try again tomorrow." },
    ]);

    expect((await redeem(links[2]!)).success).toBe(false);
    expect(await flagsOf(s.company.id)).toEqual([
      { memberId: s.memberId, kind: "limit_refused", day: today(), count: 2, detail: "Limit reached: at most 1 reward a day per member. Try again tomorrow." },
    ]);
  });

  it("a refusal that is not a limit's (too few points, a changed reward) writes no flag", async () => {
    const s = await seed(400, { maxRedemptionsPerMemberDay: 5 });
    const url = await redeemUrl(s, "pct", "6411");
    const pay = await redeemUrl(s, "pay", "6412", 401);
    expect(await redeem(url)).toEqual({ success: true });
    expect(await redeem(pay)).toEqual({ success: false, error: "Not enough Points: 100 of 401" });
    expect(await flagsOf(s.company.id)).toEqual([]);
  });

  it("a tier's refusal (a reward above the member's level) is not a limit's: no flag", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 5 });
    const saved = await putTierProgramme(db, new LoyaltyCache(env.CACHE), {
      companyId: s.company.id,
      basis: "points",
      window: "rolling",
      windowMonths: 12,
      tiers: [{ name: "Bronze", threshold: 0, multiplier: 1 }, { name: "Gold", threshold: 1000, multiplier: 1 }],
    });
    const gold = saved.outcome === "saved" ? saved.programme.tiers[1]!.id : "";
    await db.update(rewards).set({ minTierId: gold }).where(eq(rewards.id, s.company.rewardId("coffee")));

    expect(await reserveAt(s, "coffee", "6421", Date.now())).toEqual({ outcome: "refused", reason: "This reward is for Gold members and above." });
    expect(await balanceOf(s)).toBe(5000);
    expect(await flagsOf(s.company.id)).toEqual([]);
  });
});
