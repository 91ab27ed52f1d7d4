import { describe, expect, it } from "vitest";
import { page, post } from "../dashboard-harness";
import { seedCompany } from "../harness";
import { fieldError, fieldValue, rewardRows, rewardsSetup } from "./rewards.fixtures";
import { option, threeTiers } from "./tiers.fixtures";

// A reward for members of a tier and above: the rewards form's "For members of" select (NewReward
// and RewardPatch's min_tier_id), on create and edit, checked in D1, the list and the POS's lookup
// (whose member is Bronze: a Gold reward is not offered to them).

const titles = (rewards: Array<Record<string, unknown>>) => rewards.map((r) => r.title);

async function setup() {
  const s = await rewardsSetup();
  return { ...s, tiers: await threeTiers(s.company.id) };
}

describe("dashboard: rewards for a tier", () => {
  it("offers every member or each tier and above; a programme without tiers shows no such select", async () => {
    const { browser, tiers } = await setup();
    const { html } = await page(browser, "/dashboard/rewards/new?kind=free_product");
    expect(html).toContain('<label for="f-min_tier_id">For members of</label>');
    expect(html).toContain(option("", "Every member", true));
    for (const t of [tiers.bronze, tiers.silver, tiers.gold]) expect(html).toContain(option(t.id, `${t.name} and above`));

    const plain = await rewardsSetup();
    expect((await page(plain.browser, "/dashboard/rewards/new?kind=free_product")).html).not.toContain('name="min_tier_id"');
  });

  it("creates a Gold reward: its row, the list says so, and the POS does not offer it to a Bronze member", async () => {
    const { company, browser, tiers, lookup } = await setup();
    const res = await post(browser, "/dashboard/rewards", { kind: "free_product", title: "Gold cake", product_id: "3002", points_required: "100", terms: "", action_label: "", min_tier_id: tiers.gold.id });
    expect(res.status).toBe(303);
    const rows = await rewardRows(company.id);
    expect(rows.map((r) => [r.title, r.minTierId])).toEqual([
      ["Free coffee", null],
      ["Gold cake", tiers.gold.id],
    ]);
    expect((await page(browser, "/dashboard/rewards")).html).toContain('<div class="muted" data-reward-tier="true">For Gold members and above</div>');
    expect(titles(await lookup())).toEqual(["Free coffee"]);

    // For every member again: the POS offers it.
    const id = rows[1]!.id;
    const edit = await page(browser, `/dashboard/rewards/${id}`);
    expect(edit.html).toContain(option(tiers.gold.id, "Gold and above", true));
    const saved = await post(browser, `/dashboard/rewards/${id}`, { title: "Gold cake", product_id: "3002", points_required: "100", terms: "", action_label: "", active: ["false", "true"], min_tier_id: "" });
    expect(saved.status).toBe(303);
    expect((await rewardRows(company.id))[1]!.minTierId).toBeNull();
    expect(titles(await lookup())).toEqual(["Free coffee", "Gold cake"]);

    // And for Bronze and above: still the member's.
    await post(browser, `/dashboard/rewards/${id}`, { title: "Gold cake", product_id: "3002", points_required: "100", active: ["false", "true"], min_tier_id: tiers.bronze.id });
    expect((await rewardRows(company.id))[1]!.minTierId).toBe(tiers.bronze.id);
    expect(titles(await lookup())).toEqual(["Free coffee", "Gold cake"]);
  });

  it("a reward for a tier since removed is not reactivated (409, a sentence) until it is for a tier that is there, or everyone", async () => {
    const { company, browser, tiers, lookup } = await setup();
    await post(browser, "/dashboard/rewards", { kind: "free_product", title: "Gold cake", product_id: "3002", points_required: "100", min_tier_id: tiers.gold.id });
    const id = (await rewardRows(company.id))[1]!.id;
    expect((await post(browser, `/dashboard/rewards/${id}/deactivate`, {})).status).toBe(303);
    const kept = [tiers.bronze, tiers.silver].map((t, i) => ({ [`tier_${i}_id`]: t.id, [`tier_${i}_name`]: t.name, [`tier_${i}_threshold`]: String(t.threshold) }));
    expect((await post(browser, "/dashboard/programme/tiers", { basis: "points", window: "rolling", window_months: "12", ...kept[0], ...kept[1] })).status).toBe(303);

    const refused = await post(browser, `/dashboard/rewards/${id}/reactivate`, {});
    expect(refused.status).toBe(409);
    expect(refused.html).toContain("This reward was for a tier that has since been removed, so it was not brought back");
    expect(refused.html).toContain('<div class="muted" data-reward-tier="true">For a tier that was removed: no member is offered it</div>');
    expect((await rewardRows(company.id))[1]).toMatchObject({ active: false, minTierId: tiers.gold.id });

    const edit = await page(browser, `/dashboard/rewards/${id}`);
    expect(edit.html).toContain(option(tiers.gold.id, "A tier that was removed", true));
    const stillGold = await post(browser, `/dashboard/rewards/${id}`, { title: "Gold cake", product_id: "3002", points_required: "100", active: ["false", "true"], min_tier_id: tiers.gold.id });
    expect(stillGold.status).toBe(400);
    expect(fieldError(stillGold.html, "min_tier_id")).toBe("Choose one of the programme's tiers.");
    const everyone = await post(browser, `/dashboard/rewards/${id}`, { title: "Gold cake", product_id: "3002", points_required: "100", active: ["false", "true"], min_tier_id: "" });
    expect(everyone.status).toBe(303);
    expect((await rewardRows(company.id))[1]).toMatchObject({ active: true, minTierId: null });
    expect(titles(await lookup())).toEqual(["Free coffee", "Gold cake"]);
  });

  it("refuses another company's tier on create and edit with 400 beside the select, keeping what was typed; nothing changes", async () => {
    const { company, browser, lookup } = await setup();
    const other = await seedCompany();
    const { gold: othersGold } = await threeTiers(other.id);
    const created = await post(browser, "/dashboard/rewards", { kind: "free_product", title: "Sneaky", product_id: "3002", points_required: "100", min_tier_id: othersGold.id });
    expect(created.status).toBe(400);
    expect(fieldError(created.html, "min_tier_id")).toBe("Choose one of the programme's tiers.");
    expect(fieldValue(created.html, "title")).toBe("Sneaky");
    expect((await rewardRows(company.id)).map((r) => r.title)).toEqual(["Free coffee"]);

    const coffee = (await rewardRows(company.id))[0]!;
    const edited = await post(browser, `/dashboard/rewards/${coffee.id}`, { title: "Coffee, renamed", product_id: "3001", points_required: "500", active: ["false", "true"], min_tier_id: othersGold.id });
    expect(edited.status).toBe(400);
    expect(fieldError(edited.html, "min_tier_id")).toBe("Choose one of the programme's tiers.");
    expect(fieldValue(edited.html, "title")).toBe("Coffee, renamed");
    expect((await rewardRows(company.id))[0]).toEqual(coffee);
    expect(titles(await lookup())).toEqual(["Free coffee"]);
  });
});
