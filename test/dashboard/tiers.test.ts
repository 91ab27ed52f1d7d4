import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rewards } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";
import { fieldError, fieldValue } from "./rewards.fixtures";
import { companyRow, option, threeTiers, tierRows, tiersForm, type Row } from "./tiers.fixtures";

// The programme page's tiers form: PUT /admin/v1/tiers's TiersPut and putTierProgramme, checked in
// D1 and the admin API; every refusal keeps what was typed and changes nothing.

const PATH = "/dashboard/programme/tiers";
const value = (html: string, name: string) => fieldValue(html, name, "t");
const error = (html: string, name: string) => fieldError(html, name, "t");

async function setup() {
  const company = await seedCompany();
  return { company, browser: await signedIn(company.id) };
}

describe("dashboard tiers", () => {
  it("shows six empty rows for a programme without tiers, on points over 12 months", async () => {
    const { browser } = await setup();
    const { status, html } = await page(browser, "/dashboard/programme");
    expect(status).toBe(200);
    expect(html).toContain(option("points", "Points earned on sales", true));
    expect(html).toContain(option("rolling", "A rolling window of months", true));
    expect(value(html, "window_months")).toBe("12");
    for (let i = 0; i < 6; i++) expect(value(html, `tier_${i}_name`)).toBe("");
    expect(html).not.toContain('name="tier_0_id"');
    expect(html.match(/<legend>A new tier \(leave empty for none\)<\/legend>/g)).toHaveLength(6);
  });

  it("adds three tiers typed in any order: saved lowest first, the empty rows ignored", async () => {
    const { company, browser } = await setup();
    const res = await post(
      browser,
      PATH,
      tiersForm([
        { name: " Gold ", threshold: "1000", multiplier: "2" },
        { name: "Bronze", threshold: "0" },
        { name: "Silver", threshold: "500", multiplier: "1.5" },
      ]),
    );
    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=tiers-saved");

    const rows = await tierRows(company.id);
    expect(rows.map((t) => [t.position, t.name, t.threshold, t.multiplier, t.removedAt])).toEqual([
      [0, "Bronze", 0, 1, null],
      [1, "Silver", 500, 1.5, null],
      [2, "Gold", 1000, 2, null],
    ]);
    expect(await companyRow(company.id)).toMatchObject({ tierBasis: "points", tierWindow: "rolling", tierWindowMonths: 12 });
    const api = await admin(await adminKey(company.id), "GET", "/tiers");
    expect(api.body.tiers.map((t: { id: string; name: string }) => [t.id, t.name])).toEqual(rows.map((t) => [t.id, t.name]));

    const after = await page(browser, res.location!);
    expect(after.html).toContain("The tiers were saved");
    rows.forEach((t, i) => {
      expect(after.html).toContain(`<input type="hidden" name="tier_${i}_id" value="${t.id}"/>`);
      expect(value(after.html, `tier_${i}_name`)).toBe(t.name);
    });
    expect(value(after.html, "tier_3_name")).toBe("");
  });

  it("keeps a tier's id when renamed, removes a ticked one, adds one from an empty row, switches to the calendar year", async () => {
    const { company, browser } = await setup();
    const { bronze, silver, gold } = await threeTiers(company.id);
    const res = await post(
      browser,
      PATH,
      tiersForm(
        [
          { id: bronze.id, name: "Bronze", threshold: "0", multiplier: "1" },
          { id: silver.id, name: "Silver Plus", threshold: "400", multiplier: "1.25" },
          { id: gold.id, name: "Gold", threshold: "1000", multiplier: "2", remove: true },
          { name: "Platinum", threshold: "2000", multiplier: "3" },
        ],
        { window: "calendar_year", window_months: "6" },
      ),
    );
    expect(res.status).toBe(303);
    const rows = await tierRows(company.id);
    const active = rows.filter((t) => t.removedAt === null);
    expect(active.map((t) => [t.id === bronze.id, t.id === silver.id, t.position, t.name, t.threshold, t.multiplier])).toEqual([
      [true, false, 0, "Bronze", 0, 1],
      [false, true, 1, "Silver Plus", 400, 1.25],
      [false, false, 2, "Platinum", 2000, 3],
    ]);
    const removed = rows.find((t) => t.id === gold.id)!;
    expect(removed.removedAt).not.toBeNull();
    expect(removed.name).toBe("Gold");
    expect(await companyRow(company.id)).toMatchObject({ tierWindow: "calendar_year", tierWindowMonths: 6 });
  });

  it("takes thresholds on the spend basis as amounts, and shows them so", async () => {
    const { company, browser } = await setup();
    const res = await post(browser, PATH, tiersForm([{ name: "VIP", threshold: "$500.50", multiplier: "2" }], { basis: "spend" }));
    expect(res.status).toBe(303);
    const [vip] = await tierRows(company.id);
    expect(vip).toMatchObject({ name: "VIP", threshold: 50050, multiplier: 2 });
    expect((await companyRow(company.id)).tierBasis).toBe("spend");
    const { html } = await page(browser, "/dashboard/programme");
    expect(html).toContain(option("spend", "Amount spent, in AUD", true));
    expect(html).toContain('<label for="t-tier_0_threshold">Threshold, in AUD</label>');
    expect(value(html, "tier_0_threshold")).toBe("500.50");

    const bad = await post(browser, PATH, tiersForm([{ id: vip!.id, name: "VIP", threshold: "5,00" }], { basis: "spend" }));
    expect(bad.status).toBe(400);
    expect(error(bad.html, "tier_0_threshold")).toBe("Must be an amount such as 5.00");
    expect(value(bad.html, "tier_0_threshold")).toBe("5,00");
    expect((await tierRows(company.id))[0]!.threshold).toBe(50050);
  });

  it.each<[string, Row[], string, string]>([
    ["the same threshold twice", [{ name: "A", threshold: "100" }, { name: "B", threshold: "100" }], "tier_1_threshold", "Another tier has the same threshold"],
    ["a name given twice", [{ name: "Gold", threshold: "100" }, { name: "gold", threshold: "200" }], "tier_1_name", "Another tier has this name"],
    ["a row without a name", [{ name: "", threshold: "100", multiplier: "2" }], "tier_0_name", "Too small: expected string to have >=1 characters"],
    ["a row without a threshold", [{ name: "Gold", multiplier: "2" }], "tier_0_threshold", "Must not be empty"],
    ["a threshold not a number", [{ name: "Gold", threshold: "lots" }], "tier_0_threshold", "Invalid input: expected number, received string"],
    ["a multiplier below 1", [{ name: "Gold", threshold: "100", multiplier: "0.5" }], "tier_0_multiplier", "Too small: expected number to be >=1"],
  ])("refuses %s beside the field, keeps every row, saves nothing", async (_, rows, field, message) => {
    const { company, browser } = await setup();
    const res = await post(browser, PATH, tiersForm(rows));
    expect(res.status).toBe(400);
    expect(error(res.html, field)).toBe(message);
    expect(res.html).toContain(`aria-describedby="t-${field}-error"`);
    expect(res.html).toContain("Nothing was saved.");
    rows.forEach((r, i) => {
      expect(value(res.html, `tier_${i}_name`)).toBe(r.name ?? "");
      expect(value(res.html, `tier_${i}_threshold`)).toBe(r.threshold ?? "");
    });
    expect(await tierRows(company.id)).toEqual([]);
  });

  it("refuses a cleared tier (tick remove instead), a window too long, and keeps the remove boxes as ticked", async () => {
    const { company, browser } = await setup();
    const { bronze, silver } = await threeTiers(company.id);
    const before = await tierRows(company.id);
    const res = await post(
      browser,
      PATH,
      tiersForm([{ id: bronze.id }, { id: silver.id, name: "Silver", threshold: "500", remove: true }], { window_months: "40" }),
    );
    expect(res.status).toBe(400);
    expect(error(res.html, "tier_0_name")).toBe("Give the tier a name and a threshold, or tick Remove this tier");
    expect(error(res.html, "window_months")).toBe("Too big: expected number to be <=36");
    expect(value(res.html, "window_months")).toBe("40");
    expect(res.html).toContain('name="tier_1_remove" value="true" checked=""');
    expect(res.html).toContain(`<input type="hidden" name="tier_1_id" value="${silver.id}"/>`);
    expect(await tierRows(company.id)).toEqual(before);
  });

  it("refuses with 409 removing a tier an active reward is for, in a sentence; nothing changes", async () => {
    const company = await seedCompany({ rewards: [{ id: "cake", title: "Free cake", pointsRequired: 100, productId: "3001" }] });
    const browser = await signedIn(company.id);
    const { bronze, silver, gold } = await threeTiers(company.id);
    await db.update(rewards).set({ minTierId: gold.id }).where(eq(rewards.id, company.rewardId("cake")));
    const before = await tierRows(company.id);
    const res = await post(
      browser,
      PATH,
      tiersForm([
        { id: bronze.id, name: "Bronze", threshold: "0" },
        { id: silver.id, name: "Silver", threshold: "500" },
        { id: gold.id, name: "Gold", threshold: "1000", remove: true },
      ]),
    );
    expect(res.status).toBe(409);
    expect(res.html).toContain(
      "The reward “Free cake” is for Gold members and above: change it (or deactivate it) under Rewards before removing Gold. Nothing was saved.",
    );
    expect(res.html).toContain('name="tier_2_remove" value="true" checked=""');
    expect(await tierRows(company.id)).toEqual(before);
  });

  it("refuses with 409 a tier id that is not the company's (another window removed it), showing the tiers as they are", async () => {
    const { company, browser } = await setup();
    const other = await seedCompany();
    const { gold: othersGold } = await threeTiers(other.id);
    const { bronze } = await threeTiers(company.id);
    const before = await tierRows(company.id);
    const res = await post(browser, PATH, tiersForm([{ id: othersGold.id, name: "Mine now", threshold: "5" }]));
    expect(res.status).toBe(409);
    expect(res.html).toContain("The tiers had changed in the meantime");
    expect(res.html).toContain(`<input type="hidden" name="tier_0_id" value="${bronze.id}"/>`);
    expect(value(res.html, "tier_0_name")).toBe("Bronze");
    expect(await tierRows(company.id)).toEqual(before);
    expect((await tierRows(other.id)).find((t) => t.id === othersGold.id)).toMatchObject({ name: "Gold", removedAt: null });
  });

  it("refuses a forged post (no token, another origin) with 403 and saves nothing", async () => {
    const { company, browser } = await setup();
    const form = tiersForm([{ name: "Gold", threshold: "100" }]);
    for (const forged of [{ csrf: null }, { csrf: "not-the-token" }, { origin: "https://evil.example", secFetchSite: "cross-site" }]) {
      const res = await post(browser, PATH, form, forged);
      expect(res.status).toBe(403);
      expect(res.html).toContain("Nothing was changed.");
    }
    expect(await tierRows(company.id)).toEqual([]);
  });
});
