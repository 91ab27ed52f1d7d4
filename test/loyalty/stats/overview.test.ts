import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { RequestMetrics } from "../../../src/lib/metrics";
import { expireCompanyPoints } from "../../../src/loyalty/earning/expiry";
import { undoOrder } from "../../../src/loyalty/earning/undo-order";
import { adjustPoints } from "../../../src/loyalty/ledger/adjust-points";
import { confirmRedemption, releaseRedemption } from "../../../src/loyalty/redemption/redemption";
import { readOverview } from "../../../src/loyalty/stats/overview";
import { openDatabase } from "../../../src/storage/db";
import { companies, members } from "../../../src/storage/schema";
import { db, seedCompany } from "../../harness";
import { reserveOnly } from "../../redeem-harness";
import { at, DAY, earnAt, enrolAt, expectTotalsMatchScan, programme, scannedOverview, type Company } from "./stats-harness";

// The dashboard's overview (src/loyalty/stats/overview.ts) from the running totals the triggers of
// migration 0015 keep: the same figures as a full scan of the ledger and members, for a bounded
// number of rows read.

/** A redemption reserved at `now` (then confirmed or released when asked), through the domain's own functions. */
async function redeemAt(company: Company, memberId: string, reward: string, orderId: string, now: number, then?: { confirm?: number; release?: number }) {
  const id = await reserveOnly({ company, memberId }, reward, orderId, { now });
  if (then?.confirm !== undefined) {
    expect(await confirmRedemption(db, { companyId: company.id, redemptionId: id, kountaRef: "line:9", now: then.confirm })).toBe(true);
  }
  if (then?.release !== undefined) {
    expect(await releaseRedemption(db, { companyId: company.id, redemptionId: id, reason: "Order closed", now: then.release })).toBe(true);
  }
  return id;
}

const noWeeks = (mondays: string[]) => mondays.map((start) => ({ start, earned: 0, redeemed: 0 }));

