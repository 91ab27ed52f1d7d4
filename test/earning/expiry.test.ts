import { env } from "cloudflare:test";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { expirePoints } from "../../src/jobs/expire-points";
import { newId } from "../../src/lib/crypto";
import { Logger } from "../../src/lib/logger";
import { expiryCutoff, expiryDay, expiringFromRow, isoDay } from "../../src/loyalty/earning/expiry";
import { loadMemberCard } from "../../src/loyalty/members/card";
import { companies, members, pointsLedger, type LedgerReason } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, getJson, kountaUrl, seedCompany } from "../harness";

const quiet = new Logger({ test: "expiry" });
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(`${iso}T10:00:00Z`);

let companiesUsed: string[] = [];
afterEach(async () => {
  for (const id of companiesUsed) await expectBalanceMatchesLedger(id);
  companiesUsed = [];
});

async function seedPolicyCompany(expiryMonths: number | null) {
  const company = await seedCompany();
  companiesUsed.push(company.id);
  await db.update(companies).set({ expiryMonths }).where(eq(companies.id, company.id));
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith", email: `john${company.id}@example.com` });
  return { company, memberId };
}

/** A past ledger row and its balance change, as the earning / redemption code would have written them. */
async function history(companyId: string, memberId: string, reason: LedgerReason, delta: number, when: number, orderId: string | null = null) {
  await db.batch([
    db.insert(pointsLedger).values({
      id: newId("led"),
      companyId,
      memberId,
      delta,
      reason,
      orderId,
      idempotencyKey: `${reason}:${newId("k")}`,
      createdAt: when,
    }),
    db.update(members).set({ points: sql`${members.points} + ${delta}` }).where(eq(members.id, memberId)),
  ]);
}

async function balance(memberId: string) {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

async function expiryRows(companyId: string, memberId: string) {
  return db
    .select({ delta: pointsLedger.delta, key: pointsLedger.idempotencyKey, note: pointsLedger.note })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.memberId, memberId), eq(pointsLedger.reason, "expiry")))
    .orderBy(asc(pointsLedger.createdAt));
}

