import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { reviewTiers } from "../../src/loyalty/tiers/member-tier";
import { createApiKey } from "../../src/storage/api-keys";
import { members, tiers as tiersTable } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";
import { changesOf, DAY, tierRow } from "../loyalty/tiers/tiers-harness";

// The admin API's tiers (src/admin/routes/tiers.ts): GET/PUT /tiers, GET/PUT /members/{id}/tier,
// and adjustments that count toward a tier.

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const tierId = expect.stringMatching(/^tier_[0-9a-z]{16}$/);

let touched: string[] = [];
afterEach(async () => {
  for (const id of touched) await expectBalanceMatchesLedger(id);
  touched = [];
});

async function setup() {
  const company = await seedCompany();
  touched.push(company.id);
  const key = await createApiKey(db, { companyId: company.id, name: "Tiers test" });
  return { company, key: key.key, keyId: key.id };
}

const three = {
  basis: "points",
  window: "rolling",
  window_months: 12,
  tiers: [
    { name: "Bronze", threshold: 0 },
    { name: "Silver", threshold: 500, multiplier: 1.25 },
    { name: "Gold", threshold: 1000, multiplier: 1.5 },
  ],
};

/** What tomorrow's day is, YYYY-MM-DD (UTC), days from now. */
const dayFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

describe("GET and PUT /tiers", () => {
  it("a company without tiers: none, on points over a rolling 12 months", async () => {
    const { key } = await setup();
    const res = await admin(key, "GET", "/tiers");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ basis: "points", window: "rolling", window_months: 12, tiers: [] });
  });

  it("puts three tiers, lowest first, multiplier 1 by default, and reads them back", async () => {
    const { key } = await setup();
    const put = await admin(key, "PUT", "/tiers", three);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      basis: "points",
      window: "rolling",
      window_months: 12,
      tiers: [
        { id: tierId, name: "Bronze", threshold: 0, multiplier: 1, position: 0 },
        { id: tierId, name: "Silver", threshold: 500, multiplier: 1.25, position: 1 },
        { id: tierId, name: "Gold", threshold: 1000, multiplier: 1.5, position: 2 },
      ],
    });
    expect(new Set(put.body.tiers.map((t: { id: string }) => t.id)).size).toBe(3);
    expect((await admin(key, "GET", "/tiers")).body).toEqual(put.body);
  });

  it("the spend basis on the calendar year, window_months defaulting to 12", async () => {
    const { key } = await setup();
    const put = await admin(key, "PUT", "/tiers", { basis: "spend", window: "calendar_year", tiers: [{ name: " VIP ", threshold: 50000, multiplier: 2 }] });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ basis: "spend", window: "calendar_year", window_months: 12, tiers: [{ id: tierId, name: "VIP", threshold: 50000, multiplier: 2, position: 0 }] });
  });

  it("a tier sent with its id is kept (renamed, moved); one left out is removed but still named in history", async () => {
    const { company, key } = await setup();
    const first = (await admin(key, "PUT", "/tiers", three)).body.tiers as { id: string; name: string }[];
    const [bronze, silver, gold] = first;
    const memberId = await company.addMember({ firstName: "Ann" });
    await admin(key, "PUT", `/members/${memberId}/tier`, { tier_id: silver!.id });

    const put = await admin(key, "PUT", "/tiers", {
      basis: "points",
      window: "rolling",
      window_months: 6,
      tiers: [
        { id: silver!.id, name: "Silver+", threshold: 300 },
        { id: gold!.id, name: "Gold", threshold: 900, multiplier: 2 },
        { name: "Platinum", threshold: 2000, multiplier: 3 },
      ],
    });

    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      basis: "points",
      window: "rolling",
      window_months: 6,
      tiers: [
        { id: silver!.id, name: "Silver+", threshold: 300, multiplier: 1, position: 0 },
        { id: gold!.id, name: "Gold", threshold: 900, multiplier: 2, position: 1 },
        { id: tierId, name: "Platinum", threshold: 2000, multiplier: 3, position: 2 },
      ],
    });
    const [removed] = await db.select().from(tiersTable).where(eq(tiersTable.id, bronze!.id));
    expect(removed).toMatchObject({ name: "Bronze", removedAt: expect.any(Number) });
    // The member held at Silver by hand stays with it (renamed) and is due a review; the history keeps the names as they were.
    expect((await tierRow(memberId)).reviewAt).toBeLessThanOrEqual(Date.now());
    const tier = await admin(key, "GET", `/members/${memberId}/tier`);
    expect(tier.body).toMatchObject({
      tier: put.body.tiers[0],
      manual: { tier_id: silver!.id, name: "Silver+", until: null },
      changes: [{ from_tier_id: bronze!.id, from_name: "Bronze", to_tier_id: silver!.id, to_name: "Silver", reason: "manual" }],
    });
  });

  it("changed thresholds: the member is due a review, which moves their level", async () => {
    const { company, key } = await setup();
    const put = (await admin(key, "PUT", "/tiers", three)).body.tiers as { id: string }[];
    const memberId = await company.addMember({ firstName: "Ann" });
    await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 600, reason: "Counts toward the tier", counts_toward_tier: true });
    expect(await tierRow(memberId)).toMatchObject({ tierId: put[1]!.id });

    await admin(key, "PUT", "/tiers", { ...three, tiers: [{ id: put[0]!.id, name: "Bronze", threshold: 0 }, { id: put[1]!.id, name: "Silver", threshold: 700 }, { id: put[2]!.id, name: "Gold", threshold: 1000 }] });

    const due = (await tierRow(memberId)).reviewAt!;
    expect(due).toBeLessThanOrEqual(Date.now());
    expect(await reviewTiers(db, [memberId], due)).toEqual([{ member_id: memberId, company_id: company.id }]);
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "adjusted"],
      ["Silver", "Bronze", "review"],
    ]);
  });

  it("an empty list ends tiers: members' levels go at the review", async () => {
    const { company, key } = await setup();
    await admin(key, "PUT", "/tiers", three);
    const memberId = await company.addMember({ firstName: "Ann" });
    await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 600, reason: "Counts toward the tier", counts_toward_tier: true });

    const put = await admin(key, "PUT", "/tiers", { basis: "points", window: "rolling", tiers: [] });
    expect(put.body).toEqual({ basis: "points", window: "rolling", window_months: 12, tiers: [] });
    await reviewTiers(db, [memberId], (await tierRow(memberId)).reviewAt!);
    expect(await tierRow(memberId)).toMatchObject({ tierId: null, reviewAt: null });
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "adjusted"],
      ["Silver", null, "review"],
    ]);
  });
});

