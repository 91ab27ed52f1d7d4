import { describe, expect, it } from "vitest";
import { getMemberTier, reviewTiers } from "../../../src/loyalty/tiers/member-tier";
import { db } from "../../harness";
import { at, changesOf, DAY, earnSale, month, monthsOf, tierRow, tieredMember } from "./tiers-harness";

// The window a level counts (src/loyalty/tiers/window.ts): on "rolling", the current UTC month and
// the window_months before it; on "calendar_year", this UTC year. Old earnings leave it; the level
// kept on the row then comes down at the review (reviewTiers, the cron's step), never by itself,
// and a member is reviewed at most once a day (tier_review_at is at least a day after each evaluation).

const setup = tieredMember();

const valueAt = async (companyId: string, memberId: string, now: number) => (await getMemberTier(db, companyId, memberId, now))!.value;

describe("the rolling window", () => {
  it("12 months: a sale counts through the same month a year on, then leaves; the review brings the level down", async () => {
    const { company, tiers, memberId } = await setup();
    const sold = at("2024-01-15");
    await earnSale(company.id, 600, sold); // 660: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: Date.UTC(2024, 1, 1) });

    expect(await valueAt(company.id, memberId, Date.UTC(2025, 0, 31, 23, 59))).toBe(660);
    const left = Date.UTC(2025, 1, 1);
    expect(await valueAt(company.id, memberId, left)).toBe(0);
    // Out of the window, but the level kept holds until the review looks at it.
    expect(await getMemberTier(db, company.id, memberId, left)).toMatchObject({ tier: tiers.Silver, value: 0, next: { tier: tiers.Gold, missing: 1000 } });

    // A review while the sale still counts changes nothing.
    expect(await reviewTiers(db, [memberId], Date.UTC(2025, 0, 30))).toEqual([]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: left });

    expect(await reviewTiers(db, [memberId], left)).toEqual([{ member_id: memberId, company_id: company.id }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, reviewAt: null });
    expect(await changesOf(company.id, memberId)).toEqual([
      ["Bronze", "Silver", "earned", null, sold],
      ["Silver", "Bronze", "review", null, left],
    ]);
    expect(await getMemberTier(db, company.id, memberId, left)).toMatchObject({ tier: tiers.Bronze, value: 0 });
    // The month row stays: the window, not the data, moved.
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2024, 1), points: 660, spent: 66000 }]);
  });

  it("window_months 3: counts the current month and the 3 before it", async () => {
    const { company, tiers, memberId } = await setup({ windowMonths: 3 });
    await earnSale(company.id, 300, at("2024-01-20")); // 330
    await earnSale(company.id, 300, at("2024-03-05")); // 660: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });

    expect(await valueAt(company.id, memberId, at("2024-04-30"))).toBe(660);
    expect(await valueAt(company.id, memberId, at("2024-05-01"))).toBe(330);
    expect(await reviewTiers(db, [memberId], at("2024-05-01"))).toEqual([{ member_id: memberId, company_id: company.id }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, reviewAt: Date.UTC(2024, 5, 1) });
    expect(await valueAt(company.id, memberId, at("2024-07-01"))).toBe(0);
  });

  it("a sale in the window lifts the level at once, without waiting for a review", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 300, at("2024-01-20")); // 330
    await earnSale(company.id, 300, at("2025-01-10")); // 660 in the window: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });
    await earnSale(company.id, 1, at("2025-02-10")); // the January 2024 sale has left: 330 + 1
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id });
    // Earning evaluates too: the level comes down with the sale that finds the old one gone, and the
    // change is the window's (recorded as the review's), not the sale's.
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "earned"],
      ["Silver", "Bronze", "review"],
    ]);
  });
});

describe("the calendar year", () => {
  it("counts this UTC year only: December's sale is gone on the 1st of January", async () => {
    const { company, tiers, memberId } = await setup({ window: "calendar_year" });
    await earnSale(company.id, 100, at("2024-01-02")); // 110
    const december = Date.UTC(2024, 11, 31, 23, 0);
    await earnSale(company.id, 500, december); // 660: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: december + DAY });

    expect(await valueAt(company.id, memberId, Date.UTC(2024, 11, 31, 23, 59))).toBe(660);
    const newYear = Date.UTC(2025, 0, 1);
    expect(await valueAt(company.id, memberId, newYear)).toBe(0);
    // Due a day after the last evaluation: at most once a day, even across the year's end.
    expect(await reviewTiers(db, [memberId], december + DAY)).toEqual([{ member_id: memberId, company_id: company.id }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, reviewAt: null });
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "earned"],
      ["Silver", "Bronze", "review"],
    ]);
  });

  it("a sale early in the year counts all year long, the review due at the year's end", async () => {
    const { company, tiers, memberId } = await setup({ window: "calendar_year" });
    await earnSale(company.id, 500, at("2024-02-01")); // 550: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: Date.UTC(2025, 0, 1) });
    expect(await reviewTiers(db, [memberId], at("2024-12-30"))).toEqual([]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: Date.UTC(2025, 0, 1) });
    expect(await valueAt(company.id, memberId, at("2024-12-31"))).toBe(550);
  });

  it("on the spend basis too", async () => {
    const { company, tiers, memberId } = await setup({
      basis: "spend",
      window: "calendar_year",
      tiers: [{ name: "VIP", threshold: 50000, multiplier: 1 }],
    });
    await earnSale(company.id, 500, at("2024-06-01")); // $550
    expect(await getMemberTier(db, company.id, memberId, at("2024-06-01"))).toMatchObject({ tier: tiers.VIP, value: 55000, next: null });
    expect(await reviewTiers(db, [memberId], Date.UTC(2025, 0, 1))).toEqual([{ member_id: memberId, company_id: company.id }]);
    // No tier at threshold 0: below VIP is no level at all.
    expect(await getMemberTier(db, company.id, memberId, Date.UTC(2025, 0, 1))).toMatchObject({
      tier: null,
      value: 0,
      next: { tier: tiers.VIP, missing: 50000 },
    });
    expect(await changesOf(company.id, memberId)).toEqual([
      [null, "VIP", "earned", null, at("2024-06-01")],
      ["VIP", null, "review", null, Date.UTC(2025, 0, 1)],
    ]);
  });
});

describe("at most once a day", () => {
  it("the next review is never within a day of an evaluation, whatever the window's next move", async () => {
    const { company, memberId } = await setup();
    const lateInMonth = Date.UTC(2024, 0, 31, 20, 0);
    await earnSale(company.id, 100, lateInMonth);
    // The window moves at midnight, four hours later: the review waits a day.
    expect((await tierRow(memberId)).reviewAt).toBe(lateInMonth + DAY);
    await reviewTiers(db, [memberId], lateInMonth + DAY);
    expect((await tierRow(memberId)).reviewAt).toBe(Date.UTC(2024, 2, 1));
  });
});
