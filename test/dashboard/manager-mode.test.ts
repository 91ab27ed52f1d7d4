import { describe, expect, it } from "vitest";
import { updateLimits } from "../../src/loyalty/limits";
import { figure, page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";
import { sessionRow } from "./tiers.fixtures";

// Manager mode: the manager code entered in a session (checked against its PBKDF2 hash by
// isManagerCode, counted by recordManagerTry: five wrong tries, then the session can try no more,
// not even the right code), and leaving it. Only this session changes.

const CODE = "482913";
const ENTER = "/dashboard/manager";

async function withCode() {
  const company = await seedCompany();
  await updateLimits(db, company.id, { managerCode: CODE });
  return { company, browser: await signedIn(company.id) };
}

const mode = async (idHash: string) => {
  const row = await sessionRow(idHash);
  return { manager: row.manager, tries: row.managerTries };
};

describe("dashboard manager mode", () => {
  it("with no manager code set, the page says to set one under Limits and entering is refused with 409", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const { html } = await page(browser, "/dashboard/programme");
    expect(figure(html, "manager-no-code")).toContain("No manager code is set yet: set one in the");
    expect(html).not.toContain('action="/dashboard/manager"');
    const res = await post(browser, ENTER, { manager_code: "1234" });
    expect(res.status).toBe(409);
    expect(res.html).toContain("No manager code is set yet: set one in the Limits form below first.");
    expect(await mode(browser.idHash)).toEqual({ manager: false, tries: 0 });
  });

  it("the right code puts this session (only) in manager mode, shown in the header; leaving ends it", async () => {
    const { company, browser } = await withCode();
    const other = await signedIn(company.id);
    const before = await page(browser, "/dashboard/programme");
    expect(before.html).toContain('<form method="post" action="/dashboard/manager" class="stack" aria-label="Enter manager mode">');
    expect(before.html).toContain("5 tries left in this session.");
    expect(figure(before.html, "manager-mode")).toBeNull();

    const res = await post(browser, ENTER, { manager_code: ` ${CODE} ` });
    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=manager-on");
    expect(await mode(browser.idHash)).toEqual({ manager: true, tries: 0 });
    expect(await mode(other.idHash)).toEqual({ manager: false, tries: 0 });

    const on = await page(browser, res.location!);
    expect(on.html).toContain("This session is in manager mode until you leave it or sign out.");
    expect(figure(on.html, "manager-mode")).toBe("Manager mode");
    expect(on.html).toContain('<button type="submit" class="secondary">Leave manager mode</button>');
    expect(figure((await page(browser, "/dashboard/members")).html, "manager-mode")).toBe("Manager mode");
    expect(figure((await page(other, "/dashboard/programme")).html, "manager-mode")).toBeNull();

    const left = await post(browser, `${ENTER}/leave`, {});
    expect(left.status).toBe(303);
    expect(left.location).toBe("/dashboard/programme?done=manager-off");
    expect(await mode(browser.idHash)).toEqual({ manager: false, tries: 0 });
    const off = await page(browser, left.location!);
    expect(off.html).toContain("This session has left manager mode.");
    expect(figure(off.html, "manager-mode")).toBeNull();
  });

  it("counts wrong codes: five, then the session is refused even the right code; a new session may try again", async () => {
    const { company, browser } = await withCode();
    for (let i = 1; i <= 4; i++) {
      const res = await post(browser, ENTER, { manager_code: "000000" });
      expect(res.status).toBe(403);
      const left = 5 - i;
      expect(res.html).toContain(`<span class="error" id="m-manager_code-error">That is not the manager code. ${left === 1 ? "One try" : `${left} tries`} left in this session.</span>`);
      expect(res.html).not.toContain('value="000000"');
      expect(await mode(browser.idHash)).toEqual({ manager: false, tries: i });
    }
    const fifth = await post(browser, ENTER, { manager_code: "999999" });
    expect(fifth.status).toBe(403);
    expect(fifth.html).toContain("That is not the manager code. This session has tried too many wrong codes. Sign out and sign in again to try again.");
    expect(fifth.html).not.toContain('action="/dashboard/manager"');

    const right = await post(browser, ENTER, { manager_code: CODE });
    expect(right.status).toBe(403);
    expect(right.html).toContain("This session has tried too many wrong codes.");
    expect(await mode(browser.idHash)).toEqual({ manager: false, tries: 5 });
    expect(figure((await page(browser, "/dashboard/programme")).html, "manager-no-tries")).toContain("Sign out and sign in again");

    const again = await signedIn(company.id);
    expect((await post(again, ENTER, { manager_code: CODE })).status).toBe(303);
    expect(await mode(again.idHash)).toEqual({ manager: true, tries: 0 });
  });

  it("a burst of wrong codes at once counts no more than five tries", async () => {
    const { browser } = await withCode();
    const results = await Promise.all(Array.from({ length: 8 }, () => post(browser, ENTER, { manager_code: "111111" })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(403));
    expect(await mode(browser.idHash)).toEqual({ manager: false, tries: 5 });
    expect((await post(browser, ENTER, { manager_code: CODE })).status).toBe(403);
    expect(await mode(browser.idHash)).toEqual({ manager: false, tries: 5 });
  });

  it("an empty code is refused with 400 and not counted", async () => {
    const { browser } = await withCode();
    const res = await post(browser, ENTER, { manager_code: "  " });
    expect(res.status).toBe(400);
    expect(res.html).toContain('<span class="error" id="m-manager_code-error">Enter the manager code.</span>');
    expect(await mode(browser.idHash)).toEqual({ manager: false, tries: 0 });
  });

  it("refuses forged posts (no token, another origin) with 403: no manager mode, no try counted, not left either", async () => {
    const { browser } = await withCode();
    for (const forged of [{ csrf: null }, { csrf: "x" }, { origin: "https://evil.example", secFetchSite: "cross-site" }]) {
      const res = await post(browser, ENTER, { manager_code: CODE }, forged);
      expect(res.status).toBe(403);
      expect(res.html).toContain("Nothing was changed.");
    }
    expect(await mode(browser.idHash)).toEqual({ manager: false, tries: 0 });
    expect((await post(browser, ENTER, { manager_code: CODE })).status).toBe(303);
    expect((await post(browser, `${ENTER}/leave`, {}, { csrf: null })).status).toBe(403);
    expect(await mode(browser.idHash)).toEqual({ manager: true, tries: 0 });
  });
});
