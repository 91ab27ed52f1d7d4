import { describe, expect, it } from "vitest";
import { page, post } from "../dashboard-harness";
import { fieldError, fieldValue, listed, rewardRows as rowsOf, rewardsSetup as setup } from "./rewards.fixtures";

// Adding a reward of each kind from the dashboard: its row in D1 and the POS's reward lookup, and
// a refused form that keeps what was typed and adds nothing.

describe("adding a reward", () => {
  it("asks for the kind first, then shows the fields of that kind", async () => {
    const { browser } = await setup();
    const chooser = await page(browser, "/dashboard/rewards/new");
    expect(chooser.status).toBe(200);
    for (const kind of ["free_product", "amount_off", "percent_off", "points_payment"]) expect(chooser.html).toContain(`href="/dashboard/rewards/new?kind=${kind}"`);
    expect(chooser.html).not.toContain('name="title"');

    const percent = await page(browser, "/dashboard/rewards/new?kind=percent_off");
    expect(percent.html).toContain('<input type="hidden" name="kind" value="percent_off"/>');
    expect(fieldValue(percent.html, "percent")).toBe("");
    expect(percent.html).not.toContain('name="amount"');
    expect(percent.html).not.toContain('name="product_id"');
    expect(percent.html).not.toContain('name="active"');
    expect((await page(browser, "/dashboard/rewards/new?kind=amount_off")).html).toContain('<label for="f-amount">Amount off, in AUD</label>');
  });

  it.each<{ kind: string; fields: Record<string, string>; row: Record<string, unknown>; pos: Record<string, unknown>; gives: string }>([
    {
      kind: "amount_off",
      fields: { title: " $5.50 off ", amount: "5.50", points_required: "400", terms: "", action_label: "Take $5.50 off" },
      row: { kind: "amount_off", title: "$5.50 off", terms: null, pointsRequired: 400, variableQuantity: false, actionLabel: "Take $5.50 off", minTierId: null, value: 550, productId: null },
      pos: { title: "$5.50 off", points_required: 400, points_label: "Points", action_label: "Take $5.50 off", variable_quantity: false },
      gives: "$5.50 off",
    },
    {
      kind: "percent_off",
      fields: { title: "12.5% off", percent: "12.5", points_required: "1000", terms: "Not with other offers", action_label: "" },
      row: { kind: "percent_off", title: "12.5% off", terms: "Not with other offers", pointsRequired: 1000, variableQuantity: false, actionLabel: null, minTierId: null, value: 1250, productId: null },
      pos: { title: "12.5% off", terms: "Not with other offers", points_required: 1000, points_label: "Points", action_label: "Redeem", variable_quantity: false },
      gives: "12.5% off",
    },
    {
      kind: "free_product",
      fields: { title: "Free cake", product_id: "3002", points_required: "800", terms: "Any slice", action_label: "Give cake" },
      row: { kind: "free_product", title: "Free cake", terms: "Any slice", pointsRequired: 800, variableQuantity: false, actionLabel: "Give cake", minTierId: null, value: null, productId: "3002" },
      pos: { title: "Free cake", terms: "Any slice", points_required: 800, points_label: "Points", action_label: "Give cake", variable_quantity: false },
      gives: "free product 3002",
    },
    {
      kind: "points_payment",
      fields: { title: "Pay with points", points_required: "2000", terms: "", action_label: "" },
      row: { kind: "points_payment", title: "Pay with points", terms: null, pointsRequired: 2000, variableQuantity: true, actionLabel: null, minTierId: null, value: null, productId: null },
      pos: { title: "Pay with points", points_required: 2000, points_label: "Points", action_label: "Redeem", variable_quantity: true },
      gives: "pay with points",
    },
  ])("a $kind reward: its row, last in the order, and the POS lists it", async ({ kind, fields, row, pos, gives }) => {
    const { company, browser, lookup } = await setup();
    const before = Date.now();

    const res = await post(browser, "/dashboard/rewards", { kind, ...fields });

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/rewards?done=created");
    const rows = await rowsOf(company.id);
    expect(rows).toHaveLength(2);
    const created = rows[1]!;
    expect(created).toEqual({
      id: expect.stringMatching(/^rwd_[0-9a-z]{16}$/),
      companyId: company.id,
      ...row,
      active: true,
      sortOrder: 1,
      createdAt: expect.any(Number),
      updatedAt: created.createdAt,
    });
    expect(created.createdAt).toBeGreaterThanOrEqual(before);
    expect(await lookup()).toEqual([
      { id: company.rewardId("coffee"), title: "Free coffee", points_required: 500, points_label: "Points", action_label: "Redeem", variable_quantity: false },
      { id: created.id, ...pos },
    ]);
    const list = await page(browser, res.location!);
    expect(list.html).toContain("The reward was added: the POS offers it from now on.");
    expect(listed(list.html).at(-1)).toEqual({ id: created.id, gives });
  });

  it.each([
    ["a percentage over 100", { kind: "percent_off", title: "Big sale", percent: "150", points_required: "100" }, "percent", "Too big: expected number to be <=100"],
    ["no title", { kind: "free_product", title: "", product_id: "3001", points_required: "100" }, "title", "Too small: expected string to have >=1 characters"],
    ["an amount in words", { kind: "amount_off", title: "Five off", amount: "five", points_required: "100" }, "amount", "Must be an amount such as 5.00"],
    ["an amount of nothing", { kind: "amount_off", title: "Nothing off", amount: "0.00", points_required: "100" }, "amount", "Too small: expected number to be >0"],
    ["an amount with a fraction of a cent", { kind: "amount_off", title: "Odd", amount: "1.005", points_required: "100" }, "amount", "Must be an amount such as 5.00"],
    ["no points", { kind: "percent_off", title: "Free", percent: "10", points_required: "0" }, "points_required", "Too small: expected number to be >=1"],
    ["points left empty", { kind: "points_payment", title: "Pay", points_required: "" }, "points_required", "Must not be empty"],
    ["a product id in letters", { kind: "free_product", title: "Free tea", product_id: "tea", points_required: "100" }, "product_id", "Must be a Kounta product id (digits)"],
    ["a caption too long", { kind: "free_product", title: "Free tea", product_id: "1", points_required: "100", action_label: "x".repeat(31) }, "action_label", "Too big: expected string to have <=30 characters"],
  ])("refuses %s: 400, the message next to the field, what was typed kept, nothing created", async (_, fields, field, message) => {
    const { company, browser, lookup } = await setup();
    const posBefore = await lookup();

    const res = await post(browser, "/dashboard/rewards", { terms: "Keep these terms", ...fields });

    expect(res.status).toBe(400);
    expect(fieldError(res.html, field)).toBe(message);
    expect(res.html).toContain('aria-invalid="true"');
    expect(res.html).toContain(`<input type="hidden" name="kind" value="${fields.kind}"/>`);
    expect(fieldValue(res.html, "title")).toBe(fields.title);
    if (field !== "title") expect(fieldValue(res.html, field) ?? "").toBe((fields as Record<string, string>)[field]);
    expect(res.html).toContain(">Keep these terms</textarea>");
    expect(res.html).toContain("Nothing was saved.");
    expect(await rowsOf(company.id)).toHaveLength(1);
    expect(await lookup()).toEqual(posBefore);
  });

  it("refuses a form without a kind: 400, nothing created", async () => {
    const { company, browser } = await setup();
    const res = await post(browser, "/dashboard/rewards", { kind: "free_money", title: "Cash", points_required: "1" });
    expect(res.status).toBe(400);
    expect(res.html).toContain("This request could not be read. Nothing was changed.");
    expect(await rowsOf(company.id)).toHaveLength(1);
  });
});
