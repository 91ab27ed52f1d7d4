import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { companies, earningRules } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";
import { fieldError, fieldValue, rewardsSetup } from "./rewards.fixtures";

// The programme page: the settings (as PATCH /admin/v1/settings) and the earning rules (as POST and
// DELETE /admin/v1/earning-rules), each checked in D1, the admin API and the POS.

/** The settings form as the page sends it for a seeded company (auto-enrol unticked). */
const seededForm = {
  points_label: "Points",
  intro_text: "",
  points_per_currency_unit: "1",
  minimum_spend: "0.00",
  expiry_months: "",
  auto_enrol: ["false"],
  self_enrol: ["false", "true"],
  join_terms: "",
  point_value_cents: "1",
  reward_product_id: "9001",
  loyalty_payment_method_id: "5001",
  currency: "AUD",
  phone_country_code: "61",
};

async function companyRow(id: string) {
  const [row] = await db.select().from(companies).where(eq(companies.id, id));
  return row!;
}

async function rulesOf(companyId: string) {
  return db.select().from(earningRules).where(eq(earningRules.companyId, companyId)).orderBy(earningRules.createdAt, earningRules.id);
}

async function setup() {
  const { company, browser, lookupBody: lookup } = await rewardsSetup();
  return { company, browser, lookup, key: await adminKey(company.id) };
}

describe("programme settings", () => {
  it("shows every setting with what it does", async () => {
    const { browser } = await setup();
    const { status, html } = await page(browser, "/dashboard/programme");
    expect(status).toBe(200);
    for (const [name, value] of Object.entries(seededForm)) {
      if (["auto_enrol", "intro_text", "self_enrol", "join_terms"].includes(name)) continue;
      expect(fieldValue(html, name), name).toBe(value);
      expect(html, name).toContain(`<span class="hint" id="f-${name}-hint">`);
    }
    expect(html).toContain('<span class="hint" id="f-intro_text-hint">');
    expect(html).toContain('<span class="hint" id="f-auto_enrol-hint">');
    expect(html).toContain('<label for="f-points_per_currency_unit">Points per $1.00 spent</label>');
    expect(html).toContain('<label for="f-minimum_spend">Minimum spend to earn, in AUD</label>');
    expect(html).toContain('<label for="f-point_value_cents">What each of your Points is worth, in cents</label>');
    expect(html).toContain("How many Points a member earns for each $1.00 spent");
    expect(html).toContain('<input id="f-auto_enrol" type="checkbox" name="auto_enrol" value="true" aria-describedby');
  });

  it("saves every setting: D1, the admin API and the POS see them", async () => {
    const { company, browser, key, lookup } = await setup();

    const res = await post(browser, "/dashboard/programme", {
      points_label: " Beans ",
      intro_text: "Every 10th coffee on us",
      points_per_currency_unit: "2.5",
      minimum_spend: "3.50",
      expiry_months: "12",
      auto_enrol: ["false", "true"],
      self_enrol: ["false", "true"],
      join_terms: "",
      point_value_cents: "5",
      reward_product_id: "7001",
      loyalty_payment_method_id: "8001",
      currency: "NZD",
      phone_country_code: "64",
    });

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=saved");
    expect(await companyRow(company.id)).toMatchObject({
      pointsLabel: "Beans",
      introText: "Every 10th coffee on us",
      pointsPerCurrencyUnit: 2.5,
      minimumSpendCents: 350,
      expiryMonths: 12,
      autoEnrol: true,
      pointValueCents: 5,
      rewardProductId: "7001",
      loyaltyPaymentMethodId: "8001",
      currency: "NZD",
      phoneCountryCode: "64",
    });
    const { updated_at: _, ...settings } = (await admin(key, "GET", "/settings")).body;
    expect(settings).toEqual({
      points_label: "Beans",
      intro_text: "Every 10th coffee on us",
      currency: "NZD",
      expiry_months: 12,
      auto_enrol: true,
      self_enrol: true,
      join_terms: null,
      phone_country_code: "64",
      reward_product_id: "7001",
      loyalty_payment_method_id: "8001",
      point_value_cents: 5,
      points_per_currency_unit: 2.5,
      minimum_spend_cents: 350,
    });
    const pos = await lookup();
    expect(pos.member).toMatchObject({ points_label: "Beans", intro_text: "Every 10th coffee on us" });
    expect(pos.rewards[0]).toMatchObject({ title: "Free coffee", points_label: "Beans" });

    const after = await page(browser, res.location!);
    expect(after.html).toContain("The settings were saved: the POS and earning use them from now on.");
    expect(fieldValue(after.html, "minimum_spend")).toBe("3.50");
    expect(after.html).toContain('name="auto_enrol" value="true" checked=""');
    expect(after.html).toContain('<label for="f-minimum_spend">Minimum spend to earn, in NZD</label>');
  });

  it("clears the optional settings left empty", async () => {
    const { company, browser, lookup } = await setup();
    await db.update(companies).set({ introText: "Hello", expiryMonths: 6 }).where(eq(companies.id, company.id));
    const res = await post(browser, "/dashboard/programme", { ...seededForm, intro_text: "  ", expiry_months: "", phone_country_code: "", reward_product_id: "" });
    expect(res.status).toBe(303);
    expect(await companyRow(company.id)).toMatchObject({ introText: null, expiryMonths: null, phoneCountryCode: null, rewardProductId: null, loyaltyPaymentMethodId: "5001" });
    expect((await lookup()).member.intro_text).toBeUndefined();
  });

  it("saves nothing when nothing changed", async () => {
    const { company, browser } = await setup();
    const before = await companyRow(company.id);
    const res = await post(browser, "/dashboard/programme", seededForm);
    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=unchanged");
    expect(await companyRow(company.id)).toEqual(before);
  });

  it.each([
    ["a lower-case currency", { currency: "aud" }, "currency", "Must be an ISO 4217 code of three capital letters, such as AUD"],
    ["a minimum spend in words", { minimum_spend: "five" }, "minimum_spend", "Must be an amount such as 5.00"],
    ["a minimum spend left empty", { minimum_spend: "" }, "minimum_spend", "Must not be empty"],
    ["too many points per dollar", { points_per_currency_unit: "2000" }, "points_per_currency_unit", "Too big: expected number to be <=1000"],
    ["no points per dollar", { points_per_currency_unit: "0" }, "points_per_currency_unit", "Too small: expected number to be >0"],
    ["an empty points label", { points_label: " " }, "points_label", "Too small: expected string to have >=1 characters"],
    ["an expiry of 0 months", { expiry_months: "0" }, "expiry_months", "Too small: expected number to be >=1"],
    ["a phone code with +", { phone_country_code: "+61" }, "phone_country_code", "Must be 1 to 4 digits, without +"],
    ["a point value left empty", { point_value_cents: "" }, "point_value_cents", "Must not be empty"],
    ["a point value in fractions of a cent", { point_value_cents: "0.5" }, "point_value_cents", "Invalid input: expected int, received number"],
    ["a reward product in letters", { reward_product_id: "abc" }, "reward_product_id", "Must be a Kounta product id (digits)"],
  ])("refuses %s: 400, the message next to the field, what was typed kept, nothing changed", async (_, change, field, message) => {
    const { company, browser, lookup } = await setup();
    const before = await companyRow(company.id);
    const posBefore = await lookup();

    const res = await post(browser, "/dashboard/programme", { ...seededForm, points_label: "Beans", auto_enrol: ["false", "true"], ...change });

    expect(res.status).toBe(400);
    expect(fieldError(res.html, field)).toBe(message);
    expect(res.html).toContain("Nothing was saved.");
    expect(fieldValue(res.html, field) ?? "").toBe((change as Record<string, string>)[field]!.toString());
    if (field !== "points_label") expect(fieldValue(res.html, "points_label")).toBe("Beans");
    // The ticked box stays ticked.
    expect(res.html).toContain('name="auto_enrol" value="true" checked=""');
    expect(await companyRow(company.id)).toEqual(before);
    expect(await lookup()).toEqual(posBefore);
  });
});

