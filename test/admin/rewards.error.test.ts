import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

const routes: [string, string, unknown?][] = [
  ["POST", "/rewards", { kind: "amount_off", title: "$5 off", points_required: 1000, amount_cents: 500 }],
  ["GET", "/rewards"],
  ["GET", "/rewards/rwd_x"],
  ["PATCH", "/rewards/rwd_x", { title: "X" }],
  ["POST", "/rewards/rwd_x/deactivate"],
  ["PUT", "/rewards/order", { ids: ["rwd_x"] }],
];

describe("admin rewards: authentication", () => {
  describe.each(routes)("%s %s", (method, path, body) => {
    it.each([
      ["no key", null, "Send an API key as Authorization: Bearer <key>"],
      ["a wrong key", "lk_not-a-real-key", "This API key is not valid or has been revoked"],
    ])("%s: 401", async (_name, key, message) => {
      const res = await admin(key, method, path, body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthorized", message, request_id: expect.stringMatching(requestId) } });
    });
  });
});

describe("admin rewards: another company's reward", () => {
  async function twoCompanies() {
    const mine = await seedCompany();
    const theirs = await seedCompany({ rewards: [{ id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "1" }] });
    const myKey = await adminKey(mine.id);
    const theirKey = await adminKey(theirs.id);
    const theirReward = theirs.rewardId("coffee");
    return { myKey, theirKey, theirReward };
  }

  it.each([
    ["GET", "", undefined],
    ["PATCH", "", { title: "Mine now" }],
    ["POST", "/deactivate", undefined],
  ])("%s: 404, and theirs is unchanged", async (method, suffix, body) => {
    const { myKey, theirKey, theirReward } = await twoCompanies();
    const before = await admin(theirKey, "GET", `/rewards/${theirReward}`);

    const res = await admin(myKey, method, `/rewards/${theirReward}${suffix}`, body);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: "not_found", message: "This company has no reward with that id", request_id: expect.stringMatching(requestId) },
    });
    expect((await admin(theirKey, "GET", `/rewards/${theirReward}`)).body).toEqual(before.body);
  });

  it("is refused in a new order, and the list shows only the company's own", async () => {
    const { myKey, theirReward } = await twoCompanies();
    const mine = await admin(myKey, "POST", "/rewards", { kind: "free_product", title: "Tea", points_required: 100, product_id: "2" });

    const res = await admin(myKey, "PUT", "/rewards/order", { ids: [mine.body.id, theirReward] });

    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: "invalid_request",
      message: "ids.1: This company has no reward with that id",
      request_id: expect.stringMatching(requestId),
    });
    expect((await admin(myKey, "GET", "/rewards")).body.data.map((r: { id: string }) => r.id)).toEqual([mine.body.id]);
  });
});

const base = { title: "Reward", points_required: 100 };

