import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members, tierChanges } from "../../src/storage/schema";
import { figure, page, post, signedIn } from "../dashboard-harness";
import { db, expectBalanceMatchesLedger, getJson, kountaUrl, seedCompany } from "../harness";
import { fieldError, fieldValue } from "./rewards.fixtures";
import { option, threeTiers } from "./tiers.fixtures";

// A member's level on their page: where they stand (getMemberTier), a level set by hand (as PUT
// /admin/v1/members/{id}/tier: MemberTierPut, setTierFloor, the dashboard's actor), and the history
// of changes of level; a change of points by hand may count toward the level.

const DAY_MS = 86_400_000;

async function setup() {
  const company = await seedCompany();
  const tiers = await threeTiers(company.id);
  const memberId = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 0 });
  const browser = await signedIn(company.id);
  return { company, tiers, memberId, browser, path: `/dashboard/members/${memberId}` };
}

const floorOf = async (id: string) => {
  const [m] = await db.select({ tierId: members.tierId, floor: members.tierFloorId, until: members.tierFloorUntil }).from(members).where(eq(members.id, id));
  return m!;
};
const changesOf = (companyId: string, memberId: string) =>
  db
    .select()
    .from(tierChanges)
    .where(and(eq(tierChanges.companyId, companyId), eq(tierChanges.memberId, memberId)))
    .orderBy(desc(tierChanges.createdAt), desc(tierChanges.id));

async function posTier(companyId: string, siteId: string, memberId: string): Promise<string | undefined> {
  const res = await getJson(kountaUrl("reward-lookup", { reference_id: memberId, site_id: siteId, company_id: companyId, order_id: "111" }));
  expect(res.status).toBe(200);
  return res.body.member.params?.Tier;
}

