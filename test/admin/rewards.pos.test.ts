import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import { getJson, kountaUrl, seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

// An admin change is written through to the catalogue (KV and isolate memory) before it answers,
// so the very next POS lookup shows it, even one served from memory.

async function setup() {
  const company = await seedCompany({
    rewards: [
      { id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "3001" },
      { id: "cake", title: "Free cake", pointsRequired: 800, productId: "3002" },
      { id: "five", title: "$5 off", kind: "amount_off", value: 500, pointsRequired: 1000 },
    ],
  });
  const memberId = await company.addMember({ firstName: "John", openingPoints: 5000 });
  const key = await adminKey(company.id);
  const lookup = async () => {
    const res = await getJson(kountaUrl("reward-lookup", { reference_id: memberId, site_id: company.siteId, company_id: company.id, order_id: "111" }));
    expect(res.status).toBe(200);
    return res.body.rewards as { id: string; title: string; points_required: number; action_label: string; terms?: string }[];
  };
  // Warm: the catalogue is now in KV and in this isolate's memory.
  expect((await lookup()).map((r) => r.title)).toEqual(["Free coffee", "Free cake", "$5 off"]);
  return { company, key, lookup };
}

describe("admin reward changes reach the next POS lookup", () => {
  it("a changed reward", async () => {
    const { company, key, lookup } = await setup();

    const res = await admin(key, "PATCH", `/rewards/${company.rewardId("cake")}`, {
      title: "Free slice of cake",
      points_required: 900,
      action_label: "Give cake",
      terms: "Any slice",
    });
    expect(res.status).toBe(200);

    expect((await lookup())[1]).toMatchObject({
      id: company.rewardId("cake"),
      title: "Free slice of cake",
      points_required: 900,
      action_label: "Give cake",
      terms: "Any slice",
    });
    const kv = await env.CACHE.get<{ rewards: { title: string }[] }>(cacheKeys.rewardCatalogue(company.id), "json");
    expect(kv?.rewards.map((r) => r.title)).toEqual(["Free coffee", "Free slice of cake", "$5 off"]);
  });

  it("a new reward, at the end", async () => {
    const { key, lookup } = await setup();
    const created = await admin(key, "POST", "/rewards", { kind: "points_payment", title: "Pay with points", points_required: 2000 });
    const rewards = await lookup();
    expect(rewards.map((r) => r.title)).toEqual(["Free coffee", "Free cake", "$5 off", "Pay with points"]);
    expect(rewards[3]).toMatchObject({ id: created.body.id, points_required: 2000 });
  });

  it("a deactivated reward is gone, and back when reactivated", async () => {
    const { company, key, lookup } = await setup();
    await admin(key, "POST", `/rewards/${company.rewardId("coffee")}/deactivate`);
    expect((await lookup()).map((r) => r.title)).toEqual(["Free cake", "$5 off"]);
    await admin(key, "PATCH", `/rewards/${company.rewardId("coffee")}`, { active: true });
    expect((await lookup()).map((r) => r.title)).toEqual(["Free coffee", "Free cake", "$5 off"]);
  });

  it("a new order", async () => {
    const { company, key, lookup } = await setup();
    const res = await admin(key, "PUT", "/rewards/order", { ids: [company.rewardId("five"), company.rewardId("coffee")] });
    expect(res.status).toBe(200);
    expect((await lookup()).map((r) => r.title)).toEqual(["$5 off", "Free coffee", "Free cake"]);
  });
});
