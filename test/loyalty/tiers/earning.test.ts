import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { earnForOrder } from "../../../src/loyalty/earning/earn-order";
import { getMemberTier } from "../../../src/loyalty/tiers/member-tier";
import { companies } from "../../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../../harness";
import { at, changesOf, DAY, earnDeps, earnSale, ledgerRows, link, month, monthsOf, seedTiers, tierRow, tieredMember } from "./tiers-harness";

// A member's level on earning (src/loyalty/earning/earn-order.ts with src/loyalty/tiers/): each sale
// counts toward it in its UTC month (the trigger of migration 0017), the level is evaluated in the
// sale's batch (an upgrade at once, recorded as "earned"), and the sale earns at the multiplier of
// the level the member had before it. Sales through the Kounta stand-in.

const setup = tieredMember();

describe("tiers on the points basis: upgrades on earning", () => {
  it("counts each sale in its month, upgrades when a sale reaches the threshold, and records the change", async () => {
    const { company, tiers, memberId } = await setup();
    const t0 = at("2025-03-10");

    expect((await earnSale(company.id, 400, t0)).outcome).toEqual({ outcome: "earned", memberId, points: 440, balance: 440, enrolled: false });
    // Bronze (threshold 0) is where a member starts: nothing recorded, the level kept, a review at the next month.
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, reviewAt: Date.UTC(2025, 3, 1) });
    expect(await changesOf(company.id, memberId)).toEqual([]);

    const second = await earnSale(company.id, 100, t0 + DAY);
    // The sale that reaches Silver earns at Bronze's rate: the multiplier is the level before the sale.
    expect(second.outcome).toMatchObject({ outcome: "earned", points: 110, balance: 550 });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });
    expect(await changesOf(company.id, memberId)).toEqual([["Bronze", "Silver", "earned", null, t0 + DAY]]);
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 3), points: 550, spent: 55000 }]);

    const tier = await getMemberTier(db, company.id, memberId, t0 + DAY);
    expect(tier).toEqual({
      tier: tiers.Silver,
      value: 550,
      next: { tier: tiers.Gold, missing: 450 },
      floor: null,
      changes: [expect.objectContaining({ from_name: "Bronze", to_name: "Silver", from_tier_id: tiers.Bronze!.id, to_tier_id: tiers.Silver!.id, reason: "earned" })],
    });
  });

  it("a sale big enough for two levels goes straight to the higher, one change recorded", async () => {
    const { company, tiers, memberId } = await setup();
    const t0 = at("2025-05-02");
    expect((await earnSale(company.id, 1000, t0)).outcome).toMatchObject({ outcome: "earned", points: 1100 });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id });
    expect(await changesOf(company.id, memberId)).toEqual([["Bronze", "Gold", "earned", null, t0]]);
  });

  it("puts sales in their UTC month: one just before midnight at the month's end, one just after", async () => {
    const { company, memberId } = await setup();
    await earnSale(company.id, 100, Date.UTC(2025, 0, 31, 23, 59, 59));
    await earnSale(company.id, 200, Date.UTC(2025, 1, 1, 0, 0, 0));
    await earnSale(company.id, 10, Date.UTC(2025, 1, 20));
    expect(await monthsOf(company.id, memberId)).toEqual([
      { month: month(2025, 1), points: 110, spent: 11000 },
      { month: month(2025, 2), points: 231, spent: 23100 },
    ]);
  });

  it("an order earned again (a webhook retry) counts once toward the level", async () => {
    const { company, memberId } = await setup();
    const { orderId } = await earnSale(company.id, 400, at("2025-03-10"));
    expect(await earnForOrder(earnDeps(), { companyId: company.id, orderId, now: at("2025-03-11") })).toEqual({ outcome: "repeated", memberId });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 3), points: 440, spent: 44000 }]);
  });
});

