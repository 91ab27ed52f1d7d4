import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const ruleId = expect.stringMatching(/^ern_[0-9a-z]{16}$/);

describe("admin earning rules", () => {
  it.each([
    ["product_multiplier", { kind: "product_multiplier", target_id: "3001", multiplier: 2 }],
    ["category_multiplier", { kind: "category_multiplier", target_id: "40", multiplier: 1.5 }],
    ["excluded_payment_method", { kind: "excluded_payment_method", target_id: "5002" }],
  ])("adds a %s rule", async (_kind, body) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);

    const res = await admin(key, "POST", "/earning-rules", body);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: ruleId, ...body, created_at: iso });
    expect((await admin(key, "GET", "/earning-rules")).body).toEqual({ data: [res.body] });
  });

  it("lists every rule; the same target may have rules of different kinds", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const a = await admin(key, "POST", "/earning-rules", { kind: "product_multiplier", target_id: "7", multiplier: 3 });
    const b = await admin(key, "POST", "/earning-rules", { kind: "category_multiplier", target_id: "7", multiplier: 2 });
    const c = await admin(key, "POST", "/earning-rules", { kind: "excluded_payment_method", target_id: "7" });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);

    const res = await admin(key, "GET", "/earning-rules");

    expect(res.status).toBe(200);
    const byKind = (rules: { kind: string }[]) => [...rules].sort((x, y) => x.kind.localeCompare(y.kind));
    expect(byKind(res.body.data)).toEqual(byKind([a.body, b.body, c.body]));
  });

  it("removes a rule, after which the same rule can be added again", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const body = { kind: "product_multiplier", target_id: "3001", multiplier: 2 };
    const created = await admin(key, "POST", "/earning-rules", body);

    const removed = await admin(key, "DELETE", `/earning-rules/${created.body.id}`);

    expect(removed.status).toBe(200);
    expect(removed.body).toEqual(created.body);
    expect((await admin(key, "GET", "/earning-rules")).body).toEqual({ data: [] });
    expect((await admin(key, "POST", "/earning-rules", body)).status).toBe(201);
  });
});
