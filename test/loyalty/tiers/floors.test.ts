import { afterEach, describe, expect, it } from "vitest";
import { getMemberTier, reviewTiers, setTierFloor } from "../../../src/loyalty/tiers/member-tier";
import { db, expectBalanceMatchesLedger, seedCompany } from "../../harness";
import { at, cache, changesOf, DAY, earnSale, link, seedTiers, tierRow } from "./tiers-harness";

// A level set by hand (setTierFloor): a floor the level never goes below while it lasts, until a
// date or for good. It is evaluated at once (reason "manual", the actor recorded); when it ends the
// review brings the level down to what the member earns.

let touched: string[] = [];
afterEach(async () => {
  for (const id of touched) await expectBalanceMatchesLedger(id);
  touched = [];
});

async function setup() {
  const company = await seedCompany();
  touched.push(company.id);
  const tiers = await seedTiers(company.id);
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith" });
  await link(company.id, memberId, "789");
  return { company, tiers, memberId };
}

const floor = (companyId: string, memberId: string, tierId: string | null, until: number | null, now: number) =>
  setTierFloor(db, cache(), { companyId, memberId, tierId, until, actor: "api_key:key_test", now });

describe("a manual level for good", () => {
  it("lifts the member at once and holds whatever the window does", async () => {
    const { company, tiers, memberId } = await setup();
    const now = at("2025-02-01");

    const set = await floor(company.id, memberId, tiers.Gold!.id, null, now);

    expect(set).toEqual({
      outcome: "set",
      tier: {
        tier: tiers.Gold,
        value: 0,
        next: null,
        floor: { tierId: tiers.Gold!.id, tier: tiers.Gold, until: null },
        changes: [expect.objectContaining({ from_name: "Bronze", to_name: "Gold", reason: "manual", actor: "api_key:key_test", created_at: now })],
      },
    });
    // Nothing can lower it: no review is due.
    expect(await tierRow(memberId)).toEqual({ tierId: tiers.Gold!.id, floorId: tiers.Gold!.id, floorUntil: null, reviewAt: null, points: 0 });
    expect(await reviewTiers(db, [memberId], now + 800 * DAY)).toEqual([]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id });

    // A sale earns at the floor's level (Gold: x2) and does not lower it.
    expect((await earnSale(company.id, 10, now + DAY)).outcome).toMatchObject({ outcome: "earned", points: 22 });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id });
    expect((await changesOf(company.id, memberId)).map((c) => c[2])).toEqual(["manual"]);
  });

  it("is a floor, not a ceiling: a member who earns more goes above it", async () => {
    const { company, tiers, memberId } = await setup();
    await floor(company.id, memberId, tiers.Silver!.id, null, at("2025-02-01"));
    await earnSale(company.id, 1000, at("2025-02-02")); // 1100 x 1.5: Gold
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id, floorId: tiers.Silver!.id });
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "manual"],
      ["Silver", "Gold", "earned"],
    ]);
    // A floor below what the member has changes nothing (and records nothing).
    await floor(company.id, memberId, tiers.Bronze!.id, null, at("2025-02-03"));
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id, floorId: tiers.Bronze!.id });
    expect(await changesOf(company.id, memberId)).toHaveLength(2);
  });

  it("cleared (tier null): the member goes back to what they earn, at once", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 500, at("2025-02-01")); // 550: Silver
    await floor(company.id, memberId, tiers.Gold!.id, null, at("2025-02-02"));
    const cleared = await floor(company.id, memberId, null, null, at("2025-02-03"));
    expect(cleared).toMatchObject({ outcome: "set", tier: { tier: tiers.Silver, floor: null, value: 550 } });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, floorId: null, floorUntil: null });
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 4))).toEqual([
      ["Bronze", "Silver", "earned", null],
      ["Silver", "Gold", "manual", "api_key:key_test"],
      ["Gold", "Silver", "manual", "api_key:key_test"],
    ]);
  });
});

describe("a manual level until a date", () => {
  it("holds until its end; the review then brings the member down to what they earn", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 500, at("2025-03-03")); // 550: Silver
    const now = at("2025-03-04");
    const until = Date.UTC(2025, 2, 20); // before the window's next move (1 April)

    const set = await floor(company.id, memberId, tiers.Gold!.id, until, now);

    expect(set).toMatchObject({ outcome: "set", tier: { tier: tiers.Gold, floor: { tierId: tiers.Gold!.id, until } } });
    // Reviewed when it ends.
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id, floorUntil: until, reviewAt: until });
    expect(await reviewTiers(db, [memberId], until - 1)).toEqual([]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id });

    expect(await reviewTiers(db, [memberId], until)).toEqual([{ member_id: memberId, company_id: company.id }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: Date.UTC(2025, 3, 1) });
    expect(await getMemberTier(db, company.id, memberId, until)).toMatchObject({ tier: tiers.Silver, floor: null, value: 550 });
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "earned"],
      ["Silver", "Gold", "manual"],
      ["Gold", "Silver", "review"],
    ]);
  });

  it("a member with nothing earned is due at the floor's end and goes back to no level", async () => {
    const { company, tiers, memberId } = await setup();
    const now = at("2025-03-04");
    const until = now + 10 * DAY;
    await floor(company.id, memberId, tiers.Silver!.id, until, now);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: until });
    expect(await reviewTiers(db, [memberId], until)).toEqual([{ member_id: memberId, company_id: company.id }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, reviewAt: null });
  });
});

describe("what a manual level refuses", () => {
  it("an unknown tier: refused, and the member's level and history unchanged", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 500, at("2024-01-10")); // 550: Silver, long out of the window
    const before = await changesOf(company.id, memberId);

    expect(await floor(company.id, memberId, "tier_unknown", null, at("2025-06-01"))).toEqual({ outcome: "unknown_tier" });

    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, floorId: null });
    expect(await changesOf(company.id, memberId)).toEqual(before);
  });

  it("another company's tier: refused", async () => {
    const { company, memberId } = await setup();
    const other = await seedCompany();
    const theirs = await seedTiers(other.id);
    expect(await floor(company.id, memberId, theirs.Gold!.id, null, at("2025-06-01"))).toEqual({ outcome: "unknown_tier" });
    expect(await tierRow(memberId)).toMatchObject({ tierId: null, floorId: null });
  });

  it("an unknown member: not found", async () => {
    const { company, tiers } = await setup();
    expect(await floor(company.id, "mem_nobody", tiers.Gold!.id, null, at("2025-06-01"))).toEqual({ outcome: "not_found" });
  });
});
