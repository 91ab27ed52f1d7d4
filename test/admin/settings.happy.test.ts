import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import { getJson, kountaUrl, seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe("admin programme settings", () => {
  it("reads the settings", async () => {
    const company = await seedCompany({ pointsLabel: "Beans", introText: "Welcome back" });
    const key = await adminKey(company.id);

    const res = await admin(key, "GET", "/settings");

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      points_label: "Beans",
      intro_text: "Welcome back",
      currency: "AUD",
      expiry_months: null,
      auto_enrol: false,
      self_enrol: true,
      join_terms: null,
      phone_country_code: "61",
      reward_product_id: "9001",
      loyalty_payment_method_id: "5001",
      point_value_cents: 1,
      points_per_currency_unit: 1,
      minimum_spend_cents: 0,
      updated_at: iso,
    });
  });

  it("changes every setting", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const before = await admin(key, "GET", "/settings");
    const changes = {
      points_label: "Stars",
      intro_text: "Every 10th coffee on us",
      currency: "NZD",
      expiry_months: 12,
      auto_enrol: true,
      self_enrol: false,
      join_terms: "I agree to the Stars terms",
      phone_country_code: "64",
      reward_product_id: "7001",
      loyalty_payment_method_id: "8001",
      point_value_cents: 5,
      points_per_currency_unit: 2.5,
      minimum_spend_cents: 300,
    };

    const res = await admin(key, "PATCH", "/settings", changes);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...changes, updated_at: iso });
    expect((await admin(key, "GET", "/settings")).body).toEqual(res.body);
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.body.updated_at));
  });

  it("changes only what is sent; null clears what may be empty", async () => {
    const company = await seedCompany({ introText: "Hello" });
    const key = await adminKey(company.id);
    const before = await admin(key, "GET", "/settings");

    const res = await admin(key, "PATCH", "/settings", {
      intro_text: null,
      expiry_months: null,
      phone_country_code: null,
      reward_product_id: null,
      loyalty_payment_method_id: null,
    });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...before.body,
      intro_text: null,
      phone_country_code: null,
      reward_product_id: null,
      loyalty_payment_method_id: null,
      updated_at: iso,
    });
    // An empty intro is no intro.
    expect((await admin(key, "PATCH", "/settings", { intro_text: "  " })).body.intro_text).toBeNull();
  });

  it("a new points label and intro text reach the next POS lookup", async () => {
    const company = await seedCompany({ rewards: [{ id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "1" }] });
    const memberId = await company.addMember({ firstName: "John", openingPoints: 700 });
    const key = await adminKey(company.id);
    const lookup = () =>
      getJson(kountaUrl("reward-lookup", { reference_id: memberId, site_id: company.siteId, company_id: company.id, order_id: "111" }));
    // Warm: the catalogue is in KV and in this isolate's memory.
    const warm = await lookup();
    expect(warm.body.member.points_label).toBe("Points");
    expect(warm.body.member.intro_text).toBeUndefined();

    const res = await admin(key, "PATCH", "/settings", { points_label: "Beans", intro_text: "Gold member" });
    expect(res.status).toBe(200);

    const { body } = await lookup();
    expect(body.member).toMatchObject({ points_label: "Beans", intro_text: "Gold member" });
    expect(body.rewards[0].points_label).toBe("Beans");
    const kv = await env.CACHE.get<{ pointsLabel: string }>(cacheKeys.rewardCatalogue(company.id), "json");
    expect(kv?.pointsLabel).toBe("Beans");
  });

  it("the next search shows the new points label", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Zebedee", openingPoints: 10 });
    const key = await adminKey(company.id);
    const search = () => getJson(kountaUrl("customer-search", { keyword: "Zebedee", site_id: company.siteId, company_id: company.id, order_id: "1" }));
    expect(Object.values((await search()).body.members).map((m: any) => m.points_label)).toEqual(["Points"]);

    await admin(key, "PATCH", "/settings", { points_label: "Beans" });

    expect(Object.values((await search()).body.members).map((m: any) => m.points_label)).toEqual(["Beans"]);
  });
});
