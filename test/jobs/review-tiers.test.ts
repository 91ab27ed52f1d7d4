import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { reviewDueTiers, reviewTiersJob } from "../../src/jobs/review-tiers";
import { scheduledJobs } from "../../src/jobs/scheduled";
import { Logger } from "../../src/lib/logger";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import { setTierFloor } from "../../src/loyalty/tiers/member-tier";
import { companies, members } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";
import { at, cache, changesOf, DAY, earnSale, link, month, seedTiers, tierRow } from "../loyalty/tiers/tiers-harness";

// The cron's tier review (src/jobs/review-tiers.ts): members due (tier_review_at <= now), across
// companies, are evaluated again (reason "review"): downgrades when old earnings have left the
// window or a manual level has ended. At most once a day per member, and at most 3 chunks of 100 per
// run. This file has storage of its own (test/vitest.config.ts): every test starts with nobody due.

const quiet = new Logger({ test: "review-tiers" });

beforeEach(async () => {
  await db.update(members).set({ tierReviewAt: null });
});

async function setup(options: Parameters<typeof seedTiers>[1] = {}) {
  const company = await seedCompany();
  const tiers = await seedTiers(company.id, options);
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith" });
  await link(company.id, memberId, "789");
  return { company, tiers, memberId };
}

describe("the tier review", () => {
  it("is one of the cron's jobs", () => {
    expect(scheduledJobs).toContain(reviewTiersJob);
    expect(reviewTiersJob.name).toBe("review-tiers");
  });

  it("a `now` months later: old earnings have left the window and members come down, in every company", async () => {
    const a = await setup();
    const b = await setup({ window: "calendar_year" });
    await earnSale(a.company.id, 1000, at("2024-01-15")); // 1100: Gold
    await earnSale(b.company.id, 500, at("2024-03-15")); // 550: Silver
    // Another member of A who still has this year's earnings: due, reviewed, unchanged.
    const stays = await a.company.addMember({ firstName: "Ann" });
    await link(a.company.id, stays, "790");
    await earnSale(a.company.id, 600, at("2024-12-20"), "790"); // 660: Silver
    await env.CACHE.put(cacheKeys.memberCard(a.company.id, a.memberId), JSON.stringify({ stale: true }));

    const now = at("2025-02-03");
    expect(await reviewDueTiers(env, quiet, now)).toEqual({ reviewed: 3, changed: 2 });

    expect(await tierRow(a.memberId)).toMatchObject({ tierId: a.tiers.Bronze!.id, reviewAt: null });
    expect(await tierRow(b.memberId)).toMatchObject({ tierId: b.tiers.Bronze!.id, reviewAt: null });
    expect(await tierRow(stays)).toMatchObject({ tierId: a.tiers.Silver!.id, reviewAt: Date.UTC(2025, 2, 1) });
    expect(await changesOf(a.company.id, a.memberId)).toEqual([
      ["Bronze", "Gold", "earned", null, at("2024-01-15")],
      ["Gold", "Bronze", "review", null, now],
    ]);
    expect((await changesOf(b.company.id, b.memberId)).map((c) => c.slice(0, 3))).toEqual([
      ["Bronze", "Silver", "earned"],
      ["Silver", "Bronze", "review"],
    ]);
    expect((await changesOf(a.company.id, stays)).map((c) => c[2])).toEqual(["earned"]);
    // The reviewed members' cached cards are gone: the next lookup reads the level afresh.
    expect(await env.CACHE.get(cacheKeys.memberCard(a.company.id, a.memberId))).toBeNull();
    await expectBalanceMatchesLedger(a.company.id);
    await expectBalanceMatchesLedger(b.company.id);
  });

  it("a member not yet due is left alone", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 500, at("2024-01-15")); // Silver, due 1 February 2024
    expect(await reviewDueTiers(env, quiet, Date.UTC(2024, 1, 1) - 1)).toEqual({ reviewed: 0, changed: 0 });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, reviewAt: Date.UTC(2024, 1, 1) });
  });

  it("at most once a day: the next run, minutes later, reviews nobody again", async () => {
    const { company, memberId } = await setup();
    await earnSale(company.id, 500, at("2024-01-15"));
    const first = Date.UTC(2024, 1, 1, 0, 5);
    expect(await reviewDueTiers(env, quiet, first)).toEqual({ reviewed: 1, changed: 0 });
    expect((await tierRow(memberId)).reviewAt).toBeGreaterThanOrEqual(first + DAY);
    for (const later of [first + 5 * 60_000, first + DAY - 1]) {
      expect(await reviewDueTiers(env, quiet, later)).toEqual({ reviewed: 0, changed: 0 });
    }
    expect(await changesOf(company.id, memberId)).toHaveLength(1);
  });

  it("a manual level that has ended: the member comes down to what they earn", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 500, at("2024-05-02")); // Silver
    const until = at("2024-05-20");
    await setTierFloor(db, cache(), { companyId: company.id, memberId, tierId: tiers.Gold!.id, until, actor: "api_key:key_test", now: at("2024-05-03") });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id, reviewAt: until });

    expect(await reviewDueTiers(env, quiet, until + 60_000)).toEqual({ reviewed: 1, changed: 1 });
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, floorId: tiers.Gold!.id, reviewAt: Date.UTC(2024, 5, 1) });
    expect((await changesOf(company.id, memberId)).map((c) => c.slice(0, 4))).toEqual([
      ["Bronze", "Silver", "earned", null],
      ["Silver", "Gold", "manual", "api_key:key_test"],
      ["Gold", "Silver", "review", null],
    ]);
  });

  it("at most 5 chunks of 200 a run: the rest waits for the next run, the longest waiting first", async () => {
    const company = await seedCompany();
    const tiers = await seedTiers(company.id);
    const due = Date.UTC(2024, 1, 1);
    // 1005 Silver members whose only points (January 2024) have left the window, due one after the other.
    await db.run(sql`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1005)
      INSERT INTO members (id, company_id, first_name, created_at, updated_at, tier_id, tier_review_at)
      SELECT 'mem_bulk_' || ${company.id} || '_' || i, ${company.id}, 'Bulk ' || i, ${due}, ${due}, ${tiers.Silver!.id}, ${due} + i FROM n`);
    await db.run(sql`
      INSERT INTO member_tier_months (company_id, member_id, month, points, spent_cents)
      SELECT company_id, id, ${month(2024, 1)}, 600, 0 FROM members WHERE company_id = ${company.id}`);
    const generation = async () => (await db.select({ g: companies.cardsGeneration }).from(companies).where(eq(companies.id, company.id)))[0]!.g;
    const before = await generation();
    const now = at("2025-03-01");

    expect(await reviewDueTiers(env, quiet, now)).toEqual({ reviewed: 1000, changed: 1000 });
    const left = await db.all<{ id: string }>(sql`SELECT id FROM members WHERE company_id = ${company.id} AND tier_review_at <= ${now} ORDER BY tier_review_at`);
    expect(left.map((m) => m.id)).toEqual([1001, 1002, 1003, 1004, 1005].map((i) => `mem_bulk_${company.id}_${i}`));
    // So many changes in one company: its cards are invalidated at once, not one by one.
    expect(await generation()).toBe(before + 1);

    expect(await reviewDueTiers(env, quiet, now + 5 * 60_000)).toEqual({ reviewed: 5, changed: 5 });
    const [counts] = await db.all<{ bronze: number; changes: number }>(sql`
      SELECT (SELECT count(*) FROM members WHERE company_id = ${company.id} AND tier_id = ${tiers.Bronze!.id}) AS bronze,
        (SELECT count(*) FROM tier_changes WHERE company_id = ${company.id} AND reason = 'review') AS changes`);
    expect(counts).toEqual({ bronze: 1005, changes: 1005 });
    // Five changes: those cards are deleted one by one, the generation stays.
    expect(await generation()).toBe(before + 1);
    expect(await reviewDueTiers(env, quiet, now + 10 * 60_000)).toEqual({ reviewed: 0, changed: 0 });
  }, 60_000);

  it("the job runs at the cron's scheduled time", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 500, at("2024-01-15"));
    await reviewTiersJob.run(env, quiet, Date.UTC(2025, 1, 2));
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, reviewAt: null });
    expect((await changesOf(company.id, memberId)).map((c) => [c[2], c[4]])).toEqual([["earned", at("2024-01-15")], ["review", Date.UTC(2025, 1, 2)]]);
  });
});