describe("dashboard: a member's level", () => {
  it("a change of points marked to count moves the level; the page shows the level, the window total, what the next needs, the history", async () => {
    const { company, memberId, browser, path } = await setup();
    const fresh = await page(browser, path);
    // Bronze starts at 0: every member has it, without a change recorded.
    expect(figure(fresh.html, "member-tier")).toBe("Bronze");
    expect(figure(fresh.html, "tier-next")).toBe("500 Points more to reach Silver.");
    expect(fresh.html).toContain('<input id="a-counts_toward_tier" type="checkbox" name="counts_toward_tier" value="true"');
    expect(fresh.html).toContain("No change of level yet.");

    const plain = await post(browser, `${path}/adjust`, { points: "300", reason: "Welcome gift", counts_toward_tier: ["false"], idempotency_key: "dashboard_t1" });
    expect(plain.status).toBe(303);
    expect(figure((await page(browser, path)).html, "tier-value")).toBe("0 Points");

    const counted = await post(browser, `${path}/adjust`, { points: "600", reason: "Points from the old card", counts_toward_tier: ["false", "true"], idempotency_key: "dashboard_t2" });
    expect(counted.status).toBe(303);
    const changes = await changesOf(company.id, memberId);
    expect(changes.map((c) => [c.fromName, c.toName, c.reason, c.actor])).toEqual([["Bronze", "Silver", "adjusted", `dashboard:${browser.idHash.slice(0, 12)}`]]);

    const { html } = await page(browser, path);
    expect(figure(html, "member-tier")).toBe("Silver");
    expect(figure(html, "tier-value")).toBe("600 Points");
    expect(html).toContain("earned this month and the 12 before it.");
    expect(figure(html, "tier-next")).toBe("400 Points more to reach Gold.");
    expect(html).toContain(`<tr data-tier-change="${changes[0]!.id}">`);
    expect(html).toContain(`<td>Bronze</td><td>Silver</td><td>A change of points by hand</td><td>Dashboard · ${browser.idHash.slice(0, 12)}</td>`);
    await expectBalanceMatchesLedger(company.id);
  });

  it("sets a level by hand until a day: recorded as manual by the dashboard, shown on the page and to the till; then clears it", async () => {
    const { company, tiers, memberId, browser, path } = await setup();
    const res = await post(browser, `${path}/tier`, { tier_id: tiers.gold.id, until: "2099-06-30" });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${path}?done=tier`);
    expect(await floorOf(memberId)).toEqual({ tierId: tiers.gold.id, floor: tiers.gold.id, until: Date.parse("2099-06-30T00:00:00Z") + DAY_MS });
    const [change] = await changesOf(company.id, memberId);
    expect(change).toMatchObject({ fromName: "Bronze", toName: "Gold", reason: "manual", actor: `dashboard:${browser.idHash.slice(0, 12)}` });
    expect(await posTier(company.id, company.siteId, memberId)).toBe("Gold");

    const shown = await page(browser, res.location!);
    expect(shown.html).toContain("The level was saved.");
    expect(figure(shown.html, "member-tier")).toBe("Gold");
    expect(shown.html).toContain("Set by hand: at least Gold until 30 Jun 2099 (the end of that day, UTC).");
    expect(shown.html).toContain(option(tiers.gold.id, "Gold", true));
    expect(fieldValue(shown.html, "until", "lv")).toBe("2099-06-30");
    expect(figure(shown.html, "tier-next")).toBe("The highest level.");

    const cleared = await post(browser, `${path}/tier`, { tier_id: "", until: "" });
    expect(cleared.status).toBe(303);
    expect(await floorOf(memberId)).toEqual({ tierId: tiers.bronze.id, floor: null, until: null });
    expect((await changesOf(company.id, memberId)).map((c) => [c.fromName, c.toName, c.reason])).toEqual([
      ["Gold", "Bronze", "manual"],
      ["Bronze", "Gold", "manual"],
    ]);
    expect(await posTier(company.id, company.siteId, memberId)).toBe("Bronze");
  });

  it("sets a level for good when no day is given", async () => {
    const { tiers, memberId, browser, path } = await setup();
    expect((await post(browser, `${path}/tier`, { tier_id: tiers.silver.id, until: "" })).status).toBe(303);
    expect(await floorOf(memberId)).toEqual({ tierId: tiers.silver.id, floor: tiers.silver.id, until: null });
    expect((await page(browser, path)).html).toContain("Set by hand: at least Silver, for good.");
  });

  it.each([
    ["a day in the past", { until: "2020-01-31" }, "until", "Must be today or a later day"],
    ["a day that does not exist", { until: "2099-02-30" }, "until", "Must be a real date"],
    ["a date in another form", { until: "30/06/2099" }, "until", "Must be a date, YYYY-MM-DD"],
  ])("refuses %s beside the field, keeps what was typed, changes nothing", async (_, over, field, message) => {
    const { company, tiers, memberId, browser, path } = await setup();
    const form = { tier_id: tiers.gold.id, ...over };
    const res = await post(browser, `${path}/tier`, form);
    expect(res.status).toBe(400);
    expect(fieldError(res.html, field, "lv")).toBe(message);
    expect(res.html).toContain(option(tiers.gold.id, "Gold", true));
    expect(fieldValue(res.html, "until", "lv")).toBe(form.until);
    expect(await floorOf(memberId)).toEqual({ tierId: null, floor: null, until: null });
    expect(await changesOf(company.id, memberId)).toEqual([]);
  });

  it("refuses another company's tier, and answers 404 for another company's member; a forged post changes nothing", async () => {
    const { company, memberId, browser, path } = await setup();
    const other = await seedCompany();
    const { gold: othersGold } = await threeTiers(other.id);
    const othersMember = await other.addMember({ firstName: "Bob", email: "bob@example.com" });

    const res = await post(browser, `${path}/tier`, { tier_id: othersGold.id, until: "" });
    expect(res.status).toBe(400);
    expect(fieldError(res.html, "tier_id", "lv")).toBe("Choose one of the programme's tiers");
    expect((await post(browser, `/dashboard/members/${othersMember}/tier`, { tier_id: "", until: "" })).status).toBe(404);
    for (const forged of [{ csrf: null }, { origin: "https://evil.example", secFetchSite: "cross-site" }]) {
      expect((await post(browser, `${path}/tier`, { tier_id: othersGold.id, until: "" }, forged)).status).toBe(403);
    }
    expect(await floorOf(memberId)).toEqual({ tierId: null, floor: null, until: null });
    expect(await changesOf(company.id, memberId)).toEqual([]);
    expect(await changesOf(other.id, othersMember)).toEqual([]);
  });

  it("a programme without tiers says so, with no level form and no box to count a change toward it", async () => {
    const company = await seedCompany();
    const memberId = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const { html } = await page(await signedIn(company.id), `/dashboard/members/${memberId}`);
    expect(html).toContain("The programme has no tiers.");
    expect(html).not.toContain(`action="/dashboard/members/${memberId}/tier"`);
    expect(html).not.toContain('name="counts_toward_tier"');
    expect(html).not.toContain("Changes of level");
  });
});
