import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { undoOrder } from "../../../src/loyalty/earning/undo-order";
import { adjustPoints } from "../../../src/loyalty/ledger/adjust-points";
import { openingKey } from "../../../src/loyalty/ledger/keys";
import { confirmRedemption, releaseRedemption } from "../../../src/loyalty/redemption/redemption";
import { readOverview } from "../../../src/loyalty/stats/overview";
import { members } from "../../../src/storage/schema";
import { db, seedCompany } from "../../harness";
import { reserveOnly } from "../../redeem-harness";
import { at, DAY, earnAt, enrolAt, expectTotalsMatchScan, programme, scannedOverview, type Company } from "./stats-harness";

// Migration 0015's backfill: run again on a database written without its triggers (as before it),
// the totals it builds equal a full scan, and the triggers carry on from there. Isolated (project
// `workers`): it drops and recreates tables.

const TRIGGERS = [
  "points_ledger_daily_totals",
  "points_ledger_reward_totals",
  "points_ledger_give_back_totals",
  "points_ledger_reversal_totals",
  "points_ledger_activity",
  "members_totals_after_insert",
  "members_totals_after_delete",
  "members_totals_after_points",
  "members_totals_after_activity",
];

/** The database as it was before 0015. */
async function undoMigration0015(): Promise<void> {
  await env.DB.batch(
    [
      ...TRIGGERS.map((t) => `DROP TRIGGER ${t}`),
      "DROP TABLE daily_totals",
      "DROP TABLE company_totals",
      "DROP TABLE monthly_reward_totals",
      "DROP INDEX redemptions_company_status_idx",
      "ALTER TABLE members DROP COLUMN last_active_day",
    ].map((q) => env.DB.prepare(q)),
  );
  const left = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all<{ name: string }>();
  // Migration 0017's trigger (tiers) stays: it writes only member_tier_months.
  expect(left.results.map((r) => r.name)).toEqual([
    "members_fts_after_delete",
    "members_fts_after_insert",
    "members_fts_after_update",
    "points_ledger_tier_months",
  ]);
}

async function runMigration0015(): Promise<void> {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0015_"));
  expect(migration?.name).toBe("0015_overview_totals.sql");
  await env.DB.batch(migration!.queries.map((q) => env.DB.prepare(q)));
}

/** A member as the code before 0015 enrolled one (enrolMember's Drizzle insert names every column, last_active_day too). */
async function memberBefore0015(company: Company, name: string, createdAt: number, opening: number, customerId?: string): Promise<string> {
  const id = `mem_${name.toLowerCase()}_${company.id}`;
  await db.run(sql`INSERT INTO members (id, company_id, first_name, points, status, search_terms, created_at, updated_at)
    VALUES (${id}, ${company.id}, ${name}, ${opening}, 'active', '', ${createdAt}, ${createdAt})`);
  if (opening !== 0) {
    await db.run(sql`INSERT INTO points_ledger (id, company_id, member_id, delta, reason, actor, note, idempotency_key, created_at)
      VALUES (${`led_open_${id}`}, ${company.id}, ${id}, ${opening}, 'adjustment', 'test', 'Opening balance', ${openingKey(id)}, ${createdAt})`);
  }
  if (customerId) {
    await db.run(sql`INSERT INTO customer_links (company_id, kounta_customer_id, member_id, linked_at) VALUES (${company.id}, ${customerId}, ${id}, ${createdAt})`);
  }
  return id;
}

async function redeemAt(company: Company, memberId: string, reward: string, orderId: string, now: number, then: { confirm?: number; release?: number }) {
  const id = await reserveOnly({ company, memberId }, reward, orderId, { now });
  if (then.confirm) expect(await confirmRedemption(db, { companyId: company.id, redemptionId: id, kountaRef: "line:9", now: then.confirm })).toBe(true);
  if (then.release) expect(await releaseRedemption(db, { companyId: company.id, redemptionId: id, reason: "Order closed", now: then.release })).toBe(true);
  return id;
}

const lastActiveDays = async (ids: string[]) =>
  Promise.all(ids.map(async (id) => (await db.select({ day: members.lastActiveDay }).from(members).where(eq(members.id, id)))[0]!.day));