describe("admin rewards: invalid new rewards", () => {
  it.each([
    ["no kind", { ...base }, "kind: Invalid discriminator value. Expected 'amount_off' | 'percent_off' | 'free_product' | 'points_payment'"],
    ["an unknown kind", { ...base, kind: "cashback" }, "kind: Invalid discriminator value. Expected 'amount_off' | 'percent_off' | 'free_product' | 'points_payment'"],
    ["no title", { kind: "points_payment", points_required: 100 }, "title: Invalid input: expected string, received undefined"],
    ["a blank title", { ...base, kind: "points_payment", title: "   " }, "title: Too small: expected string to have >=1 characters"],
    ["a long action label", { ...base, kind: "points_payment", action_label: "x".repeat(31) }, "action_label: Too big: expected string to have <=30 characters"],
    ["zero points", { ...base, kind: "points_payment", points_required: 0 }, "points_required: Too small: expected number to be >=1"],
    ["fractional points", { ...base, kind: "points_payment", points_required: 1.5 }, "points_required: Invalid input: expected int, received number"],
    ["amount_off without an amount", { ...base, kind: "amount_off" }, "amount_cents: Invalid input: expected number, received undefined"],
    ["amount_off of zero", { ...base, kind: "amount_off", amount_cents: 0 }, "amount_cents: Too small: expected number to be >0"],
    ["amount_off in fractions of a cent", { ...base, kind: "amount_off", amount_cents: 99.5 }, "amount_cents: Invalid input: expected int, received number"],
    ["amount_off with a percent", { ...base, kind: "amount_off", amount_cents: 500, percent: 10 }, "percent: Not a field of an amount_off reward"],
    ["amount_off with a variable quantity", { ...base, kind: "amount_off", amount_cents: 500, variable_quantity: true }, "variable_quantity: Only a points_payment reward has a variable quantity"],
    ["percent_off without a percent", { ...base, kind: "percent_off" }, "percent: Invalid input: expected number, received undefined"],
    ["percent_off of zero", { ...base, kind: "percent_off", percent: 0 }, "percent: Too small: expected number to be >0"],
    ["percent_off over 100", { ...base, kind: "percent_off", percent: 100.01 }, "percent: Too big: expected number to be <=100"],
    ["percent_off finer than a basis point", { ...base, kind: "percent_off", percent: 12.345 }, "percent: Invalid number: must be a multiple of 0.01"],
    ["percent_off as a string", { ...base, kind: "percent_off", percent: "20" }, "percent: Invalid input: expected number, received string"],
    ["free_product without a product", { ...base, kind: "free_product" }, "product_id: Invalid input: expected string, received undefined"],
    ["free_product with a product that is not a Kounta id", { ...base, kind: "free_product", product_id: "coffee" }, "product_id: Must be a Kounta product id (digits)"],
    ["free_product with an amount", { ...base, kind: "free_product", product_id: "1", amount_cents: 5 }, "amount_cents: Not a field of a free_product reward"],
    ["points_payment with a fixed quantity", { ...base, kind: "points_payment", variable_quantity: false }, "variable_quantity: A points_payment reward always has a variable quantity"],
    ["points_payment with a product", { ...base, kind: "points_payment", product_id: "1" }, "product_id: Not a field of a points_payment reward"],
  ])("%s: 400, path: message", async (_name, body, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "POST", "/rewards", body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect((await admin(key, "GET", "/rewards")).body.data).toEqual([]);
  });
});

describe("admin rewards: invalid changes", () => {
  it.each([
    ["nothing to change", {}, "Send at least one field to change"],
    ["a new kind", { kind: "percent_off" }, "kind: A reward's kind cannot change: create a new reward and deactivate this one"],
    ["an unknown field", { colour: "red" }, "colour: Not a field that can be changed"],
    ["a null title", { title: null }, "title: Invalid input: expected string, received null"],
    ["negative points", { points_required: -5 }, "points_required: Too small: expected number to be >=1"],
    ["active as a string", { active: "no" }, "active: Invalid input: expected boolean, received string"],
    ["the setting of another kind", { percent: 10 }, "percent: Not a field of an amount_off reward"],
    ["a product on an amount_off reward", { product_id: "12" }, "product_id: Not a field of an amount_off reward"],
    ["an amount of zero", { amount_cents: 0 }, "amount_cents: Too small: expected number to be >0"],
  ])("%s: 400, path: message, nothing changed", async (_name, body, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const created = await admin(key, "POST", "/rewards", { ...base, kind: "amount_off", amount_cents: 500 });

    const res = await admin(key, "PATCH", `/rewards/${created.body.id}`, body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect((await admin(key, "GET", `/rewards/${created.body.id}`)).body).toEqual(created.body);
  });

  it.each([
    ["no ids", {}, "ids: Invalid input: expected array, received undefined"],
    ["an empty list", { ids: [] }, "ids: Too small: expected array to have >=1 items"],
    ["an unknown id", { ids: ["rwd_nope"] }, "ids.0: This company has no reward with that id"],
    ["an id twice", { ids: ["FIRST", "FIRST"] }, "ids.1: Listed more than once"],
  ])("reorder with %s: 400, order unchanged", async (_name, body, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const first = await admin(key, "POST", "/rewards", { ...base, kind: "points_payment" });
    await admin(key, "POST", "/rewards", { ...base, kind: "points_payment", title: "Second" });
    const before = await admin(key, "GET", "/rewards");
    const withIds = JSON.parse(JSON.stringify(body).replaceAll("FIRST", first.body.id));

    const res = await admin(key, "PUT", "/rewards/order", withIds);

    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "invalid_request", message, request_id: expect.stringMatching(requestId) });
    expect((await admin(key, "GET", "/rewards")).body).toEqual(before.body);
  });

  it("an unknown reward id: 404", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "PATCH", "/rewards/rwd_nope", { title: "X" });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
