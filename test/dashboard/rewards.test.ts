import { describe, expect, it } from "vitest";
import { page, post } from "../dashboard-harness";
import { fieldError, fieldValue, listed, rewardRows as rowsOf, rewardsSetup as setup } from "./rewards.fixtures";

// The rewards pages: the list in POS order, editing, reordering, deactivating; every change
// checked in D1 and in the POS's reward lookup (adding a reward: rewards.create.test.ts).

describe("the rewards list", () => {
  it("shows every reward in POS order, what it gives, its state and its buttons", async () => {
    const { company, browser } = await setup([
      { id: "pay", title: "Pay with points", kind: "points_payment", variableQuantity: true, pointsRequired: 2000, sortOrder: 3 },
      { id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "3001", sortOrder: 0 },
      { id: "five", title: "$5 off", kind: "amount_off", value: 500, pointsRequired: 1000, sortOrder: 1 },
      { id: "pct", title: "20% off", kind: "percent_off", value: 2000, pointsRequired: 3000, sortOrder: 2, active: false },
    ]);
    const id = company.rewardId;

    const { status, html } = await page(browser, "/dashboard/rewards");

    expect(status).toBe(200);
    expect(listed(html)).toEqual([
      { id: id("coffee"), gives: "free product 3001" },
      { id: id("five"), gives: "$5.00 off" },
      { id: id("pct"), gives: "20% off" },
      { id: id("pay"), gives: "pay with points" },
    ]);
    expect(html).toContain('<a class="button" href="/dashboard/rewards/new">Add a reward</a>');
    for (const r of ["coffee", "five", "pct", "pay"]) expect(html).toContain(`<a href="/dashboard/rewards/${id(r)}">Edit</a>`);
    expect(html.match(/<span class="badge active">Active<\/span>/g)).toHaveLength(3);
    expect(html.match(/<span class="badge inactive">Inactive<\/span>/g)).toHaveLength(1);
    expect(html).toContain(`action="/dashboard/rewards/${id("pct")}/reactivate"`);
    expect(html).not.toContain(`action="/dashboard/rewards/${id("pct")}/deactivate"`);
    expect(html).toContain(
      `action="/dashboard/rewards/${id("five")}/deactivate" class="inline" data-confirm="Take “$5 off” off the POS? Its history stays, and you can bring it back later."`,
    );
    // The first cannot go up, the last cannot go down; the others both.
    expect(html).not.toContain('aria-label="Move Free coffee up"');
    expect(html).toContain('aria-label="Move Free coffee down"');
    expect(html).toContain('aria-label="Move Pay with points up"');
    expect(html).not.toContain('aria-label="Move Pay with points down"');
    expect(html).toContain("up to 2,000");
  });
});

describe("editing a reward", () => {
  const seeded = [
    { id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "3001" },
    { id: "five", title: "$5 off", kind: "amount_off" as const, value: 500, pointsRequired: 1000, terms: "Once a day" },
  ];

  it("shows the reward's own fields, filled in, and saves a change the POS then shows", async () => {
    const { company, browser, lookup } = await setup(seeded);
    const id = company.rewardId("five");
    const edit = await page(browser, `/dashboard/rewards/${id}`);
    expect(edit.status).toBe(200);
    expect(fieldValue(edit.html, "title")).toBe("$5 off");
    expect(fieldValue(edit.html, "amount")).toBe("5.00");
    expect(fieldValue(edit.html, "points_required")).toBe("1000");
    expect(edit.html).toContain(">Once a day</textarea>");
    expect(edit.html).toContain('<input id="f-active" type="checkbox" name="active" value="true" checked=""');
    expect(edit.html).not.toContain('name="kind"');
    expect(edit.html).not.toContain('name="percent"');

    // A kind (or another kind's setting) sent along changes nothing: the form reads only its own fields.
    const res = await post(browser, `/dashboard/rewards/${id}`, {
      title: "Take five",
      amount: "4.50",
      points_required: "900",
      terms: "",
      action_label: "Take it off",
      active: ["false", "true"],
      kind: "percent_off",
      percent: "50",
    });

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/rewards?done=saved");
    const [, row] = await rowsOf(company.id);
    expect(row).toMatchObject({ id, kind: "amount_off", title: "Take five", value: 450, pointsRequired: 900, terms: null, actionLabel: "Take it off", active: true });
    expect((await lookup())[1]).toEqual({ id, title: "Take five", points_required: 900, points_label: "Points", action_label: "Take it off", variable_quantity: false });
  });

  it("refuses a bad change: 400, messages next to the fields, what was typed kept, the reward unchanged", async () => {
    const { company, browser, lookup } = await setup(seeded);
    const id = company.rewardId("coffee");
    const before = await rowsOf(company.id);
    const posBefore = await lookup();

    const res = await post(browser, `/dashboard/rewards/${id}`, {
      title: "",
      product_id: "3009",
      points_required: "-5",
      terms: "New terms",
      action_label: "",
      active: ["false", "true"],
    });

    expect(res.status).toBe(400);
    expect(fieldError(res.html, "title")).toBe("Too small: expected string to have >=1 characters");
    expect(fieldError(res.html, "points_required")).toBe("Too small: expected number to be >=1");
    expect(fieldError(res.html, "product_id")).toBeNull();
    expect(fieldValue(res.html, "product_id")).toBe("3009");
    expect(fieldValue(res.html, "points_required")).toBe("-5");
    expect(res.html).toContain(">New terms</textarea>");
    // Still ticked, as it was sent.
    expect(res.html).toContain('<input id="f-active" type="checkbox" name="active" value="true" checked=""');
    expect(await rowsOf(company.id)).toEqual(before);
    expect(await lookup()).toEqual(posBefore);
  });

  it("unticking Active takes the reward off the POS", async () => {
    const { company, browser, lookup } = await setup(seeded);
    const id = company.rewardId("coffee");
    const res = await post(browser, `/dashboard/rewards/${id}`, { title: "Free coffee", product_id: "3001", points_required: "500", terms: "", action_label: "", active: "false" });
    expect(res.status).toBe(303);
    expect((await rowsOf(company.id))[0]).toMatchObject({ id, active: false });
    expect((await lookup()).map((r) => r.id)).toEqual([company.rewardId("five")]);
  });
});