describe("migration 0015: the overview's totals", () => {
  it("backfills from the ledger and members written before it, equal to a full scan, and the triggers carry on from there", async () => {
    const a = await seedCompany({ rewards: programme });
    const b = await seedCompany({ rewards: programme });
    const empty = await seedCompany();
    await undoMigration0015();

    const ann = await memberBefore0015(a, "Ann", at("2024-01-10T09:00:00Z"), 100, "901");
    const bob = await memberBefore0015(a, "Bob", at("2024-02-01T09:00:00Z"), 0, "902");
    const zed = await memberBefore0015(a, "Zed", at("2024-03-01T09:00:00Z"), 40); // an opening balance is no activity
    const dot = await memberBefore0015(a, "Dot", at("2024-03-05T09:00:00Z"), 0);
    const bea = await memberBefore0015(b, "Bea", at("2024-03-20T09:00:00Z"), 0, "911");
    await earnAt(a, "901", 4, at("2024-02-05T10:00:00Z"));
    const bobOrder = await earnAt(a, "902", 10, at("2024-03-10T10:00:00Z"));
    await earnAt(a, "902", 2, at("2024-03-12T10:00:00Z"));
    await earnAt(b, "911", 3, at("2024-04-03T10:00:00Z"));
    // Reserved in March, released in April: counted in neither.
    await redeemAt(a, ann, "coffee", "951", at("2024-03-31T23:00:00Z"), { release: at("2024-04-01T01:00:00Z") });
    await redeemAt(a, bob, "cake", bobOrder, at("2024-04-02T10:00:00Z"), { confirm: at("2024-04-02T10:00:01Z") });
    await redeemAt(a, ann, "cake", "952", at("2024-04-03T10:00:00Z"), { confirm: at("2024-04-03T10:00:01Z") });
    await redeemAt(a, bob, "cake", "954", at("2024-04-03T10:30:00Z"), { confirm: at("2024-04-03T10:30:01Z") });
    // Bob's first sale is rejected after he spent its points: he ends at -20, no liability.
    expect(await undoOrder(db, { companyId: a.id, orderId: bobOrder, reason: "rejected", now: at("2024-04-05T08:00:00Z") })).toEqual({ reversed: 50, returned: 30 });
    await adjustPoints(db, { companyId: a.id, memberId: ann, points: -5, reason: "Typo", idempotencyKey: null, actor: "test", now: at("2024-04-06T10:00:00Z") });

    await runMigration0015();

    expect(await lastActiveDays([ann, bob, zed, dot, bea])).toEqual(
      [at("2024-04-03T10:00:00Z"), at("2024-04-03T10:30:00Z"), null, null, at("2024-04-03T10:00:00Z")].map((t) => (t === null ? null : Math.floor(t / DAY))),
    );
    const scanned = await expectTotalsMatchScan(a.id);
    expect(scanned.outstanding).toBe(100 + 20 - 30 - 5 + 40);
    expect((await db.select({ points: members.points }).from(members).where(eq(members.id, bob)))[0]!.points).toBe(-20);
    await expectTotalsMatchScan(b.id);
    const NOW = at("2024-04-10T12:00:00Z");
    const overview = await readOverview(db, a.id, NOW);
    expect(overview).toEqual(await scannedOverview(a.id, NOW));
    expect(overview.members).toEqual({ total: 4, active30d: 2, newThisMonth: 0 });
    expect(overview.points).toEqual({ outstanding: 125, pointValueCents: 1, liabilityCents: 125 });
    expect(overview.redemptionsThisMonth).toBe(2); // Ann's cake and Bob's second; his first was returned
    expect(overview.weeks.slice(-6)).toEqual([
      { start: "2024-03-04", earned: 0, redeemed: 0 }, // Bob's sale of Mar 10, rejected
      { start: "2024-03-11", earned: 10, redeemed: 0 },
      { start: "2024-03-18", earned: 0, redeemed: 0 },
      { start: "2024-03-25", earned: 0, redeemed: 0 }, // the coffee reserved on Mar 31, released
      { start: "2024-04-01", earned: 0, redeemed: 60 },
      { start: "2024-04-08", earned: 0, redeemed: 0 },
    ]);
    expect(await readOverview(db, empty.id, NOW)).toMatchObject({
      members: { total: 0, active30d: 0, newThisMonth: 0 },
      points: { outstanding: 0, pointValueCents: 1, liabilityCents: 0 },
      redemptionsThisMonth: 0,
      topRewards: [],
      pending: { count: 0, oldest: [] },
    });

    // Written after the migration: the triggers add to what the backfill counted.
    const cat = await enrolAt(a, at("2024-04-08T09:00:00Z"), { firstName: "Cat", openingPoints: 60, customerId: "903" });
    await earnAt(a, "903", 2, at("2024-04-09T10:00:00Z"));
    await earnAt(a, "902", 1, at("2024-04-09T11:00:00Z"));
    await redeemAt(a, cat, "coffee", "953", at("2024-04-09T12:00:00Z"), { confirm: at("2024-04-09T12:00:01Z") });
    await db.delete(members).where(eq(members.id, dot));
    await expectTotalsMatchScan(a.id);
    const later = await readOverview(db, a.id, NOW);
    expect(later).toEqual(await scannedOverview(a.id, NOW));
    expect(later.members).toEqual({ total: 4, active30d: 3, newThisMonth: 1 });
    expect(later.redemptionsThisMonth).toBe(3);
    expect(later.weeks.at(-1)).toEqual({ start: "2024-04-08", earned: 15, redeemed: 50 });
  });
});