describe("points expiry by the company's policy", () => {
  it("expires the oldest points first: what was spent came out of them", async () => {
    const { company, memberId } = await seedPolicyCompany(6);
    await history(company.id, memberId, "earn", 100, at("2026-01-10"), "5001");
    await history(company.id, memberId, "earn", 100, at("2026-03-10"), "5002");
    await history(company.id, memberId, "redeem", -50, at("2026-04-10"), "5003");

    const august = at("2026-08-15");
    const summary = await expirePoints(env, quiet, { now: august });
    expect(summary.members).toBeGreaterThanOrEqual(1);

    // January's 100 less the 50 spent in April (taken from January first): 50 expire; March's stay.
    expect(await balance(memberId)).toBe(150 - 50);
    expect(await expiryRows(company.id, memberId)).toEqual([
      { delta: -50, key: `expiry:${memberId}:2026-02-16`, note: "50 points earned before 2026-02-16 expired (6-month policy)" },
    ]);

    // Twice the same day, or later the same month: nothing more (March's points are not 6 months old).
    await expirePoints(env, quiet, { now: august + 3600_000 });
    await expirePoints(env, quiet, { now: at("2026-08-31") });
    expect(await balance(memberId)).toBe(100);
    expect(await expiryRows(company.id, memberId)).toHaveLength(1);

    // In October March's points are past 6 months too.
    await expirePoints(env, quiet, { now: at("2026-10-01") });
    expect(await balance(memberId)).toBe(0);
    expect((await expiryRows(company.id, memberId)).map((r) => r.delta)).toEqual([-50, -100]);
  });

  it("expires points on the day N months after they were earned, not before", async () => {
    const { company, memberId } = await seedPolicyCompany(6);
    await history(company.id, memberId, "earn", 40, at("2026-01-15"), "6001");

    await expirePoints(env, quiet, { now: at("2026-07-14") });
    expect(await balance(memberId)).toBe(40);
    await expirePoints(env, quiet, { now: Date.parse("2026-07-15T00:01:00Z") });
    expect(await balance(memberId)).toBe(0);
    expect(await expiryRows(company.id, memberId)).toEqual([
      { delta: -40, key: `expiry:${memberId}:2026-01-16`, note: "40 points earned before 2026-01-16 expired (6-month policy)" },
    ]);
  });

  it("counts a reversed sale against the points it earned, not against the oldest", async () => {
    const { company, memberId } = await seedPolicyCompany(6);
    await history(company.id, memberId, "earn", 100, at("2026-01-10"), "7001");
    await history(company.id, memberId, "earn", 80, at("2026-06-10"), "7002");
    // The June sale was refunded in full.
    await history(company.id, memberId, "reversal", -80, at("2026-06-12"), "7002");

    await expirePoints(env, quiet, { now: at("2026-08-15") });
    expect(await balance(memberId)).toBe(0);
    expect((await expiryRows(company.id, memberId)).map((r) => r.delta)).toEqual([-100]);
  });

  it("never takes a balance below zero, and leaves a negative balance alone", async () => {
    const { company, memberId } = await seedPolicyCompany(3);
    const owing = await company.addMember({ firstName: "Owing", email: `owing${company.id}@example.com` });
    await history(company.id, memberId, "earn", 100, at("2026-01-10"), "8001");
    await history(company.id, memberId, "redeem", -100, at("2026-02-10"), "8002");
    await history(company.id, owing, "earn", 30, at("2026-01-10"), "8003");
    await history(company.id, owing, "redeem", -30, at("2026-01-11"), "8004");
    await history(company.id, owing, "reversal", -30, at("2026-01-12"), "8003");

    await expirePoints(env, quiet, { now: at("2026-08-15") });
    expect(await balance(memberId)).toBe(0);
    expect(await balance(owing)).toBe(-30);
    expect(await expiryRows(company.id, memberId)).toEqual([]);
    expect(await expiryRows(company.id, owing)).toEqual([]);
  });

  it("never expires anything when the company's policy is never", async () => {
    const { company, memberId } = await seedPolicyCompany(null);
    await history(company.id, memberId, "earn", 100, at("2020-01-10"), "9001");
    await history(company.id, memberId, "adjustment", 25, at("2020-02-10"));

    await expirePoints(env, quiet, { now: at("2026-08-15") });
    expect(await balance(memberId)).toBe(125);
    expect(await expiryRows(company.id, memberId)).toEqual([]);
  });

  it("expires positive adjustments (an opening balance) like earned points", async () => {
    const { company, memberId } = await seedPolicyCompany(12);
    await history(company.id, memberId, "adjustment", 500, at("2025-01-10"));
    await history(company.id, memberId, "adjustment", -20, at("2025-03-10"));
    await history(company.id, memberId, "earn", 10, at("2026-01-10"), "9101");

    await expirePoints(env, quiet, { now: at("2026-02-01") });
    expect(await balance(memberId)).toBe(10);
    expect((await expiryRows(company.id, memberId)).map((r) => r.delta)).toEqual([-480]);
  });

  it("works through many members in bounded chunks, the rest on the next run", async () => {
    const company = await seedCompany();
    companiesUsed.push(company.id);
    await db.update(companies).set({ expiryMonths: 1 }).where(eq(companies.id, company.id));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const id = await company.addMember({ firstName: `M${i}`, email: `m${i}.${company.id}@example.com` });
      await history(company.id, id, "earn", 10 + i, at("2026-01-10"), `92${String(i).padStart(2, "0")}`);
      ids.push(id);
    }
    // A budget for one chunk (25 members) only.
    const first = await expirePoints(env, quiet, { now: at("2026-08-15"), queryBudget: 140 });
    expect(first.incomplete).toBe(true);
    const left = async () => (await Promise.all(ids.map(balance))).filter((p) => p > 0).length;
    expect(await left()).toBe(5);
    await expirePoints(env, quiet, { now: at("2026-08-15") });
    expect(await left()).toBe(0);
  });
});