describe("ordering, deactivating and reactivating", () => {
  const seeded = [
    { id: "a", title: "Reward A", pointsRequired: 100, productId: "1" },
    { id: "b", title: "Reward B", pointsRequired: 200, productId: "2" },
    { id: "c", title: "Reward C", pointsRequired: 300, productId: "3" },
  ];

  it("moving a reward up saves the new order in D1 and the POS lists them so", async () => {
    const { company, browser, lookup } = await setup(seeded);
    const id = company.rewardId;
    const list = await page(browser, "/dashboard/rewards");
    // The "Move Reward C up" form carries the whole new order.
    const form = /<form method="post" action="\/dashboard\/rewards\/order" class="inline">((?:(?!<\/form>)[\s\S])*?aria-label="Move Reward C up")/.exec(list.html);
    const ids = [...form![1]!.matchAll(/name="ids" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toEqual([id("a"), id("c"), id("b")]);

    const res = await post(browser, "/dashboard/rewards/order", { ids });

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/rewards?done=ordered");
    expect((await rowsOf(company.id)).map((r) => [r.id, r.sortOrder])).toEqual([
      [id("a"), 0],
      [id("c"), 1],
      [id("b"), 2],
    ]);
    expect((await lookup()).map((r) => r.id)).toEqual([id("a"), id("c"), id("b")]);
    const after = await page(browser, res.location!);
    expect(after.html).toContain("The new order was saved: the POS lists the rewards in this order.");
    expect(listed(after.html).map((r) => r.id)).toEqual([id("a"), id("c"), id("b")]);
  });

  it("refuses an order naming a reward twice or an unknown one: 400, the order unchanged", async () => {
    const { company, browser, lookup } = await setup(seeded);
    const id = company.rewardId;
    for (const ids of [[id("b"), id("b"), id("a")], [id("c"), "rwd_unknown"], []]) {
      const res = await post(browser, "/dashboard/rewards/order", { ids });
      expect(res.status, ids.join()).toBe(400);
      expect(res.html).toContain("The new order could not be saved: the list had changed in the meantime. Nothing was changed");
      expect(listed(res.html).map((r) => r.id)).toEqual([id("a"), id("b"), id("c")]);
    }
    expect((await rowsOf(company.id)).map((r) => r.sortOrder)).toEqual([0, 1, 2]);
    expect((await lookup()).map((r) => r.id)).toEqual([id("a"), id("b"), id("c")]);
  });

  it("deactivating takes a reward off the POS; reactivating brings it back", async () => {
    const { company, browser, lookup } = await setup(seeded);
    const id = company.rewardId;

    const off = await post(browser, `/dashboard/rewards/${id("b")}/deactivate`, {});

    expect(off.status).toBe(303);
    expect(off.location).toBe("/dashboard/rewards?done=deactivated");
    expect((await rowsOf(company.id)).map((r) => r.active)).toEqual([true, false, true]);
    expect((await lookup()).map((r) => r.id)).toEqual([id("a"), id("c")]);
    const list = await page(browser, off.location!);
    expect(list.html).toContain("The reward is off the POS. Its history stays, and Reactivate brings it back.");
    expect(list.html).toContain(`action="/dashboard/rewards/${id("b")}/reactivate"`);

    const on = await post(browser, `/dashboard/rewards/${id("b")}/reactivate`, {});

    expect(on.status).toBe(303);
    expect(on.location).toBe("/dashboard/rewards?done=reactivated");
    expect((await rowsOf(company.id)).map((r) => r.active)).toEqual([true, true, true]);
    expect((await lookup()).map((r) => r.id)).toEqual([id("a"), id("b"), id("c")]);
  });
});