describe("readOverview", () => {
  it("equals a full scan after earning, redemptions (applied, released, returned, pending), an undone order, an adjustment, expiry and a deleted member", async () => {
    const company = await seedCompany({ rewards: programme });
    await db.update(companies).set({ pointValueCents: 2 }).where(eq(companies.id, company.id));
    const NOW = at("2024-05-15T12:00:00Z"); // a Wednesday

    const eve = await enrolAt(company, at("2024-01-05T09:00:00Z"), { firstName: "Eve", customerId: "705" });
    const ann = await enrolAt(company, at("2024-02-10T09:00:00Z"), { firstName: "Ann", lastName: "Lee", openingPoints: 100, customerId: "701" });
    const bob = await enrolAt(company, at("2024-03-01T09:00:00Z"), { firstName: "Bob", customerId: "702" });
    await earnAt(company, "701", 4, at("2024-03-03T10:00:00Z")); // Ann +20, a Sunday: week of Feb 26
    await earnAt(company, "705", 2, at("2024-04-01T10:00:00Z")); // Eve +10, her last activity
    const bobOrder = await earnAt(company, "702", 12, at("2024-04-14T23:59:59.999Z")); // Bob +60, Sunday: week of Apr 8
    await earnAt(company, "701", 2, at("2024-04-15T00:00:00.000Z")); // Ann +10, Monday: week of Apr 15
    // Reserved on the last evening of April, released after midnight: counted in no day and no month.
    await redeemAt(company, ann, "coffee", "801", at("2024-04-30T23:00:00Z"), { release: at("2024-05-01T01:00:00Z") });
    // Bob's cake on the April order (applied, then returned when the order is deleted) and another that stands.
    await redeemAt(company, bob, "cake", bobOrder, at("2024-05-02T10:00:00Z"), { confirm: at("2024-05-02T10:00:01Z") });
    const annCake = await redeemAt(company, ann, "cake", "802", at("2024-05-03T09:00:00Z")); // still pending
    await redeemAt(company, bob, "cake", "803", at("2024-05-04T10:00:00Z"), { confirm: at("2024-05-04T10:00:01Z") });
    // The April sale is deleted: its 60 points taken back (on the day of the sale) and the cake's 30
    // given back (on the day of the cake), which leaves Bob at -30.
    expect(await undoOrder(db, { companyId: company.id, orderId: bobOrder, reason: "deleted", now: at("2024-05-05T08:00:00Z") })).toEqual({
      reversed: 60,
      returned: 30,
    });
    const adjusted = await adjustPoints(db, { companyId: company.id, memberId: ann, points: -10, reason: "Typo", idempotencyKey: null, actor: "test", now: at("2024-05-10T10:00:00Z") });
    expect(adjusted.outcome).toBe("adjusted");
    const cy = await enrolAt(company, at("2024-05-12T08:00:00Z"), { firstName: "Cy", openingPoints: 200 });
    await redeemAt(company, cy, "coffee", "804", at("2024-05-12T10:00:00Z"), { confirm: at("2024-05-12T10:00:01Z") });
    await redeemAt(company, cy, "five", "805", at("2024-05-13T10:00:00Z"), { confirm: at("2024-05-13T10:00:01Z") });
    const dee = await enrolAt(company, at("2024-05-13T11:00:00Z"), { firstName: "Dee" });
    await db.delete(members).where(eq(members.id, dee));
    // A 3-month policy run on May 14: Ann's opening balance (Feb 10) is past it, less what she spent.
    const expiry = await expireCompanyPoints(db, { companyId: company.id, months: 3, now: at("2024-05-14T03:00:00Z"), queryBudget: 200 });
    expect(expiry.expired).toEqual([{ memberId: ann, points: 60 }]);

    const overview = await readOverview(db, company.id, NOW);

    expect(overview).toEqual({
      // Eve's last activity (Apr 1) is older than 30 days; Dee was deleted.
      members: { total: 4, active30d: 3, newThisMonth: 1 },
      // Ann 30, Cy 50, Eve 10; Bob's -30 is no liability.
      points: { outstanding: 90, pointValueCents: 2, liabilityCents: 180 },
      weeks: [
        { start: "2024-02-26", earned: 20, redeemed: 0 },
        ...noWeeks(["2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25"]),
        { start: "2024-04-01", earned: 10, redeemed: 0 },
        { start: "2024-04-08", earned: 0, redeemed: 0 },
        { start: "2024-04-15", earned: 10, redeemed: 0 },
        { start: "2024-04-22", earned: 0, redeemed: 0 },
        { start: "2024-04-29", earned: 0, redeemed: 60 },
        { start: "2024-05-06", earned: 0, redeemed: 50 },
        { start: "2024-05-13", earned: 0, redeemed: 100 },
      ],
      redemptionsThisMonth: 4,
      topRewards: [
        { rewardId: company.rewardId("cake"), title: "Free cake", redemptions: 2, points: 60 },
        { rewardId: company.rewardId("five"), title: "$5 off", redemptions: 1, points: 100 },
        { rewardId: company.rewardId("coffee"), title: "Free coffee", redemptions: 1, points: 50 },
      ],
      pending: {
        count: 1,
        oldest: [{ id: annCake, memberId: ann, memberName: "Ann Lee", rewardTitle: "Free cake", orderId: "802", points: 30, createdAt: at("2024-05-03T09:00:00Z") }],
      },
    });
    expect(overview).toEqual(await scannedOverview(company.id, NOW));
    await expectTotalsMatchScan(company.id);
    // April's coffee came and went: its month counts nothing.
    expect((await readOverview(db, company.id, at("2024-04-30T23:30:00Z"))).redemptionsThisMonth).toBe(0);
    expect(eve).toMatch(/^mem_/);
  });

  it("counts a member active for 30 days (today included) after their latest earn or redeem, and moves them with each later one", async () => {
    const company = await seedCompany({ rewards: programme });
    const NOW = at("2024-07-20T12:00:00Z");
    const enrolled = NOW - 90 * DAY;
    const first = await enrolAt(company, enrolled, { firstName: "First", customerId: "711" });
    const second = await enrolAt(company, enrolled, { firstName: "Second", customerId: "712" });
    const redeemer = await enrolAt(company, enrolled, { firstName: "Redeemer", openingPoints: 500 });
    await enrolAt(company, enrolled, { firstName: "Never", openingPoints: 50 }); // an adjustment is no activity
    await earnAt(company, "711", 1, at("2024-06-21T00:00:00Z")); // 29 days before today: the window's first day
    await earnAt(company, "712", 1, at("2024-06-20T23:59:59.999Z")); // the day before it
    await redeemAt(company, redeemer, "coffee", "821", at("2024-07-20T08:00:00Z"), { confirm: at("2024-07-20T08:00:01Z") });
    const active = async (now: number) => (await readOverview(db, company.id, now)).members.active30d;
    const lastActive = async (id: string) => (await db.select({ day: members.lastActiveDay }).from(members).where(eq(members.id, id)))[0]!.day;

    expect(await active(NOW)).toBe(2);
    expect(await active(at("2024-06-21T00:00:00Z") + 29 * DAY)).toBe(2); // the window's last day for the first member
    expect(await active(at("2024-06-21T00:00:00Z") + 30 * DAY)).toBe(1); // a day later: only the redeemer
    expect(await active(at("2024-08-19T00:00:00Z"))).toBe(0);

    // A later earn moves the second member from the old day's count to the new day's.
    expect(await active(at("2024-07-19T12:00:00Z"))).toBe(2); // the first and the second (Jun 20)
    await earnAt(company, "712", 1, at("2024-07-21T09:00:00Z"));
    expect(await lastActive(second)).toBe(Math.floor(at("2024-07-21T09:00:00Z") / DAY));
    expect(await active(at("2024-07-19T12:00:00Z"))).toBe(1); // Jun 20 no longer counts them
    expect(await active(at("2024-07-21T12:00:00Z"))).toBe(2); // the second and the redeemer
    // A row written late with an older time (a catch-up) moves nobody back.
    await earnAt(company, "711", 1, at("2024-05-01T09:00:00Z"));
    expect(await lastActive(first)).toBe(Math.floor(at("2024-06-21T00:00:00Z") / DAY));
    expect(await active(NOW)).toBe(2);
    // A released redemption was activity all the same.
    await redeemAt(company, redeemer, "coffee", "822", at("2024-07-25T08:00:00Z"), { release: at("2024-07-25T08:01:00Z") });
    expect(await lastActive(redeemer)).toBe(Math.floor(at("2024-07-25T08:00:00Z") / DAY));
    expect(await active(at("2024-08-20T12:00:00Z"))).toBe(1);
    expect(await readOverview(db, company.id, at("2024-08-20T12:00:00Z"))).toEqual(await scannedOverview(company.id, at("2024-08-20T12:00:00Z")));
    await expectTotalsMatchScan(company.id);
  });

  it("buckets points in 12 UTC weeks from Monday 00:00, the last containing today; a give-back or a reversal counts in the week of what it undoes", async () => {
    const company = await seedCompany({ rewards: programme });
    const NOW = at("2024-06-05T08:00:00Z"); // a Wednesday; the first of the 12 weeks starts on Monday Mar 18
    const member = await enrolAt(company, at("2024-01-02T00:00:00Z"), { firstName: "Wen", openingPoints: 1000, customerId: "731" });
    await earnAt(company, "731", 1, at("2024-03-17T23:59:59.999Z")); // 5, before the first week
    await earnAt(company, "731", 2, at("2024-03-18T00:00:00.000Z")); // 10, first week
    await earnAt(company, "731", 3, at("2024-03-24T23:59:59.999Z")); // 15, first week
    await earnAt(company, "731", 4, at("2024-03-25T00:00:00.000Z")); // 20, second week
    const undone = await earnAt(company, "731", 10, at("2024-03-26T12:00:00Z")); // 50, second week, deleted in April
    await undoOrder(db, { companyId: company.id, orderId: undone, reason: "deleted", now: at("2024-04-02T10:00:00Z") });
    await redeemAt(company, member, "five", "841", at("2024-04-03T10:00:00Z"), { release: at("2024-04-08T00:30:00Z") }); // gone
    await redeemAt(company, member, "coffee", "842", at("2024-04-07T23:59:59.999Z"), { confirm: at("2024-04-08T00:00:01Z") }); // 50, week of Apr 1
    await redeemAt(company, member, "cake", "843", at("2024-06-02T23:00:00Z"), { confirm: at("2024-06-03T00:01:00Z") }); // 30, week of May 27
    await earnAt(company, "731", 6, at("2024-06-05T07:59:59.999Z")); // 30, today
    await earnAt(company, "731", 7, at("2024-06-06T00:00:00Z")); // tomorrow: not in any week yet

    const { weeks } = await readOverview(db, company.id, NOW);

    expect(weeks).toEqual([
      { start: "2024-03-18", earned: 25, redeemed: 0 },
      { start: "2024-03-25", earned: 20, redeemed: 0 },
      { start: "2024-04-01", earned: 0, redeemed: 50 },
      ...noWeeks(["2024-04-08", "2024-04-15", "2024-04-22", "2024-04-29", "2024-05-06", "2024-05-13", "2024-05-20"]),
      { start: "2024-05-27", earned: 0, redeemed: 30 },
      { start: "2024-06-03", earned: 30, redeemed: 0 },
    ]);
    expect(weeks).toEqual((await scannedOverview(company.id, NOW)).weeks);
    // The week turns at Monday 00:00 UTC.
    const lastWeek = async (now: number) => (await readOverview(db, company.id, now)).weeks.map((w) => w.start);
    expect((await lastWeek(at("2024-06-09T23:59:59.999Z"))).at(-1)).toBe("2024-06-03");
    expect(await lastWeek(at("2024-06-10T00:00:00Z"))).toEqual([
      "2024-03-25", "2024-04-01", "2024-04-08", "2024-04-15", "2024-04-22", "2024-04-29",
      "2024-05-06", "2024-05-13", "2024-05-20", "2024-05-27", "2024-06-03", "2024-06-10",
    ]);
    await expectTotalsMatchScan(company.id);
  });

  it("lists the pending redemptions oldest first (10 of them) and at most 5 rewards, most redeemed first", async () => {
    const company = await seedCompany({
      rewards: [...programme, ...["a", "b", "c"].map((id) => ({ id, title: `Reward ${id}`, kind: "free_product" as const, productId: "2001", pointsRequired: 1 }))],
    });
    const NOW = at("2024-09-30T23:00:00Z");
    const member = await enrolAt(company, at("2024-09-01T00:00:00Z"), { firstName: "Pat", openingPoints: 5000 });
    const pending: string[] = [];
    for (let i = 0; i < 12; i++) pending.push(await redeemAt(company, member, "a", `850${i}`, at("2024-09-10T00:00:00Z") + (12 - i) * 60_000));
    for (const [n, [reward, times]] of ([["b", 3], ["c", 2], ["coffee", 2], ["cake", 2], ["five", 1]] as const).entries()) {
      for (let i = 0; i < times; i++) await redeemAt(company, member, reward, `86${n}${i}`, at("2024-09-20T00:00:00Z"), { confirm: at("2024-09-20T00:00:01Z") });
    }
    await redeemAt(company, member, "five", "870", at("2024-08-31T23:59:00Z"), { confirm: at("2024-08-31T23:59:01Z") }); // August

    const overview = await readOverview(db, company.id, NOW);

    expect(overview.pending.count).toBe(12);
    expect(overview.pending.oldest.map((p) => p.id)).toEqual(pending.slice(2).reverse());
    expect(overview.redemptionsThisMonth).toBe(22);
    expect(overview.topRewards.map((r) => [r.title, r.redemptions, r.points])).toEqual([
      ["Reward a", 12, 12],
      ["Reward b", 3, 3],
      // Tied on redemptions: more points first.
      ["Free coffee", 2, 100],
      ["Free cake", 2, 60],
      ["Reward c", 2, 2],
    ]);
    expect(overview).toEqual(await scannedOverview(company.id, NOW));
    await expectTotalsMatchScan(company.id);
  });

  it("reads under 1,000 rows in one round trip, the same number however many members", async () => {
    const company = await seedCompany({ rewards: programme });
    const NOW = at("2024-05-20T12:00:00Z");
    await history(company, 0, 3000, NOW);
    const waiting = await enrolAt(company, NOW - 10 * DAY, { firstName: "Wait", openingPoints: 100 });
    await redeemAt(company, waiting, "coffee", "881", NOW - 3600_000); // one pending
    const rowsRead = async () => {
      const metrics = new RequestMetrics();
      const overview = await readOverview(openDatabase(env.DB, metrics), company.id, NOW);
      return { overview, rowsRead: metrics.d1RowsRead, roundTrips: metrics.d1RoundTrips };
    };

    const before = await rowsRead();
    await history(company, 3000, 3000, NOW);
    const after = await rowsRead();

    expect(before.overview.members.total).toBe(3001);
    expect(after.overview.members.total).toBe(6001);
    expect(after.overview.members.active30d).toBeGreaterThan(1000);
    expect(after.overview).toEqual(await scannedOverview(company.id, NOW));
    expect(before.roundTrips).toBe(1);
    expect(before.rowsRead).toBeLessThan(1000);
    expect(after.rowsRead).toBe(before.rowsRead);
  }, 120_000);
});

