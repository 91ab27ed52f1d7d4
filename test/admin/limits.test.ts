import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isManagerCode } from "../../src/loyalty/limits";
import { createApiKey } from "../../src/storage/api-keys";
import { companies } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";
import { redeem, redeemUrl, seedRedemption } from "../redeem-harness";

// GET /limits for any key; PATCH /limits for a manager's key only. The manager code is kept as a
// PBKDF2 hash and never shown: only whether one is set.

const iso = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

async function seed() {
  const company = await seedCompany();
  const key = await adminKey(company.id);
  const managerKey = (await createApiKey(db, { companyId: company.id, name: "Manager", manager: true })).key;
  return { company, key, managerKey };
}

async function storedHash(companyId: string) {
  const [row] = await db.select({ hash: companies.managerCodeHash }).from(companies).where(eq(companies.id, companyId));
  return row!.hash;
}

const defaults = {
  max_redemptions_per_member_day: null,
  max_redemptions_per_order: null,
  max_points_per_member_day: null,
  large_adjustment_points: null,
  flag_transactions_per_day: 5,
  manager_code_set: false,
  updated_at: iso,
};

describe("GET /limits", () => {
  it("a new company has no limits, flags more than 5 transactions a day and no manager code; any key reads them", async () => {
    const { key, managerKey } = await seed();
    const res = await admin(key, "GET", "/limits");
    expect(res.status).toBe(200);
    expect(res.body).toEqual(defaults);
    expect((await admin(managerKey, "GET", "/limits")).body).toEqual(res.body);
  });

  it("without a key: 401", async () => {
    const res = await admin(null, "GET", "/limits");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: { code: "unauthorized", message: "Send an API key as Authorization: Bearer <key>", request_id: expect.stringMatching(requestId) },
    });
  });
});

describe("PATCH /limits", () => {
  it("a key that is not a manager's: 403 forbidden, nothing changed", async () => {
    const { company, key } = await seed();
    const before = await admin(key, "GET", "/limits");

    const res = await admin(key, "PATCH", "/limits", { max_redemptions_per_member_day: 2, manager_code: "482913" });

    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { code: "forbidden", message: "Only a manager's API key may change the limits", request_id: expect.stringMatching(requestId) },
    });
    expect((await admin(key, "GET", "/limits")).body).toEqual(before.body);
    expect(await storedHash(company.id)).toBeNull();
  });

  it("a manager's key sets every limit; the answer and a later read agree", async () => {
    const { key, managerKey } = await seed();
    const body = {
      max_redemptions_per_member_day: 2,
      max_redemptions_per_order: 1,
      max_points_per_member_day: 2000,
      large_adjustment_points: 500,
      flag_transactions_per_day: 8,
    };

    const res = await admin(managerKey, "PATCH", "/limits", body);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...body, manager_code_set: false, updated_at: iso });
    expect((await admin(key, "GET", "/limits")).body).toEqual(res.body);
  });

  it("changes only what is sent; null removes a limit", async () => {
    const { managerKey } = await seed();
    await admin(managerKey, "PATCH", "/limits", { max_redemptions_per_member_day: 3, max_points_per_member_day: 900 });

    const res = await admin(managerKey, "PATCH", "/limits", { max_redemptions_per_member_day: null, max_redemptions_per_order: 2 });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...defaults, max_redemptions_per_order: 2, max_points_per_member_day: 900 });
  });

  it("the manager code: never shown, kept as a pbkdf2 hash of its own, checked; null removes it", async () => {
    const { company, key, managerKey } = await seed();

    const res = await admin(managerKey, "PATCH", "/limits", { manager_code: "482913" });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...defaults, manager_code_set: true });
    expect(JSON.stringify(res.body)).not.toContain("482913");
    expect(JSON.stringify((await admin(key, "GET", "/limits")).body)).not.toContain("482913");
    const hash = await storedHash(company.id);
    expect(hash).toMatch(/^pbkdf2\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain("482913");
    expect(await isManagerCode(db, company.id, "482913")).toBe(true);
    expect(await isManagerCode(db, company.id, "482914")).toBe(false);

    // The same code again is salted anew.
    await admin(managerKey, "PATCH", "/limits", { manager_code: "482913" });
    expect(await storedHash(company.id)).not.toBe(hash);
    expect(await isManagerCode(db, company.id, "482913")).toBe(true);

    const removed = await admin(managerKey, "PATCH", "/limits", { manager_code: null });
    expect(removed.body.manager_code_set).toBe(false);
    expect(await storedHash(company.id)).toBeNull();
    expect(await isManagerCode(db, company.id, "482913")).toBe(false);
  });

  it("a key changes its own company's limits only", async () => {
    const mine = await seed();
    const theirs = await seed();
    await admin(mine.managerKey, "PATCH", "/limits", { max_redemptions_per_order: 1, manager_code: "1234" });
    expect((await admin(theirs.key, "GET", "/limits")).body).toEqual(defaults);
    expect(await isManagerCode(db, theirs.company.id, "1234")).toBe(false);
  });

  it("the limits set are the till's: a second redemption of the day is refused", async () => {
    const s = await seedRedemption(5000);
    const managerKey = (await createApiKey(db, { companyId: s.company.id, name: "Manager", manager: true })).key;
    expect((await admin(managerKey, "PATCH", "/limits", { max_redemptions_per_member_day: 1 })).status).toBe(200);
    const [a, b] = await Promise.all([redeemUrl(s, "coffee", "6701"), redeemUrl(s, "coffee", "6702")]);
    expect(await redeem(a!)).toEqual({ success: true });
    expect(await redeem(b!)).toEqual({ success: false, error: "Limit reached: at most 1 reward a day per member. Try again tomorrow." });
  });
});

