import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { updateLimits } from "../../src/loyalty/limits";
import { recordManagerTry } from "../../src/storage/dashboard-sessions";
import { activityFlags, apiKeys, members, pointsLedger } from "../../src/storage/schema";
import { admin } from "../admin-harness";
import { figure, page, post, signedIn } from "../dashboard-harness";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";

// What manager mode allows beyond the limits: a change of points larger than the company's
// large_adjustment_points (recorded as a flag), and a manager's API key. Without it: 403, with a
// sentence saying what to do, what was typed kept, nothing changed.

const CODE = "482913";

const balance = async (id: string) => (await db.select({ points: members.points }).from(members).where(eq(members.id, id)))[0]!.points;
const ledgerRows = (companyId: string, memberId: string) =>
  db.select().from(pointsLedger).where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.memberId, memberId)));
const flagRows = (companyId: string) => db.select().from(activityFlags).where(eq(activityFlags.companyId, companyId));
const keyRows = (companyId: string) => db.select().from(apiKeys).where(eq(apiKeys.companyId, companyId));

async function setup(code: string | null = CODE) {
  const company = await seedCompany();
  await updateLimits(db, company.id, { largeAdjustmentPoints: 500, managerCode: code });
  const memberId = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 100 });
  return { company, memberId, browser: await signedIn(company.id) };
}

describe("dashboard: what manager mode allows", () => {
  it("a change of more than large_adjustment_points needs manager mode: 403 with a sentence, then it goes through and is flagged", async () => {
    const { company, memberId, browser } = await setup();
    const path = `/dashboard/members/${memberId}/adjust`;
    const before = await page(browser, `/dashboard/members/${memberId}`);
    expect(figure(before.html, "large-adjustment")).toBe("A change of more than 500 Points at once needs manager mode (under Programme).");

    const fields = { points: "600", reason: "Catering order", idempotency_key: "dashboard_big_1" };
    const refused = await post(browser, path, fields);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain(
      '<span class="error" id="a-points-error">A change of more than 500 Points at once needs a manager: enter the manager code under Manager mode on the Programme page, then send this again. Nothing was changed.</span>',
    );
    expect(refused.html).toContain('value="600"');
    expect(refused.html).toContain('value="Catering order"');
    expect(await balance(memberId)).toBe(100);
    expect(await ledgerRows(company.id, memberId)).toHaveLength(1);
    expect(await flagRows(company.id)).toEqual([]);
    // At most the size is anyone's to make.
    expect((await post(browser, path, { points: "-500", reason: "Given twice", idempotency_key: "dashboard_small" })).status).toBe(409);
    expect((await post(browser, path, { points: "50", reason: "Birthday", idempotency_key: "dashboard_small_2" })).status).toBe(303);
    expect(await balance(memberId)).toBe(150);

    expect((await post(browser, "/dashboard/manager", { manager_code: CODE })).status).toBe(303);
    expect(figure((await page(browser, `/dashboard/members/${memberId}`)).html, "large-adjustment")).toContain("This session is in manager mode");
    const done = await post(browser, path, fields);
    expect(done.status).toBe(303);
    expect(await balance(memberId)).toBe(750);
    const rows = await ledgerRows(company.id, memberId);
    expect(rows.find((r) => r.delta === 600)).toMatchObject({ reason: "adjustment", actor: `dashboard:${browser.idHash.slice(0, 12)}`, note: "Catering order" });
    const flags = await flagRows(company.id);
    expect(flags.map((f) => [f.memberId, f.kind, f.count])).toEqual([[memberId, "large_adjustment", 1]]);
    expect(flags[0]!.detail).toContain("+600 points by dashboard:");
    await expectBalanceMatchesLedger(company.id);
  });

  it("with no manager code set yet, the refusal says to set one first", async () => {
    const { company, memberId, browser } = await setup(null);
    const refused = await post(browser, `/dashboard/members/${memberId}/adjust`, { points: "-501", reason: "Too much", idempotency_key: "dashboard_k" });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain("and no manager code is set yet: set one under Limits on the Programme page, enter it under Manager mode, then send this again.");
    expect(await balance(memberId)).toBe(100);
    await expectBalanceMatchesLedger(company.id);
  });

  it("a manager's API key is made only in manager mode; a forged tick is refused with 403 and no key is made", async () => {
    const { company, browser } = await setup();
    const plain = await page(browser, "/dashboard/connection");
    expect(plain.html).not.toContain('name="manager"');
    expect(figure(plain.html, "manager-key-hint")).toContain("can be made in manager mode");

    const forged = await post(browser, "/dashboard/connection/keys", { name: "Back office", manager: ["false", "true"] });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain("Only a session in manager mode can make a manager&#39;s key");
    expect(forged.html).toContain('value="Back office"');
    expect(await keyRows(company.id)).toEqual([]);

    const standard = await post(browser, "/dashboard/connection/keys", { name: "Website", manager: ["false"] });
    expect(standard.status).toBe(200);
    expect(standard.html).toContain("The key “Website” is ready.");

    expect(await recordManagerTry(db, browser.idHash, true)).toBe(true);
    const form = await page(browser, "/dashboard/connection");
    expect(form.html).toContain('<input id="key-manager" type="checkbox" name="manager" value="true"');
    const made = await post(browser, "/dashboard/connection/keys", { name: "Back office", manager: ["false", "true"] });
    expect(made.status).toBe(200);
    expect(made.html).toContain("The manager&#39;s key “Back office” is ready.");
    const key = /id="new-api-key" class="copy-value">([^<]+)</.exec(made.html)![1]!;

    const rows = await keyRows(company.id);
    expect(rows.map((k) => [k.name, k.manager]).sort()).toEqual([
      ["Back office", true],
      ["Website", false],
    ]);
    expect(made.html).toContain("<td>Manager&#39;s key</td>");
    // The key is a manager's in the admin API too: it may change the limits.
    expect((await admin(key, "PATCH", "/limits", { max_redemptions_per_order: 2 })).status).toBe(200);
  });
});
