import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { refreshCatalogue } from "../../src/loyalty/cache";
import { reverseRefunds } from "../../src/loyalty/earning/undo-order";
import { adjustPoints } from "../../src/loyalty/ledger/adjust-points";
import { setTierFloor } from "../../src/loyalty/tiers/member-tier";
import { orderSchema } from "../../src/kounta-api/types";
import { rewards } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, getJson, kountaUrl, seedCompany } from "../harness";
import { cache, earnSale, link, seedTiers } from "../loyalty/tiers/tiers-harness";

// The reward lookup with tiers (src/kounta/reward-lookup.ts, src/kounta/wire.ts): the member's level
// in params ("Tier") and first in intro_text ("Silver: 400 Points to Gold · <the programme's
// intro>"), and a reward for a tier listed only to members of that tier and above (hidden below,
// not even as one being saved toward).

let touched: string[] = [];
afterEach(async () => {
  for (const id of touched) await expectBalanceMatchesLedger(id);
  touched = [];
});

const programme = [
  { id: "coffee", title: "Free coffee", pointsRequired: 500 },
  { id: "slice", title: "Silver slice", pointsRequired: 100 },
  { id: "hamper", title: "Gold hamper", pointsRequired: 1100 },
];

async function setup(options: Parameters<typeof seedTiers>[1] = {}, introText: string | null = "Thanks for coming back") {
  const company = await seedCompany({ rewards: programme, introText });
  touched.push(company.id);
  const tiers = await seedTiers(company.id, options);
  if (tiers.Silver && tiers.Gold) {
    await db.update(rewards).set({ minTierId: tiers.Silver.id }).where(and(eq(rewards.companyId, company.id), eq(rewards.id, company.rewardId("slice"))));
    await db.update(rewards).set({ minTierId: tiers.Gold.id }).where(and(eq(rewards.companyId, company.id), eq(rewards.id, company.rewardId("hamper"))));
    await refreshCatalogue(db, cache(), company.id);
  }
  return { company, tiers };
}

/** A member whose points all count toward the tier (an adjustment marked to count, now). */
async function memberWith(company: Awaited<ReturnType<typeof seedCompany>>, points: number, firstName = "John") {
  const memberId = await company.addMember({ firstName, lastName: "Smith" });
  if (points > 0) {
    const r = await adjustPoints(db, { companyId: company.id, memberId, points, reason: "Test", idempotencyKey: null, actor: "test", countsTowardTier: true });
    expect(r.outcome).toBe("adjusted");
  }
  return memberId;
}

async function lookup(companyId: string, memberId: string) {
  const res = await getJson(kountaUrl("reward-lookup", { company_id: companyId, reference_id: memberId, customer_id: "789", site_id: "123", order_id: "111" }));
  expect(res.status).toBe(200);
  return res.body as { member: Record<string, unknown>; rewards: { id: string; points_required: number; terms?: string }[] };
}

const listed = (body: Awaited<ReturnType<typeof lookup>>) => body.rewards.map((r) => [r.id, r.points_required, r.terms ?? null]);

describe("the member's level in the lookup", () => {
  it("Silver: params.Tier and what the next level needs in intro_text, before the programme's intro", async () => {
    const { company } = await setup();
    const memberId = await memberWith(company, 600);
    const body = await lookup(company.id, memberId);
    expect(body.member).toEqual({
      id: memberId,
      first_name: "John",
      last_name: "Smith",
      email_address: "",
      current_points: "600",
      points_label: "Points",
      intro_text: "Silver: 400 Points to Gold · Thanks for coming back",
      params: { Tier: "Silver" },
    });
  });

  it("the top level names it alone; the lowest says what Silver needs; no intro of the programme: the level alone", async () => {
    const { company } = await setup({}, null);
    const gold = await memberWith(company, 1200);
    const bronze = await memberWith(company, 0, "Ann");
    expect((await lookup(company.id, gold)).member).toMatchObject({ intro_text: "Gold", params: { Tier: "Gold" } });
    expect((await lookup(company.id, bronze)).member).toMatchObject({ intro_text: "Bronze: 500 Points to Silver", params: { Tier: "Bronze" } });
  });

  it("below the first tier: no Tier, and what the first needs", async () => {
    const { company } = await setup({ tiers: [{ name: "Silver", threshold: 500, multiplier: 1 }, { name: "Gold", threshold: 1000, multiplier: 1 }] });
    const memberId = await memberWith(company, 420);
    const { member } = await lookup(company.id, memberId);
    expect(member.intro_text).toBe("80 Points to Silver · Thanks for coming back");
    expect(member).not.toHaveProperty("params");
  });

  it("on the spend basis the next level is money", async () => {
    const { company } = await setup({
      basis: "spend",
      tiers: [{ name: "Regular", threshold: 0, multiplier: 1 }, { name: "Platinum", threshold: 20000, multiplier: 1 }],
    });
    const memberId = await memberWith(company, 0);
    await link(company.id, memberId, "789");
    await earnSale(company.id, 50, Date.now()); // $55
    expect((await lookup(company.id, memberId)).member).toMatchObject({
      current_points: "55",
      intro_text: "Regular: $145.00 to Platinum · Thanks for coming back",
      params: { Tier: "Regular" },
    });
  });

  it("a company without tiers: no Tier, the programme's intro as it was", async () => {
    const company = await seedCompany({ rewards: programme, introText: "Thanks for coming back" });
    touched.push(company.id);
    const memberId = await company.addMember({ firstName: "John", openingPoints: 600 });
    const { member } = await lookup(company.id, memberId);
    expect(member.intro_text).toBe("Thanks for coming back");
    expect(member).not.toHaveProperty("params");
  });
});

