import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

describe("admin earning rules: authentication and tenancy", () => {
  it.each([
    ["POST", "/earning-rules", { kind: "excluded_payment_method", target_id: "1" }],
    ["GET", "/earning-rules", undefined],
    ["DELETE", "/earning-rules/ern_x", undefined],
  ])("%s %s without a key, or with a wrong one: 401", async (method, path, body) => {
    for (const key of [null, "lk_not-a-real-key"]) {
      const res = await admin(key, method, path, body);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: "unauthorized", request_id: expect.stringMatching(requestId) });
    }
  });

  it("another company's rule: 404 on delete, and it stays; lists show only the company's own", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const myKey = await adminKey(mine.id);
    const theirKey = await adminKey(theirs.id);
    const theirRule = await admin(theirKey, "POST", "/earning-rules", { kind: "excluded_payment_method", target_id: "5002" });

    const res = await admin(myKey, "DELETE", `/earning-rules/${theirRule.body.id}`);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: "not_found", message: "This company has no earning rule with that id", request_id: expect.stringMatching(requestId) },
    });
    expect((await admin(theirKey, "GET", "/earning-rules")).body.data).toEqual([theirRule.body]);
    expect((await admin(myKey, "GET", "/earning-rules")).body.data).toEqual([]);
    // The same rule in another company is no duplicate.
    expect((await admin(myKey, "POST", "/earning-rules", { kind: "excluded_payment_method", target_id: "5002" })).status).toBe(201);
  });
});

describe("admin earning rules: duplicates", () => {
  it.each([
    [{ kind: "product_multiplier", target_id: "3001", multiplier: 2 }, { kind: "product_multiplier", target_id: "3001", multiplier: 3 }],
    [{ kind: "excluded_payment_method", target_id: "5002" }, { kind: "excluded_payment_method", target_id: "5002" }],
  ])("the same kind and target again: 409, the first one stays", async (first, second) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const created = await admin(key, "POST", "/earning-rules", first);

    const res = await admin(key, "POST", "/earning-rules", second);

    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: {
        code: "conflict",
        message: `This company already has a ${second.kind} rule for ${second.target_id}`,
        request_id: expect.stringMatching(requestId),
      },
    });
    expect((await admin(key, "GET", "/earning-rules")).body.data).toEqual([created.body]);
  });
});

describe("admin earning rules: invalid rules", () => {
  it.each([
    ["no kind", { target_id: "1" }, "kind: Invalid discriminator value. Expected 'product_multiplier' | 'category_multiplier' | 'excluded_payment_method'"],
    ["an unknown kind", { kind: "bonus", target_id: "1" }, "kind: Invalid discriminator value. Expected 'product_multiplier' | 'category_multiplier' | 'excluded_payment_method'"],
    ["a product multiplier without a target", { kind: "product_multiplier", multiplier: 2 }, "target_id: Invalid input: expected string, received undefined"],
    ["a product that is not a Kounta id", { kind: "product_multiplier", target_id: "latte", multiplier: 2 }, "target_id: Must be a Kounta product id (digits)"],
    ["a product multiplier without a multiplier", { kind: "product_multiplier", target_id: "1" }, "multiplier: Invalid input: expected number, received undefined"],
    ["a multiplier of zero", { kind: "product_multiplier", target_id: "1", multiplier: 0 }, "multiplier: Too small: expected number to be >0"],
    ["a category multiplier over 100", { kind: "category_multiplier", target_id: "1", multiplier: 101 }, "multiplier: Too big: expected number to be <=100"],
    ["a category that is not a Kounta id", { kind: "category_multiplier", target_id: "", multiplier: 2 }, "target_id: Must be a Kounta category id (digits)"],
    ["a payment method that is not a Kounta id", { kind: "excluded_payment_method", target_id: "gift card" }, "target_id: Must be a Kounta payment method id (digits)"],
    ["an excluded payment method with a multiplier", { kind: "excluded_payment_method", target_id: "1", multiplier: 0 }, "multiplier: Not a field of an excluded_payment_method rule"],
    ["a multiplier rule with an unknown field", { kind: "category_multiplier", target_id: "1", multiplier: 2, active: false }, "active: Not a field of a category_multiplier rule"],
  ])("%s: 400, path: message, nothing added", async (_name, body, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "POST", "/earning-rules", body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect((await admin(key, "GET", "/earning-rules")).body.data).toEqual([]);
  });

  it("an unknown rule id: 404", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "DELETE", "/earning-rules/ern_nope");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