describe("what the member card says about expiry", () => {
  it("says how many points expire next and when, within 30 days", async () => {
    const { company, memberId } = await seedPolicyCompany(6);
    const now = Date.now();
    // Earned about 6 months ago less 10 days: expires in about 10 days; the newer ones later.
    const soon = expiryCutoff(now, 6) + 9 * DAY + 3600_000;
    await history(company.id, memberId, "earn", 70, soon, "9301");
    await history(company.id, memberId, "earn", 30, soon + 60 * DAY, "9302");
    await history(company.id, memberId, "redeem", -20, now - DAY, "9303");

    const on = isoDay(expiryDay(soon, 6));
    const card = await loadMemberCard(db, company.id, memberId);
    expect(card?.expiring).toEqual({ points: 50, on });

    const { status, body } = await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: memberId, customer_id: "789", site_id: "123", order_id: "111" }));
    expect(status).toBe(200);
    expect(body.member.current_points).toBe("80");
    expect(body.member.params).toEqual({ Expiring: `50 Points on ${on}` });
  });

  it("says nothing when nothing expires within 30 days or the policy is never", async () => {
    const { company, memberId } = await seedPolicyCompany(6);
    await history(company.id, memberId, "earn", 70, expiryCutoff(Date.now(), 6) + 40 * DAY, "9401");
    expect((await loadMemberCard(db, company.id, memberId))?.expiring).toBeNull();

    const never = await seedPolicyCompany(null);
    await history(never.company.id, never.memberId, "earn", 70, Date.now() - 5000 * DAY, "9402");
    expect((await loadMemberCard(db, never.company.id, never.memberId))?.expiring).toBeNull();
    const { body } = await getJson(kountaUrl("reward-lookup", { company_id: never.company.id, reference_id: never.memberId, customer_id: "789", site_id: "123", order_id: "111" }));
    expect(body.member.params).toBeUndefined();
  });

  it("shows points already due (the job has not run yet) as expiring today", () => {
    expect(expiringFromRow(100, { expiry_months: 6, expiry_today: "2026-08-15", expiry_recent: 60, expiry_lots: "[]" })).toEqual({
      points: 40,
      on: "2026-08-15",
    });
  });
});

describe("the expiry calendar", () => {
  it("counts N months from the day earned, month ends overflowing as SQLite's date() does", () => {
    expect(isoDay(expiryCutoff(at("2026-08-15"), 6))).toBe("2026-02-16");
    expect(isoDay(expiryCutoff(at("2026-08-31"), 6))).toBe("2026-03-01");
    expect(isoDay(expiryDay(at("2026-01-15"), 6))).toBe("2026-07-15");
    // Earned 31 August: no 31 February; the points expire on the last day of February.
    expect(isoDay(expiryDay(at("2025-08-31"), 6))).toBe("2026-02-28");
  });
});

describe("changing the expiry policy", () => {
  it("takes the expiry notice off cached cards at once", async () => {
    const { company, memberId } = await seedPolicyCompany(6);
    const soon = expiryCutoff(Date.now(), 6) + 9 * DAY + 3600_000;
    await history(company.id, memberId, "earn", 70, soon, "9501");
    const lookup = () =>
      getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: memberId, customer_id: "789", site_id: "123", order_id: "111" }));
    expect((await lookup()).body.member.params).toEqual({ Expiring: `70 Points on ${isoDay(expiryDay(soon, 6))}` });
    // The card is cached now: the next lookup is served from the cache.
    expect((await lookup()).res.headers.get("server-timing")).not.toContain("d1;");

    const { admin, adminKey } = await import("../admin-harness");
    const res = await admin(await adminKey(company.id), "PATCH", "/settings", { expiry_months: null });
    expect(res.status).toBe(200);

    const after = await lookup();
    expect(after.body.member.current_points).toBe("70");
    expect(after.body.member.params).toBeUndefined();
  });
});

describe("the hourly job", () => {
  it("goes by the trigger's due time (the hour's first five minutes), not by when its turn came", async () => {
    const { expirePointsJob } = await import("../../src/jobs/expire-points");
    const { vi } = await import("vitest");
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      const due = Date.UTC(2026, 10, 26, 3, 2);
      await expirePointsJob.run(env, quiet, due);
      await expirePointsJob.run(env, quiet, due + 30 * 60_000);
    } finally {
      spy.mockRestore();
    }
    expect(lines.filter((l) => l.includes('"expire-points summary"'))).toHaveLength(1);
  });
});