describe("rewards for a tier in the lookup", () => {
  it("hidden below the tier, even as one being saved toward", async () => {
    const { company } = await setup();
    const bronze = await memberWith(company, 300);
    // Bronze: the coffee is saved toward; the Silver and Gold rewards are not offered at all.
    expect(listed(await lookup(company.id, bronze))).toEqual([[company.rewardId("coffee"), 500, "200 more Points needed."]]);
  });

  it("shown at the tier and above", async () => {
    const { company } = await setup();
    const silver = await memberWith(company, 600);
    const gold = await memberWith(company, 1200, "Ann");
    expect(listed(await lookup(company.id, silver))).toEqual([
      [company.rewardId("coffee"), 500, null],
      [company.rewardId("slice"), 100, null],
    ]);
    expect(listed(await lookup(company.id, gold))).toEqual([
      [company.rewardId("coffee"), 500, null],
      [company.rewardId("slice"), 100, null],
      [company.rewardId("hamper"), 1100, null],
    ]);
  });

  it("a Gold member short of points saves toward the Gold reward", async () => {
    const { company, tiers } = await setup();
    const memberId = await memberWith(company, 0);
    await setTierFloor(db, cache(), { companyId: company.id, memberId, tierId: tiers.Gold!.id, until: null, actor: "test" });
    const body = await lookup(company.id, memberId);
    expect(body.member).toMatchObject({ intro_text: "Gold · Thanks for coming back", params: { Tier: "Gold" } });
    expect(listed(body)).toEqual([
      [company.rewardId("slice"), 100, "100 more Points needed."],
      [company.rewardId("coffee"), 500, "500 more Points needed."],
      [company.rewardId("hamper"), 1100, "1100 more Points needed."],
    ]);
  });

  it("a refund that lowers the level hides the reward at the next lookup", async () => {
    const { company } = await setup();
    const memberId = await memberWith(company, 0);
    await link(company.id, memberId, "789");
    const now = Date.now();
    const { orderId } = await earnSale(company.id, 1000, now); // 1100: Gold
    expect((await lookup(company.id, memberId)).member).toMatchObject({ params: { Tier: "Gold" } });

    const order = orderSchema.parse({ id: orderId, status: "COMPLETE", payments: [{ id: 1, amount: 1100, method: { id: 2 } }, { id: 2, amount: -550, method: { id: 2 } }] });
    expect(await reverseRefunds(db, { companyId: company.id, order, now: now + 1, cache: cache() })).toBe(550);

    const body = await lookup(company.id, memberId);
    expect(body.member).toMatchObject({ current_points: "550", intro_text: "Silver: 450 Points to Gold · Thanks for coming back", params: { Tier: "Silver" } });
    expect(listed(body)).toEqual([
      [company.rewardId("coffee"), 500, null],
      [company.rewardId("slice"), 100, null],
    ]);
  });

  it("new thresholds show at the next lookup (the cards are invalidated), before any review", async () => {
    const { company, tiers } = await setup();
    const memberId = await memberWith(company, 600);
    expect((await lookup(company.id, memberId)).member).toMatchObject({ params: { Tier: "Silver" } });
    await seedTiers(company.id, {
      tiers: [
        { id: tiers.Bronze!.id, name: "Bronze", threshold: 0, multiplier: 1 },
        { id: tiers.Silver!.id, name: "Silver", threshold: 300, multiplier: 1 },
        { id: tiers.Gold!.id, name: "Gold", threshold: 600, multiplier: 1 },
      ],
    });
    const body = await lookup(company.id, memberId);
    expect(body.member).toMatchObject({ intro_text: "Gold · Thanks for coming back", params: { Tier: "Gold" } });
    expect(listed(body).map((r) => r[0])).toEqual([company.rewardId("coffee"), company.rewardId("slice"), company.rewardId("hamper")]);
  });
});
