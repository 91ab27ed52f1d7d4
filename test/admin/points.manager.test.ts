import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/storage/api-keys";
import { activityFlags, companies, memberTierMonths, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";
import { admin, requestId } from "../admin-harness";
import { adjustmentRows, balance } from "./points.fixtures";

// Adjustments over the company's large_adjustment_points need a manager's key (and are flagged);
// at or below it, any key. Only a manager's key makes a manager's key.

const seeded: string[] = [];
afterEach(async () => {
  for (const id of seeded.splice(0)) await expectBalanceMatchesLedger(id);
});

async function seed(largeAdjustmentPoints: number | null = 500, points = 1000) {
  const company = await seedCompany();
  seeded.push(company.id);
  await db.update(companies).set({ largeAdjustmentPoints }).where(eq(companies.id, company.id));
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: points });
  const staff = await createApiKey(db, { companyId: company.id, name: "Front desk" });
  const manager = await createApiKey(db, { companyId: company.id, name: "Manager", manager: true });
  return { company, memberId, key: staff.key, keyId: staff.id, managerKey: manager.key, managerKeyId: manager.id };
}

const adjust = (key: string, memberId: string, body: Record<string, unknown>) => admin(key, "POST", `/members/${memberId}/adjustments`, body);

async function flagsOf(companyId: string) {
  return db
    .select({ memberId: activityFlags.memberId, kind: activityFlags.kind, count: activityFlags.count, detail: activityFlags.detail })
    .from(activityFlags)
    .where(eq(activityFlags.companyId, companyId));
}

const forbidden = (most: number) => ({
  error: { code: "forbidden", message: `Adjustments of more than ${most} points need a manager's API key`, request_id: expect.stringMatching(requestId) },
});

describe("large adjustments need a manager's key", () => {
  it.each([501, -501])("%i points with a key that is not a manager's: 403, nothing written", async (points) => {
    const { company, memberId, key } = await seed(500);

    const res = await adjust(key, memberId, { points, reason: "Big goodwill", idempotency_key: "big-1" });

    expect(res.status).toBe(403);
    expect(res.body).toEqual(forbidden(500));
    expect(await balance(memberId)).toBe(1000);
    expect((await adjustmentRows(company.id, memberId)).map((r) => r.note)).toEqual(["Opening balance"]);
    expect(await flagsOf(company.id)).toEqual([]);
  });

  it.each([500, -500, 1])("%i points (at or below the size) with any key: allowed, not flagged", async (points) => {
    const { company, memberId, key } = await seed(500);

    const res = await adjust(key, memberId, { points, reason: "Goodwill" });

    expect(res.status).toBe(201);
    expect(res.body.balance).toBe(1000 + points);
    expect(await flagsOf(company.id)).toEqual([]);
  });

  it("a manager's key makes it, and it is flagged large_adjustment with what was done and by whom", async () => {
    const { company, memberId, managerKey, managerKeyId } = await seed(500);

    const res = await adjust(managerKey, memberId, { points: 501, reason: "Catering order points" });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ledger_entry: { delta: 501, actor: `api_key:${managerKeyId}`, note: "Catering order points" }, balance: 1501 });
    expect(await balance(memberId)).toBe(1501);
    expect(await flagsOf(company.id)).toEqual([
      { memberId, kind: "large_adjustment", count: 1, detail: `+501 points by api_key:${managerKeyId}: Catering order points` },
    ]);

    // Another that day: counted 2, the detail the latest.
    expect((await adjust(managerKey, memberId, { points: -900, reason: "Catering order refunded" })).status).toBe(201);
    expect(await flagsOf(company.id)).toEqual([
      { memberId, kind: "large_adjustment", count: 2, detail: `-900 points by api_key:${managerKeyId}: Catering order refunded` },
    ]);
    // A manager's small adjustment is not flagged.
    expect((await adjust(managerKey, memberId, { points: 20, reason: "Birthday" })).status).toBe(201);
    expect((await flagsOf(company.id))[0]!.count).toBe(2);
  });

  it("with no size set, any key adjusts any amount and nothing is flagged", async () => {
    const { company, memberId, key } = await seed(null);
    expect((await adjust(key, memberId, { points: 100_000, reason: "Migration from the old system" })).status).toBe(201);
    expect(await balance(memberId)).toBe(101_000);
    expect(await flagsOf(company.id)).toEqual([]);
  });

  it("a debit a manager may make is still refused below zero, and not flagged", async () => {
    const { company, memberId, managerKey } = await seed(500, 600);
    const res = await adjust(managerKey, memberId, { points: -700, reason: "Fraud" });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe("Not enough points: 600 of 700");
    expect(await flagsOf(company.id)).toEqual([]);
  });
});