/**
 * `count` members (ids mem_<company>_<n> from `offset`) created over the 120 days before `now`, each
 * with two earn rows and a redemption of one of three rewards in that time, written as raw SQL (the
 * triggers count them as they would any writer's rows).
 */
async function history(company: Company, offset: number, count: number, now: number): Promise<void> {
  const c = company.id;
  const rewardIds = ["coffee", "five", "cake"].map((r) => company.rewardId(r));
  // Bound numbers arrive as REAL: cast, so the ids read "…_12", not "…_12.0".
  const numbers = sql`WITH RECURSIVE n(i) AS (SELECT CAST(${offset} AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < ${offset + count - 1})`;
  const ago = (days: string) => sql`CAST(${now} AS INTEGER) - (${sql.raw(days)}) * 86400000 - (i % 7) * 3600000`;
  await db.run(sql`${numbers}
    INSERT INTO members (id, company_id, first_name, points, status, search_terms, created_at, updated_at)
    SELECT 'mem_' || ${c} || '_' || i, ${c}, 'Member ' || i, 0, 'active', '', ${ago("(i % 120) + 60")}, ${now} FROM n`);
  const rows = [
    [1, "(i * 7) % 120", 10, "earn"],
    [2, "(i * 13) % 90", 20, "earn"],
    [3, "(i * 3) % 45", -5, "redeem"],
  ] as const;
  for (const [k, days, delta, reason] of rows) {
    await db.run(sql`${numbers}
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, reward_id, idempotency_key, created_at)
      SELECT 'led_' || ${c} || '_' || i || '_' || ${String(k)}, ${c}, 'mem_' || ${c} || '_' || i, ${delta}, ${reason},
        ${reason === "redeem" ? sql`json_extract(${JSON.stringify(rewardIds)}, '$[' || (i % 3) || ']')` : sql`NULL`},
        'test:' || i || ':' || ${String(k)}, ${ago(days)} FROM n`);
  }
  // The balances, as the ledger has them (every member written here had 0 until now).
  await db.run(sql`UPDATE members SET points = (SELECT sum(delta) FROM points_ledger l WHERE l.company_id = members.company_id AND l.member_id = members.id)
    WHERE company_id = ${c} AND points = 0 AND id LIKE 'mem_' || ${c} || '_%'`);
}