describe("GET and PUT /members/{id}/tier", () => {
  it("a member's level, what the next needs, and the history newest first", async () => {
    const { company, key, keyId } = await setup();
    const [bronze, silver, gold] = (await admin(key, "PUT", "/tiers", three)).body.tiers;
    const memberId = await company.addMember({ firstName: "Ann" });

    const none = await admin(key, "GET", `/members/${memberId}/tier`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ tier: bronze, value: 0, next: { tier: silver, missing: 500 }, manual: null, changes: [] });

    const adjusted = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 520, reason: "Counts toward the tier", counts_toward_tier: true });
    expect(adjusted.status).toBe(201);
    expect(adjusted.body.balance).toBe(520);
    await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 1000, reason: "Goodwill, not toward the tier" });

    const held = await admin(key, "PUT", `/members/${memberId}/tier`, { tier_id: gold.id });
    expect(held.status).toBe(200);

    const read = await admin(key, "GET", `/members/${memberId}/tier`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      tier: gold,
      value: 520,
      next: null,
      manual: { tier_id: gold.id, name: "Gold", until: null },
      changes: [
        { id: expect.stringMatching(/^tch_/), from_tier_id: silver.id, from_name: "Silver", to_tier_id: gold.id, to_name: "Gold", reason: "manual", actor: `api_key:${keyId}`, created_at: iso },
        { id: expect.stringMatching(/^tch_/), from_tier_id: bronze.id, from_name: "Bronze", to_tier_id: silver.id, to_name: "Silver", reason: "adjusted", actor: `api_key:${keyId}`, created_at: iso },
      ],
    });
    expect(held.body).toEqual(read.body);
    expect(Date.parse(read.body.changes[0].created_at)).toBeGreaterThanOrEqual(Date.parse(read.body.changes[1].created_at));
  });

  it("a manual level until a date holds to the end of that day (UTC), then is due a review", async () => {
    const { company, key } = await setup();
    const [, silver] = (await admin(key, "PUT", "/tiers", three)).body.tiers;
    const memberId = await company.addMember({ firstName: "Ann" });
    const day = dayFromNow(10);
    const end = Date.parse(`${day}T00:00:00Z`) + DAY;

    const res = await admin(key, "PUT", `/members/${memberId}/tier`, { tier_id: silver.id, until: day });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tier: silver, value: 0, manual: { tier_id: silver.id, name: "Silver", until: new Date(end).toISOString() } });
    expect(await tierRow(memberId)).toMatchObject({ tierId: silver.id, floorId: silver.id, floorUntil: end, reviewAt: end });

    // Today is the last day it may end on.
    const today = await admin(key, "PUT", `/members/${memberId}/tier`, { tier_id: silver.id, until: dayFromNow(0) });
    expect(today.status).toBe(200);
  });

  it("tier_id null clears the manual level: back to what the member earns", async () => {
    const { company, key } = await setup();
    const [bronze, , gold] = (await admin(key, "PUT", "/tiers", three)).body.tiers;
    const memberId = await company.addMember({ firstName: "Ann" });
    await admin(key, "PUT", `/members/${memberId}/tier`, { tier_id: gold.id, until: dayFromNow(30) });

    const res = await admin(key, "PUT", `/members/${memberId}/tier`, { tier_id: null });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tier: bronze, manual: null });
    expect(res.body.changes.map((c: { reason: string; to_name: string }) => [c.reason, c.to_name])).toEqual([["manual", "Bronze"], ["manual", "Gold"]]);
    const [row] = await db.select().from(members).where(and(eq(members.companyId, company.id), eq(members.id, memberId)));
    expect(row).toMatchObject({ tierId: bronze.id, tierFloorId: null, tierFloorUntil: null });
  });

  it("a member of another company's key: 404", async () => {
    const { company } = await setup();
    const other = await seedCompany();
    const memberId = await company.addMember({ firstName: "Ann" });
    const res = await admin(await adminKey(other.id), "GET", `/members/${memberId}/tier`);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", message: "This company has no member with that id" });
  });
});

describe("rewards for a tier", () => {
  it("a reward created and patched with min_tier_id shows it", async () => {
    const { key } = await setup();
    const [, silver, gold] = (await admin(key, "PUT", "/tiers", three)).body.tiers;
    const created = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Gold coffee", points_required: 100, product_id: "2001", min_tier_id: gold.id });
    expect(created.status).toBe(201);
    expect(created.body.min_tier_id).toBe(gold.id);
    const patched = await admin(key, "PATCH", `/rewards/${created.body.id}`, { min_tier_id: silver.id });
    expect(patched.body.min_tier_id).toBe(silver.id);
    const cleared = await admin(key, "PATCH", `/rewards/${created.body.id}`, { min_tier_id: null });
    expect(cleared.body.min_tier_id).toBeNull();
  });
});