describe("a repeat of a large adjustment (the same idempotency_key)", () => {
  it("answers the first, with either key, and counts it once", async () => {
    const { company, memberId, key, managerKey } = await seed(500);
    const body = { points: 800, reason: "Catering order points", idempotency_key: "cater-1" };
    const first = await adjust(managerKey, memberId, body);
    expect(first.status).toBe(201);

    const again = await adjust(managerKey, memberId, body);
    const bySomeoneElse = await adjust(key, memberId, body);

    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(bySomeoneElse.status).toBe(201);
    expect(bySomeoneElse.body).toEqual(first.body);
    expect(await balance(memberId)).toBe(1800);
    expect((await adjustmentRows(company.id, memberId)).filter((r) => r.idempotencyKey === "adjust:cater-1")).toHaveLength(1);
    expect((await flagsOf(company.id)).map((f) => f.count)).toEqual([1]);
  });

  it("a refused one used no key: the manager's later one with the same key is made", async () => {
    const { memberId, key, managerKey } = await seed(500);
    const body = { points: 800, reason: "Catering order points", idempotency_key: "cater-2" };
    expect((await adjust(key, memberId, body)).status).toBe(403);
    const res = await adjust(managerKey, memberId, body);
    expect(res.status).toBe(201);
    expect(res.body.balance).toBe(1800);
  });
});

describe("counts_toward_tier", () => {
  async function tierMonths(companyId: string, memberId: string) {
    return db
      .select({ month: memberTierMonths.month, points: memberTierMonths.points })
      .from(memberTierMonths)
      .where(and(eq(memberTierMonths.companyId, companyId), eq(memberTierMonths.memberId, memberId)));
  }
  const monthOf = (ms: number) => new Date(ms).getUTCFullYear() * 12 + new Date(ms).getUTCMonth();

  it("true: the row is marked and its points count toward the tier in its month", async () => {
    const { company, memberId, key } = await seed(500);

    const res = await adjust(key, memberId, { points: 250, reason: "Points from the old card", counts_toward_tier: true });

    expect(res.status).toBe(201);
    const [row] = await db.select().from(pointsLedger).where(eq(pointsLedger.id, res.body.ledger_entry.id));
    expect(row!.countsTowardTier).toBe(1);
    expect(await tierMonths(company.id, memberId)).toEqual([{ month: monthOf(row!.createdAt), points: 250 }]);
  });

  it("false or left out: the points never count toward the tier", async () => {
    const { company, memberId, key } = await seed(500);
    const a = await adjust(key, memberId, { points: 250, reason: "Goodwill", counts_toward_tier: false });
    const b = await adjust(key, memberId, { points: 100, reason: "Goodwill again" });
    expect([a.status, b.status]).toEqual([201, 201]);
    const rows = await db.select().from(pointsLedger).where(eq(pointsLedger.memberId, memberId));
    expect(rows.map((r) => r.countsTowardTier)).toEqual([null, null, null]);
    expect(await tierMonths(company.id, memberId)).toEqual([]);
  });

  it("not a boolean: 400", async () => {
    const { memberId, key } = await seed(500);
    const res = await adjust(key, memberId, { points: 250, reason: "Goodwill", counts_toward_tier: "yes" });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: "invalid_request",
      message: "counts_toward_tier: Invalid input: expected boolean, received string",
      request_id: expect.stringMatching(requestId),
    });
    expect(await balance(memberId)).toBe(1000);
  });
});

describe("manager API keys", () => {
  it("a key that is not a manager's cannot make a manager's key: 403, no key made", async () => {
    const { key } = await seed();

    const res = await admin(key, "POST", "/api-keys", { name: "Sneaky", manager: true });

    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { code: "forbidden", message: "Only a manager's API key may create a manager's key", request_id: expect.stringMatching(requestId) },
    });
    expect((await admin(key, "GET", "/api-keys")).body.data.map((k: { name: string }) => k.name).sort()).toEqual(["Front desk", "Manager"]);
  });

  it("it can make a key that is not a manager's", async () => {
    const { key } = await seed();
    const res = await admin(key, "POST", "/api-keys", { name: "Till 2", manager: false });
    expect(res.status).toBe(201);
    expect(res.body.manager).toBe(false);
  });

  it("a manager's key makes one; the list shows which keys are managers'; the new key acts as a manager", async () => {
    const { memberId, key, managerKey } = await seed(500);

    const res = await admin(managerKey, "POST", "/api-keys", { name: "Owner", manager: true });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "Owner", manager: true });
    const listed = await admin(key, "GET", "/api-keys");
    const shown = listed.body.data.map((k: { name: string; manager: boolean }) => [k.name, k.manager]).sort();
    expect(shown).toEqual([["Front desk", false], ["Manager", true], ["Owner", true]]);
    expect((await adjust(res.body.key, memberId, { points: 600, reason: "Owner's gift" })).status).toBe(201);
    expect((await admin(res.body.key, "PATCH", "/limits", { large_adjustment_points: 1000 })).status).toBe(200);
  });

  it("a manager's flag must be a boolean", async () => {
    const { managerKey } = await seed();
    const res = await admin(managerKey, "POST", "/api-keys", { name: "Owner", manager: "yes" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("manager: Invalid input: expected boolean, received string");
  });
});
