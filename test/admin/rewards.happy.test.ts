import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const rewardId = expect.stringMatching(/^rwd_[0-9a-z]{16}$/);

async function setup() {
  const company = await seedCompany();
  return { company, key: await adminKey(company.id) };
}

describe("admin rewards", () => {
  it.each([
    [
      "amount_off",
      { kind: "amount_off", title: "$5 off", points_required: 1000, amount_cents: 500, action_label: "Take $5 off" },
      { kind: "amount_off", title: "$5 off", terms: null, points_required: 1000, variable_quantity: false, action_label: "Take $5 off", min_tier_id: null, amount_cents: 500 },
    ],
    [
      "percent_off",
      { kind: "percent_off", title: "12.5% off", terms: "Not on alcohol", points_required: 3000, percent: 12.5 },
      { kind: "percent_off", title: "12.5% off", terms: "Not on alcohol", points_required: 3000, variable_quantity: false, action_label: null, min_tier_id: null, percent: 12.5 },
    ],
    [
      "free_product",
      { kind: "free_product", title: "  Free coffee ", terms: "Any regular hot drink", points_required: 500, product_id: "3001" },
      { kind: "free_product", title: "Free coffee", terms: "Any regular hot drink", points_required: 500, variable_quantity: false, action_label: null, min_tier_id: null, product_id: "3001" },
    ],
    [
      "points_payment",
      { kind: "points_payment", title: "Pay with points", points_required: 2000, variable_quantity: true },
      { kind: "points_payment", title: "Pay with points", terms: null, points_required: 2000, variable_quantity: true, action_label: null, min_tier_id: null },
    ],
  ])("creates a %s reward and reads it back", async (_kind, body, expected) => {
    const { key } = await setup();

    const created = await admin(key, "POST", "/rewards", body);

    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: rewardId, ...expected, active: true, sort_order: 0, created_at: iso, updated_at: iso });
    const read = await admin(key, "GET", `/rewards/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it("a points_payment reward has a variable quantity without being told", async () => {
    const { key } = await setup();
    const created = await admin(key, "POST", "/rewards", { kind: "points_payment", title: "Pay with points", points_required: 2000 });
    expect(created.status).toBe(201);
    expect(created.body.variable_quantity).toBe(true);
  });

  it("lists every reward, inactive ones too, in display order; new ones go last", async () => {
    const { key } = await setup();
    const coffee = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Coffee", points_required: 500, product_id: "1" });
    const five = await admin(key, "POST", "/rewards", { kind: "amount_off", title: "$5 off", points_required: 1000, amount_cents: 500 });
    const cake = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Cake", points_required: 1500, product_id: "2" });
    await admin(key, "POST", `/rewards/${five.body.id}/deactivate`);

    const listed = await admin(key, "GET", "/rewards");

    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { title: string; sort_order: number; active: boolean }) => [r.title, r.sort_order, r.active])).toEqual([
      ["Coffee", 0, true],
      ["$5 off", 1, false],
      ["Cake", 2, true],
    ]);
    expect(listed.body.data[0]).toEqual(coffee.body);
    expect(listed.body.data[2]).toEqual(cake.body);
  });

  it("changes a reward's fields and the settings of its own kind", async () => {
    const { key } = await setup();
    const created = await admin(key, "POST", "/rewards", { kind: "percent_off", title: "20% off", points_required: 3000, percent: 20, terms: "Weekdays" });

    const patched = await admin(key, "PATCH", `/rewards/${created.body.id}`, {
      title: "25% off",
      terms: null,
      points_required: 3500,
      action_label: "Take 25% off",
      percent: 25,
    });

    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({
      id: created.body.id,
      kind: "percent_off",
      title: "25% off",
      terms: null,
      points_required: 3500,
      variable_quantity: false,
      action_label: "Take 25% off",
      min_tier_id: null,
      percent: 25,
      active: true,
      sort_order: 0,
      created_at: created.body.created_at,
      updated_at: iso,
    });
    expect((await admin(key, "GET", `/rewards/${created.body.id}`)).body).toEqual(patched.body);
  });

  it("deactivates a reward (twice is the same), and PATCH active: true brings it back", async () => {
    const { key } = await setup();
    const created = await admin(key, "POST", "/rewards", { kind: "amount_off", title: "$5 off", points_required: 1000, amount_cents: 500 });

    const off = await admin(key, "POST", `/rewards/${created.body.id}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ ...created.body, active: false, updated_at: iso });
    const again = await admin(key, "POST", `/rewards/${created.body.id}/deactivate`);
    expect(again.status).toBe(200);
    expect(again.body.active).toBe(false);

    const on = await admin(key, "PATCH", `/rewards/${created.body.id}`, { active: true });
    expect(on.body.active).toBe(true);
  });

  it("reorders: the listed rewards first, the others after in their old order", async () => {
    const { key } = await setup();
    const ids: string[] = [];
    for (const title of ["A", "B", "C", "D"]) {
      ids.push((await admin(key, "POST", "/rewards", { kind: "free_product", title, points_required: 100, product_id: "1" })).body.id);
    }
    const [a, b, c, d] = ids as [string, string, string, string];

    const reordered = await admin(key, "PUT", "/rewards/order", { ids: [c, a] });

    expect(reordered.status).toBe(200);
    expect(reordered.body.data.map((r: { id: string; sort_order: number }) => [r.id, r.sort_order])).toEqual([
      [c, 0],
      [a, 1],
      [b, 2],
      [d, 3],
    ]);
    expect((await admin(key, "GET", "/rewards")).body).toEqual(reordered.body);
    const full = await admin(key, "PUT", "/rewards/order", { ids: [d, c, b, a] });
    expect(full.body.data.map((r: { title: string }) => r.title)).toEqual(["D", "C", "B", "A"]);
  });
});