describe("PATCH /limits: invalid changes", () => {
  it.each([
    ["nothing", {}, "Send at least one field to change"],
    ["an unknown field", { max_rewards: 2 }, "max_rewards: Not a limit"],
    ["a limit of 0", { max_redemptions_per_member_day: 0 }, "max_redemptions_per_member_day: Too small: expected number to be >=1"],
    ["a fraction", { max_points_per_member_day: 2.5 }, "max_points_per_member_day: Invalid input: expected int, received number"],
    ["a string", { max_redemptions_per_order: "2" }, "max_redemptions_per_order: Invalid input: expected number, received string"],
    ["over 100 per order", { max_redemptions_per_order: 101 }, "max_redemptions_per_order: Too big: expected number to be <=100"],
    ["over 1000 a day", { max_redemptions_per_member_day: 1001 }, "max_redemptions_per_member_day: Too big: expected number to be <=1000"],
    ["a negative adjustment size", { large_adjustment_points: -5 }, "large_adjustment_points: Too small: expected number to be >=1"],
    ["no transactions setting", { flag_transactions_per_day: null }, "flag_transactions_per_day: Invalid input: expected number, received null"],
    ["a transactions setting of 0", { flag_transactions_per_day: 0 }, "flag_transactions_per_day: Too small: expected number to be >=1"],
    ["a code of 3 digits", { manager_code: "123" }, "manager_code: Must be 4 to 12 digits"],
    ["a code of 13 digits", { manager_code: "1234567890123" }, "manager_code: Must be 4 to 12 digits"],
    ["a code with letters", { manager_code: "12ab" }, "manager_code: Must be 4 to 12 digits"],
    ["a code as a number", { manager_code: 482913 }, "manager_code: Invalid input: expected string, received number"],
  ])("%s: 400, nothing changed", async (_name, body, message) => {
    const { company, managerKey } = await seed();
    const before = await admin(managerKey, "GET", "/limits");

    const res = await admin(managerKey, "PATCH", "/limits", body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect((await admin(managerKey, "GET", "/limits")).body).toEqual(before.body);
    expect(await storedHash(company.id)).toBeNull();
  });
});
