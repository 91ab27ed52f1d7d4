import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rewards } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";

// The rewards pages answer only for the signed-in company: another company's reward id in the
// address is the 404 page and changes nothing, and a post that did not come from our page changes
// nothing either.

async function rowsOf(companyId: string) {
  return db.select().from(rewards).where(eq(rewards.companyId, companyId)).orderBy(asc(rewards.sortOrder), asc(rewards.id));
}

async function twoCompanies() {
  const seeded = [
    { id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "3001" },
    { id: "cake", title: "Free cake", pointsRequired: 800, productId: "3002" },
  ];
  const mine = await seedCompany({ rewards: seeded });
  const theirs = await seedCompany({ rewards: seeded });
  return { mine, theirs, browser: await signedIn(mine.id), theirKey: await adminKey(theirs.id) };
}

const editFields = { title: "Stolen", product_id: "1", points_required: "1", terms: "", action_label: "", active: "false" };

describe("rewards: another company's reward", () => {
  it.each([
    ["GET", "", undefined],
    ["POST", "", editFields],
    ["POST", "/deactivate", {}],
    ["POST", "/reactivate", {}],
  ] as const)("%s /dashboard/rewards/<theirs>%s: the 404 page, their reward unchanged", async (method, suffix, fields) => {
    const { mine, theirs, browser, theirKey } = await twoCompanies();
    const path = `/dashboard/rewards/${theirs.rewardId("coffee")}${suffix}`;
    const theirsBefore = await rowsOf(theirs.id);
    const adminBefore = await admin(theirKey, "GET", "/rewards");

    const res = method === "GET" ? await page(browser, path) : await post(browser, path, fields!);

    expect(res.status).toBe(404);
    expect(res.html).toContain("<h1>Not found</h1>");
    expect(res.html).toContain("There is no such reward in your programme.");
    expect(res.html).not.toContain("Free coffee");
    expect(await rowsOf(theirs.id)).toEqual(theirsBefore);
    expect((await admin(theirKey, "GET", "/rewards")).body).toEqual(adminBefore.body);
    expect((await rowsOf(mine.id)).map((r) => [r.title, r.active])).toEqual([
      ["Free coffee", true],
      ["Free cake", true],
    ]);
  });

  it("an order naming another company's reward: 400, neither order changes", async () => {
    const { mine, theirs, browser } = await twoCompanies();
    const res = await post(browser, "/dashboard/rewards/order", { ids: [theirs.rewardId("cake"), mine.rewardId("cake")] });
    expect(res.status).toBe(400);
    expect((await rowsOf(mine.id)).map((r) => [r.id, r.sortOrder])).toEqual([
      [mine.rewardId("coffee"), 0],
      [mine.rewardId("cake"), 1],
    ]);
    expect((await rowsOf(theirs.id)).map((r) => [r.id, r.sortOrder])).toEqual([
      [theirs.rewardId("coffee"), 0],
      [theirs.rewardId("cake"), 1],
    ]);
  });

  it("the list shows only the company's own rewards", async () => {
    const { mine, theirs, browser } = await twoCompanies();
    const { html } = await page(browser, "/dashboard/rewards");
    expect(html).toContain(`data-reward="${mine.rewardId("coffee")}"`);
    expect(html).not.toContain(theirs.rewardId("coffee"));
    expect(html).not.toContain(theirs.rewardId("cake"));
  });
});

describe("rewards: forged posts", () => {
  const forgeries = [
    ["without the CSRF token", { csrf: null }],
    ["with another session's token", { csrf: "x".repeat(43) }],
    ["from another site", { origin: "https://evil.example", secFetchSite: "cross-site" }],
  ] as const;

  it.each(forgeries)("%s: 403 for every change, and nothing changed", async (_, overrides) => {
    const { mine, browser } = await twoCompanies();
    const before = await rowsOf(mine.id);
    const id = mine.rewardId;
    const attempts: Array<[string, Record<string, string | string[]>]> = [
      ["/dashboard/rewards", { kind: "free_product", title: "Forged", product_id: "1", points_required: "1" }],
      [`/dashboard/rewards/${id("coffee")}`, editFields],
      ["/dashboard/rewards/order", { ids: [id("cake"), id("coffee")] }],
      [`/dashboard/rewards/${id("coffee")}/deactivate`, {}],
    ];
    for (const [path, fields] of attempts) {
      const res = await post(browser, path, fields, overrides);
      expect(res.status, path).toBe(403);
      expect(res.html, path).toContain("Nothing was changed.");
    }
    expect(await rowsOf(mine.id)).toEqual(before);
  });
});
