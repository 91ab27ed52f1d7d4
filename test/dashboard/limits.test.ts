import { describe, expect, it } from "vitest";
import { isManagerCode, updateLimits } from "../../src/loyalty/limits";
import { recordManagerTry } from "../../src/storage/dashboard-sessions";
import { admin, adminKey } from "../admin-harness";
import { figure, page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";
import { fieldError, fieldValue } from "./rewards.fixtures";
import { companyRow } from "./tiers.fixtures";

// The programme page's limits form: PATCH /admin/v1/limits's LimitsPatch and updateLimits. Only a
// session in manager mode saves them, except while the company has no manager code (so that the
// first one can be set). A code is never drawn back into the page.

const PATH = "/dashboard/programme/limits";
const CODE = "482913";
const error = (html: string, name: string) => fieldError(html, name, "l");
const value = (html: string, name: string) => fieldValue(html, name, "l");

const limitsForm = (over: Record<string, string> = {}) => ({
  max_redemptions_per_member_day: "2",
  max_redemptions_per_order: "1",
  max_points_per_member_day: "2000",
  large_adjustment_points: "500",
  flag_transactions_per_day: "8",
  manager_code: "",
  manager_code_again: "",
  ...over,
});

const limitColumns = async (companyId: string) => {
  const row = await companyRow(companyId);
  return {
    perDay: row.maxRedemptionsPerMemberDay,
    perOrder: row.maxRedemptionsPerOrder,
    points: row.maxPointsPerMemberDay,
    large: row.largeAdjustmentPoints,
    flag: row.flagTransactionsPerDay,
    hash: row.managerCodeHash,
    updatedAt: row.updatedAt,
  };
};

async function withCode() {
  const company = await seedCompany();
  await updateLimits(db, company.id, { managerCode: CODE });
  return { company, browser: await signedIn(company.id) };
}

describe("dashboard limits", () => {
  it("two sessions setting the first code at once: one is kept, the other refused, nothing mixed", async () => {
    const company = await seedCompany();
    const [first, second] = [await signedIn(company.id), await signedIn(company.id)];
    // Both pages were drawn while no code was set.
    await page(first, "/dashboard/programme");
    await page(second, "/dashboard/programme");

    const answers = await Promise.all([
      post(first, PATH, limitsForm({ manager_code: "111111", manager_code_again: "111111", max_redemptions_per_order: "1" })),
      post(second, PATH, limitsForm({ manager_code: "222222", manager_code_again: "222222", max_redemptions_per_order: "3" })),
    ]);

    expect(answers.map((a) => a.status).sort()).toEqual([303, 403]);
    const kept = answers[0]!.status === 303 ? { code: "111111", perOrder: 1 } : { code: "222222", perOrder: 3 };
    const lost = kept.code === "111111" ? "222222" : "111111";
    expect(await isManagerCode(db, company.id, kept.code)).toBe(true);
    expect(await isManagerCode(db, company.id, lost)).toBe(false);
    expect((await limitColumns(company.id)).perOrder).toBe(kept.perOrder);
  });

  it("a new company with no manager code: any session saves the limits and the first code, and says so", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const before = await page(browser, "/dashboard/programme");
    expect(figure(before.html, "limits-open")).toContain("No manager code is set yet, so anyone signed in can save these limits.");
    expect(value(before.html, "flag_transactions_per_day")).toBe("5");

    const res = await post(browser, PATH, limitsForm({ manager_code: CODE, manager_code_again: CODE }));
    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=limits-code-set");
    const saved = await limitColumns(company.id);
    expect(saved).toMatchObject({ perDay: 2, perOrder: 1, points: 2000, large: 500, flag: 8 });
    expect(saved.hash).toMatch(/^pbkdf2\$100000\$/);
    expect(saved.hash).not.toContain(CODE);
    expect(await isManagerCode(db, company.id, CODE)).toBe(true);
    const api = await admin(await adminKey(company.id), "GET", "/limits");
    expect(api.body).toMatchObject({ max_redemptions_per_member_day: 2, max_redemptions_per_order: 1, large_adjustment_points: 500, manager_code_set: true });

    const after = await page(browser, res.location!);
    expect(after.html).toContain("The limits and the manager code were saved.");
    expect(figure(after.html, "limits-locked")).toContain("Only a manager can save these limits");
    expect(after.html).not.toContain(CODE);
  });

  it("once a code is set, a session not in manager mode is refused with 403 pointing to Manager mode; what was typed stays, the code does not", async () => {
    const { company, browser } = await withCode();
    const before = await limitColumns(company.id);
    const res = await post(browser, PATH, limitsForm({ max_redemptions_per_order: "3", manager_code: "111111", manager_code_again: "111111" }));
    expect(res.status).toBe(403);
    expect(res.html).toContain("Only a manager can change the limits: enter the manager code under Manager mode above, then save them again. Nothing was changed.");
    expect(value(res.html, "max_redemptions_per_order")).toBe("3");
    expect(value(res.html, "large_adjustment_points")).toBe("500");
    expect(error(res.html, "manager_code")).toBe("Type the code again: a code is never filled back in");
    expect(/<input id="l-manager_code" name="manager_code" type="password"[^>]*>/.exec(res.html)?.[0]).not.toContain("value=");
    expect(res.html).not.toContain("111111");
    expect(await limitColumns(company.id)).toEqual(before);
    expect(await isManagerCode(db, company.id, CODE)).toBe(true);
  });

  it("a session in manager mode saves the limits; an empty limit is none; an empty code keeps the code", async () => {
    const { company, browser } = await withCode();
    expect(await recordManagerTry(db, browser.idHash, true)).toBe(true);
    const hash = (await limitColumns(company.id)).hash;
    const cleared = { max_redemptions_per_member_day: "", max_points_per_member_day: " ", flag_transactions_per_day: "12" };
    const res = await post(browser, PATH, limitsForm(cleared));
    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=limits-saved");
    expect(await limitColumns(company.id)).toMatchObject({ perDay: null, perOrder: 1, points: null, large: 500, flag: 12, hash });

    // A new code replaces the old one.
    expect((await post(browser, PATH, limitsForm({ ...cleared, manager_code: "9090", manager_code_again: "9090" }))).status).toBe(303);
    expect(await isManagerCode(db, company.id, "9090")).toBe(true);
    expect(await isManagerCode(db, company.id, CODE)).toBe(false);
    const { html } = await page(browser, "/dashboard/programme?done=limits-saved");
    expect(html).toContain("The limits were saved");
    expect(value(html, "max_redemptions_per_member_day")).toBe("");
    expect(value(html, "flag_transactions_per_day")).toBe("12");
  });

  it.each([
    ["a limit of 0", { max_redemptions_per_order: "0" }, "max_redemptions_per_order", "Too small: expected number to be >=1"],
    ["a limit not whole", { max_points_per_member_day: "2.5" }, "max_points_per_member_day", "Invalid input: expected int, received number"],
    ["no flag threshold", { flag_transactions_per_day: "" }, "flag_transactions_per_day", "Must not be empty"],
    ["a code of letters", { manager_code: "12ab", manager_code_again: "12ab" }, "manager_code", "Must be 4 to 12 digits"],
    ["two different codes", { manager_code: "123456", manager_code_again: "123465" }, "manager_code_again", "Must be the same code as above"],
  ])("refuses %s beside the field, keeps what was typed, saves nothing", async (_, over, field, message) => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const before = await limitColumns(company.id);
    const res = await post(browser, PATH, limitsForm(over));
    expect(res.status).toBe(400);
    expect(error(res.html, field)).toBe(message);
    for (const [name, typed] of Object.entries(limitsForm(over))) {
      if (!name.startsWith("manager_code")) expect(value(res.html, name), name).toBe(typed);
    }
    expect(await limitColumns(company.id)).toEqual(before);
  });

  it("refuses a forged post (no token, another origin) with 403 and saves nothing, even with no code set", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const before = await limitColumns(company.id);
    const form = limitsForm({ manager_code: CODE, manager_code_again: CODE });
    for (const forged of [{ csrf: null }, { csrf: "x" }, { origin: "https://evil.example", secFetchSite: "cross-site" }]) {
      const res = await post(browser, PATH, form, forged);
      expect(res.status).toBe(403);
      expect(res.html).toContain("Nothing was changed.");
    }
    expect(await limitColumns(company.id)).toEqual(before);
  });
});