describe("earning rules", () => {
  it.each([
    ["product_multiplier", { target_id: "3001", multiplier: "2" }, { targetId: "3001", multiplier: 2 }, "× 2"],
    ["category_multiplier", { target_id: "310", multiplier: "1.5" }, { targetId: "310", multiplier: 1.5 }, "× 1.5"],
    ["excluded_payment_method", { target_id: "5002" }, { targetId: "5002", multiplier: null }, "none earned"],
  ] as const)("adds a %s rule: its row, the admin API lists it, the page shows it", async (kind, fields, row, shown) => {
    const { company, browser, key } = await setup();

    const res = await post(browser, "/dashboard/programme/rules", { kind, ...fields });

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=rule-added");
    const rules = await rulesOf(company.id);
    expect(rules).toEqual([
      { id: expect.stringMatching(/^ern_/), companyId: company.id, kind, ...row, active: true, createdAt: expect.any(Number), updatedAt: rules[0]!.createdAt },
    ]);
    expect((await admin(key, "GET", "/earning-rules")).body.data).toEqual([
      { id: rules[0]!.id, kind, target_id: row.targetId, ...(row.multiplier === null ? {} : { multiplier: row.multiplier }), created_at: expect.any(String) },
    ]);
    const after = await page(browser, res.location!);
    expect(after.html).toContain("The rule was added: sales from now on earn by it.");
    expect(after.html).toMatch(new RegExp(`<tr data-rule="${rules[0]!.id}">[\\s\\S]*?<td>${shown}</td>`));
  });

  it.each([
    ["a multiplier of 0", "product_multiplier", { target_id: "3001", multiplier: "0" }, "multiplier", "Too small: expected number to be >0"],
    ["a multiplier over 100", "category_multiplier", { target_id: "310", multiplier: "101" }, "multiplier", "Too big: expected number to be <=100"],
    ["no multiplier", "product_multiplier", { target_id: "3001", multiplier: "" }, "multiplier", "Must not be empty"],
    ["a product id in letters", "product_multiplier", { target_id: "latte", multiplier: "2" }, "target_id", "Must be a Kounta product id (digits)"],
    ["no payment method", "excluded_payment_method", { target_id: "" }, "target_id", "Must be a Kounta payment method id (digits)"],
  ] as const)("refuses %s: 400, the message next to the field of that form, nothing added", async (_, kind, fields, field, message) => {
    const { company, browser } = await setup();

    const res = await post(browser, "/dashboard/programme/rules", { kind, ...fields });

    expect(res.status).toBe(400);
    expect(fieldError(res.html, field, `rule-${kind}`)).toBe(message);
    for (const [name, value] of Object.entries(fields)) expect(fieldValue(res.html, name, `rule-${kind}`)).toBe(value);
    // The settings form is drawn from D1, untouched.
    expect(fieldValue(res.html, "points_label")).toBe("Points");
    expect(await rulesOf(company.id)).toEqual([]);
  });

  it("refuses a second rule for the same target: 409, the first one stays", async () => {
    const { company, browser } = await setup();
    await post(browser, "/dashboard/programme/rules", { kind: "product_multiplier", target_id: "3001", multiplier: "2" });
    const first = await rulesOf(company.id);

    const res = await post(browser, "/dashboard/programme/rules", { kind: "product_multiplier", target_id: "3001", multiplier: "3" });

    expect(res.status).toBe(409);
    expect(fieldError(res.html, "target_id", "rule-product_multiplier")).toBe("There is already a rule for this product: remove it first to change it");
    expect(fieldValue(res.html, "multiplier", "rule-product_multiplier")).toBe("3");
    expect(await rulesOf(company.id)).toEqual(first);
  });

  it("removes a rule", async () => {
    const { company, browser, key } = await setup();
    await post(browser, "/dashboard/programme/rules", { kind: "excluded_payment_method", target_id: "5002" });
    await post(browser, "/dashboard/programme/rules", { kind: "product_multiplier", target_id: "3001", multiplier: "2" });
    const [gone, kept] = await rulesOf(company.id);
    const list = await page(browser, "/dashboard/programme");
    expect(list.html).toContain(`action="/dashboard/programme/rules/${gone!.id}/delete" class="inline" data-confirm="Remove this rule?`);

    const res = await post(browser, `/dashboard/programme/rules/${gone!.id}/delete`, {});

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=rule-removed");
    expect(await rulesOf(company.id)).toEqual([kept]);
    expect((await admin(key, "GET", "/earning-rules")).body.data.map((r: { id: string }) => r.id)).toEqual([kept!.id]);
  });
});

