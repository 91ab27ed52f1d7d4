import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

describe("admin programme settings: authentication", () => {
  it.each([
    ["GET", "no key", null, "Send an API key as Authorization: Bearer <key>"],
    ["GET", "a wrong key", "lk_not-a-real-key", "This API key is not valid or has been revoked"],
    ["PATCH", "no key", null, "Send an API key as Authorization: Bearer <key>"],
    ["PATCH", "a wrong key", "lk_not-a-real-key", "This API key is not valid or has been revoked"],
  ])("%s with %s: 401", async (method, _name, key, message) => {
    const res = await admin(key, method, "/settings", method === "PATCH" ? { points_label: "Mine" } : undefined);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: "unauthorized", message, request_id: expect.stringMatching(requestId) } });
  });

  it("a key changes its own company's settings only", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany({ pointsLabel: "Theirs" });
    const myKey = await adminKey(mine.id);
    await admin(myKey, "PATCH", "/settings", { points_label: "Mine" });
    expect((await admin(await adminKey(theirs.id), "GET", "/settings")).body.points_label).toBe("Theirs");
    expect((await admin(myKey, "GET", "/settings")).body.points_label).toBe("Mine");
  });
});

describe("admin programme settings: invalid changes", () => {
  it.each([
    ["nothing", {}, "Send at least one field to change"],
    ["an unknown setting", { name: "New name" }, "name: Not a programme setting"],
    ["an empty points label", { points_label: " " }, "points_label: Too small: expected string to have >=1 characters"],
    ["a long points label", { points_label: "x".repeat(31) }, "points_label: Too big: expected string to have <=30 characters"],
    ["a null points label", { points_label: null }, "points_label: Invalid input: expected string, received null"],
    ["a long intro", { intro_text: "x".repeat(201) }, "intro_text: Too big: expected string to have <=200 characters"],
    ["a lower-case currency", { currency: "aud" }, "currency: Must be an ISO 4217 code of three capital letters, such as AUD"],
    ["a currency symbol", { currency: "$" }, "currency: Must be an ISO 4217 code of three capital letters, such as AUD"],
    ["expiry of 0 months", { expiry_months: 0 }, "expiry_months: Too small: expected number to be >=1"],
    ["expiry of 121 months", { expiry_months: 121 }, "expiry_months: Too big: expected number to be <=120"],
    ["expiry in fractions of a month", { expiry_months: 1.5 }, "expiry_months: Invalid input: expected int, received number"],
    ["auto_enrol as a string", { auto_enrol: "yes" }, "auto_enrol: Invalid input: expected boolean, received string"],
    ["a country code with +", { phone_country_code: "+61" }, "phone_country_code: Must be 1 to 4 digits, without +"],
    ["a country code of 5 digits", { phone_country_code: "12345" }, "phone_country_code: Must be 1 to 4 digits, without +"],
    ["a reward product that is not a Kounta id", { reward_product_id: "discount" }, "reward_product_id: Must be a Kounta product id (digits)"],
    ["a payment method that is a number", { loyalty_payment_method_id: 5001 }, "loyalty_payment_method_id: Invalid input: expected string, received number"],
    ["a point worth nothing", { point_value_cents: 0 }, "point_value_cents: Too small: expected number to be >=1"],
    ["points per unit of zero", { points_per_currency_unit: 0 }, "points_per_currency_unit: Too small: expected number to be >0"],
    ["points per unit over 1000", { points_per_currency_unit: 1000.5 }, "points_per_currency_unit: Too big: expected number to be <=1000"],
    ["a negative minimum spend", { minimum_spend_cents: -1 }, "minimum_spend_cents: Too small: expected number to be >=0"],
    ["a minimum spend in fractions of a cent", { minimum_spend_cents: 0.5 }, "minimum_spend_cents: Invalid input: expected int, received number"],
  ])("%s: 400, path: message, nothing changed", async (_name, body, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const before = await admin(key, "GET", "/settings");

    const res = await admin(key, "PATCH", "/settings", body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect((await admin(key, "GET", "/settings")).body).toEqual(before.body);
  });
});
