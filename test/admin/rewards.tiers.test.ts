import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rewards } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

// A reward for a tier: min_tier_id on create and patch, and a reward kept for a tier that has since
// been removed, which may come back only for a tier that is there (or for every member).

async function setup() {
  const company = await seedCompany();
  const key = await adminKey(company.id);
  const put = await admin(key, "PUT", "/tiers", { basis: "points", window: "rolling", tiers: [{ name: "Bronze", threshold: 0 }, { name: "Gold", threshold: 1000 }] });
  expect(put.status).toBe(200);
  const [bronze, gold] = put.body.tiers as { id: string; name: string }[];
  return { company, key, bronze: bronze!, gold: gold! };
}

const error = (message: string) => ({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });

describe("rewards for a tier", () => {
  it("takes min_tier_id on create and patch, and refuses a tier the company does not have", async () => {
    const { key, gold, bronze } = await setup();
    const created = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Gold cake", points_required: 500, product_id: "2003", min_tier_id: gold.id });
    expect(created.status).toBe(201);
    expect(created.body.min_tier_id).toBe(gold.id);
    const patched = await admin(key, "PATCH", `/rewards/${created.body.id}`, { min_tier_id: bronze.id });
    expect(patched.status).toBe(200);
    expect(patched.body.min_tier_id).toBe(bronze.id);

    const unknown = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Nobody's", points_required: 500, product_id: "2003", min_tier_id: "tier_nope" });
    expect(unknown).toMatchObject({ status: 400, body: error("min_tier_id: This company has no tier with that id") });
    const badPatch = await admin(key, "PATCH", `/rewards/${created.body.id}`, { min_tier_id: "tier_nope" });
    expect(badPatch).toMatchObject({ status: 400, body: error("min_tier_id: This company has no tier with that id") });
    expect((await admin(key, "GET", `/rewards/${created.body.id}`)).body.min_tier_id).toBe(bronze.id);
  });

  it("does not bring a reward back for a tier that was removed while it was inactive", async () => {
    const { key, gold, bronze } = await setup();
    const created = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Gold cake", points_required: 500, product_id: "2003", min_tier_id: gold.id });
    expect((await admin(key, "POST", `/rewards/${created.body.id}/deactivate`)).status).toBe(200);
    // Inactive, it does not hold the tier: Gold can go.
    const removed = await admin(key, "PUT", "/tiers", { basis: "points", window: "rolling", tiers: [{ id: bronze.id, name: "Bronze", threshold: 0 }] });
    expect(removed.status).toBe(200);

    const back = await admin(key, "PATCH", `/rewards/${created.body.id}`, { active: true });
    expect(back).toMatchObject({
      status: 400,
      body: error("min_tier_id: The tier this reward was for has been removed: choose another tier, or null for every member"),
    });
    const [row] = await db.select().from(rewards).where(eq(rewards.id, created.body.id));
    expect(row).toMatchObject({ active: false, minTierId: gold.id });

    const forEveryone = await admin(key, "PATCH", `/rewards/${created.body.id}`, { active: true, min_tier_id: null });
    expect(forEveryone.status).toBe(200);
    expect(forEveryone.body).toMatchObject({ active: true, min_tier_id: null });
  });
});