describe("programme: another company, and forged posts", () => {
  it("another company's rule in the address: the 404 page, and it stays", async () => {
    const { company, browser } = await setup();
    const theirs = await seedCompany();
    const theirBrowser = await signedIn(theirs.id);
    await post(theirBrowser, "/dashboard/programme/rules", { kind: "excluded_payment_method", target_id: "5002" });
    const [rule] = await rulesOf(theirs.id);

    const res = await post(browser, `/dashboard/programme/rules/${rule!.id}/delete`, {});

    expect(res.status).toBe(404);
    expect(res.html).toContain("There is no such earning rule in your programme.");
    expect(await rulesOf(theirs.id)).toEqual([rule]);
    expect(await rulesOf(company.id)).toEqual([]);
    // And the page shows only the company's own rules.
    expect((await page(browser, "/dashboard/programme")).html).not.toContain(rule!.id);
  });

  it("saving changes only the signed-in company's settings", async () => {
    const { browser } = await setup();
    const theirs = await seedCompany();
    const before = await companyRow(theirs.id);
    expect((await post(browser, "/dashboard/programme", { ...seededForm, points_label: "Beans" })).status).toBe(303);
    expect(await companyRow(theirs.id)).toEqual(before);
  });

  it.each([
    ["without the CSRF token", { csrf: null }],
    ["from another site", { origin: "https://evil.example", secFetchSite: "cross-site" }],
  ] as const)("a post %s: 403, nothing changed", async (_, overrides) => {
    const { company, browser } = await setup();
    await post(browser, "/dashboard/programme/rules", { kind: "excluded_payment_method", target_id: "5002" });
    const before = await companyRow(company.id);
    const rules = await rulesOf(company.id);
    const attempts: Array<[string, Record<string, string | string[]>]> = [
      ["/dashboard/programme", { ...seededForm, points_label: "Forged" }],
      ["/dashboard/programme/rules", { kind: "product_multiplier", target_id: "1", multiplier: "100" }],
      [`/dashboard/programme/rules/${rules[0]!.id}/delete`, {}],
    ];
    for (const [path, fields] of attempts) {
      const res = await post(browser, path, fields, overrides);
      expect(res.status, path).toBe(403);
    }
    expect(await companyRow(company.id)).toEqual(before);
    expect(await rulesOf(company.id)).toEqual(rules);
  });
});
