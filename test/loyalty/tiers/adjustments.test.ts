import { afterEach, describe, expect, it } from "vitest";
import { adjustPoints } from "../../../src/loyalty/ledger/adjust-points";
import { earnForOrder } from "../../../src/loyalty/earning/earn-order";
import { getMemberTier, reviewTiers } from "../../../src/loyalty/tiers/member-tier";
import { db, expectBalanceMatchesLedger, seedCompany } from "../../harness";
import { at, changesOf, earnDeps, earnSale, ledgerRows, link, month, monthsOf, seedTiers, tierRow } from "./tiers-harness";

// Manual adjustments (src/loyalty/ledger/adjust-points.ts) count toward the level only when marked
// to (counts_toward_tier): then they add to (or take from) the month's points, and the level is
// evaluated in the adjustment's batch (reason "adjusted", the actor recorded). Otherwise they move
// the balance only: an opening balance or a goodwill credit buys no level.

let touched: string[] = [];
afterEach(async () => {
  for (const id of touched) await expectBalanceMatchesLedger(id);
  touched = [];
});

async function setup(options: Parameters<typeof seedTiers>[1] = {}, openingPoints?: number) {
  const company = await seedCompany();
  touched.push(company.id);
  const tiers = await seedTiers(company.id, options);
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints });
  return { company, tiers, memberId };
}

const adjust = (companyId: string, memberId: string, points: number, now: number, countsTowardTier?: boolean) =>
  adjustPoints(db, { companyId, memberId, points, reason: "Test adjustment", idempotencyKey: null, actor: "api_key:key_test", countsTowardTier, now });

describe("adjustments and the level", () => {
  it("an opening balance and an unmarked credit count for nothing", async () => {
    const { company, tiers, memberId } = await setup({}, 5000);
    const now = at("2025-04-04");
    expect(await adjust(company.id, memberId, 2000, now)).toMatchObject({ outcome: "adjusted", balance: 7000 });

    expect(await monthsOf(company.id, memberId)).toEqual([]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: null, reviewAt: null, points: 7000 });
    expect(await changesOf(company.id, memberId)).toEqual([]);
    expect(await getMemberTier(db, company.id, memberId, now)).toMatchObject({ tier: tiers.Bronze, value: 0, next: { tier: tiers.Silver, missing: 500 } });
  });

  it("a credit marked to count lifts the level at once, recorded as adjusted by its actor; a marked debit lowers it", async () => {
    const { company, tiers, memberId } = await setup();
    const now = at("2025-04-04");
    expect(await adjust(company.id, memberId, 600, now, true)).toMatchObject({ outcome: "adjusted", balance: 600 });

    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 4), points: 600, spent: 0 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: Date.UTC(2025, 4, 1) });
    expect(await changesOf(company.id, memberId)).toEqual([["Bronze", "Silver", "adjusted", "api_key:key_test", now]]);

    // An unmarked debit: the balance goes, the level stays.
    expect(await adjust(company.id, memberId, -300, now + 1000)).toMatchObject({ outcome: "adjusted", balance: 300 });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 4), points: 600, spent: 0 }]);

    // A marked debit (a correction of the credit): counted, and the level follows.
    expect(await adjust(company.id, memberId, -200, now + 2000, true)).toMatchObject({ outcome: "adjusted", balance: 100 });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 4), points: 400, spent: 0 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id });
    expect(await changesOf(company.id, memberId)).toEqual([
      ["Bronze", "Silver", "adjusted", "api_key:key_test", now],
      ["Silver", "Bronze", "adjusted", "api_key:key_test", now + 2000],
    ]);
    expect((await ledgerRows(company.id, memberId)).map((r) => r.slice(0, 3))).toEqual([
      ["adjustment", 600, null],
      ["adjustment", -300, null],
      ["adjustment", -200, null],
    ]);
  });

  it("adds to what sales earned in the same month", async () => {
    const { company, tiers, memberId } = await setup();
    await link(company.id, memberId, "789");
    await earnSale(company.id, 400, at("2025-04-01")); // 440
    await adjust(company.id, memberId, 60, at("2025-04-02"), true);
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 4), points: 500, spent: 44000 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });
  });

  it("on the spend basis a marked adjustment adds no spend: the level does not move", async () => {
    const { company, memberId } = await setup({ basis: "spend", tiers: [{ name: "VIP", threshold: 100, multiplier: 1 }] });
    const now = at("2025-04-04");
    await adjust(company.id, memberId, 5000, now, true);
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 4), points: 5000, spent: 0 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: null });
    expect(await getMemberTier(db, company.id, memberId, now)).toMatchObject({ tier: null, value: 0 });
    expect(await changesOf(company.id, memberId)).toEqual([]);
  });

  it("a refused debit (more than the balance) counts nothing", async () => {
    const { company, memberId } = await setup({}, 100);
    expect(await adjust(company.id, memberId, -200, at("2025-04-04"), true)).toEqual({ outcome: "insufficient", balance: 100, needed: 200 });
    expect(await monthsOf(company.id, memberId)).toEqual([]);
    expect(await changesOf(company.id, memberId)).toEqual([]);
  });

  it("a refused adjustment or a repeated sale records no change of level, even one the window is due", async () => {
    const { company, tiers, memberId } = await setup({}, 100);
    await link(company.id, memberId, "789");
    const { orderId } = await earnSale(company.id, 600, at("2024-01-20")); // 660 points: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });
    const later = at("2025-03-01"); // January 2024 has left the window: the review would lower the level

    expect(await adjust(company.id, memberId, -5000, later, true)).toMatchObject({ outcome: "insufficient" });
    const repeat = await earnForOrder(earnDeps(), { companyId: company.id, orderId, now: later });
    expect(repeat).toEqual({ outcome: "repeated", memberId });

    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([["Bronze", "Silver", "earned"]]);
    expect(await reviewTiers(db, [memberId], later)).toEqual([{ member_id: memberId, company_id: company.id }]);
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "earned"],
      ["Silver", "Bronze", "review"],
    ]);
  });
});