describe("the tier's multiplier in earned points", () => {
  it("a multiplier in hundredths multiplies exactly (100 x 1.15 is 115, not 114)", async () => {
    const { company, memberId } = await setup();
    await seedTiers(company.id, { tiers: [{ name: "Regular", threshold: 0, multiplier: 1.15 }] });
    // $100 + GST paid: 110 points at the base rate; 110 x 1.15 = 126.5: 126. And 100 points x 1.15 = 115 exactly.
    expect((await earnSale(company.id, 100, at("2025-06-03"))).outcome).toMatchObject({ outcome: "earned", points: 126 });
    const { outcome } = await earnSale(company.id, 90.91, at("2025-06-03") + 1000); // paid $100.00: 100 points
    expect(outcome).toMatchObject({ outcome: "earned", points: 115 });
    expect((await ledgerRows(company.id, memberId)).map((r) => r[3])).toEqual([
      "110 points on $110.00 spent × 1.15 (Regular)",
      "100 points on $100.00 spent × 1.15 (Regular)",
    ]);
  });

  it("multiplies what the rules give by the member's level, rounded down, and says so on the ledger row", async () => {
    const { company, tiers, memberId } = await setup();
    const t0 = at("2025-06-03");
    await earnSale(company.id, 500, t0); // 550: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });

    // 11 points x 1.5 = 16.5: 16.
    expect((await earnSale(company.id, 10, t0 + 1000)).outcome).toMatchObject({ outcome: "earned", points: 16, balance: 566 });
    // 330 x 1.5 = 495: 1061, Gold.
    expect((await earnSale(company.id, 300, t0 + 2000)).outcome).toMatchObject({ outcome: "earned", points: 495, balance: 1061 });
    // Gold doubles.
    expect((await earnSale(company.id, 100, t0 + 3000)).outcome).toMatchObject({ outcome: "earned", points: 220, balance: 1281 });

    expect(await ledgerRows(company.id, memberId)).toEqual([
      ["earn", 550, 55000, "550 points on $550.00 spent"],
      ["earn", 16, 1100, "11 points on $11.00 spent × 1.5 (Silver)"],
      ["earn", 495, 33000, "330 points on $330.00 spent × 1.5 (Silver)"],
      ["earn", 220, 11000, "110 points on $110.00 spent × 2 (Gold)"],
    ]);
    // What counts toward the level is what was earned, the multiplier included.
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 6), points: 1281, spent: 100100 }]);
    expect(await changesOf(company.id, memberId)).toEqual([
      ["Bronze", "Silver", "earned", null, t0],
      ["Silver", "Gold", "earned", null, t0 + 2000],
    ]);
  });

  it("a company without tiers earns what the rules give, without a note of a level", async () => {
    const company = await seedCompany();
    const memberId = await company.addMember({ firstName: "John" });
    await link(company.id, memberId, "789");
    await earnSale(company.id, 100, at("2025-06-03"));
    expect(await ledgerRows(company.id, memberId)).toEqual([["earn", 110, 11000, "110 points on $110.00 spent"]]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: null, reviewAt: null });
    await expectBalanceMatchesLedger(company.id);
  });
});

describe("tiers on the spend basis", () => {
  const spendTiers = [
    { name: "Member", threshold: 0, multiplier: 1 },
    { name: "VIP", threshold: 50000, multiplier: 1.25 },
  ];

  it("counts the cents spent on sales that earned, not the points", async () => {
    const { company, tiers, memberId } = await setup({ basis: "spend", tiers: spendTiers });
    // Many points per dollar: the points would reach 50000 long before the spend does.
    await db.update(companies).set({ pointsPerCurrencyUnit: 100 }).where(eq(companies.id, company.id));
    const t0 = at("2025-08-01");

    expect((await earnSale(company.id, 400, t0)).outcome).toMatchObject({ outcome: "earned", points: 44000 });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Member!.id });
    expect((await getMemberTier(db, company.id, memberId, t0))!.value).toBe(44000);

    await earnSale(company.id, 100, t0 + 1000); // $110: 55000 cents
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.VIP!.id });
    expect(await changesOf(company.id, memberId)).toEqual([["Member", "VIP", "earned", null, t0 + 1000]]);
    // VIP's multiplier: 11000 x 1.25.
    expect((await earnSale(company.id, 100, t0 + 2000)).outcome).toMatchObject({ outcome: "earned", points: 13750 });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 8), points: 68750, spent: 66000 }]);
    const tier = await getMemberTier(db, company.id, memberId, t0 + 2000);
    expect(tier).toMatchObject({ tier: tiers.VIP, value: 66000, next: null });
  });

  it("a sale that earned nothing (below the minimum spend) does not count", async () => {
    const { company, memberId } = await setup({ basis: "spend", tiers: spendTiers });
    await db.update(companies).set({ minimumSpendCents: 2000 }).where(eq(companies.id, company.id));
    const t0 = at("2025-08-01");
    expect((await earnSale(company.id, 10, t0)).outcome).toMatchObject({ outcome: "skipped", reason: "nothing_earned" });
    expect(await monthsOf(company.id, memberId)).toEqual([]);
    await earnSale(company.id, 20, t0 + 1000);
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 8), points: 22, spent: 2200 }]);
    expect((await getMemberTier(db, company.id, memberId, t0 + 1000))!.value).toBe(2200);
  });
});
