import { describe, expect, it } from "vitest";
import { recordFlag } from "../../src/loyalty/flags/flags";
import type { FlagKind } from "../../src/storage/schema";
import { page, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";
import { option } from "./tiers.fixtures";

// Activity, Flags: the company's suspicious activity (listFlags), newest first, 25 a page, by kind,
// each member's name linking to their page; another company's flags never shown.

const PATH = "/dashboard/activity/flags";
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 10, 1, 9); // 1 Nov 2026, 09:00 UTC

/** The flag rows of the page, in its order: [id, member link, kind label, count]. */
const rowsOf = (html: string) =>
  [...html.matchAll(/<tr data-flag="([^"]+)"><td>[^<]*<\/td><td><a href="([^"]+)">([^<]+)<\/a><\/td><td>([^<]+)<\/td><td class="num">([^<]+)<\/td>/g)].map((m) => ({
    id: m[1]!,
    href: m[2]!,
    name: m[3]!,
    kind: m[4]!,
    count: m[5]!,
  }));

const cursorOf = (html: string, label: "Older" | "Newest") => {
  const href = new RegExp(`<a href="([^"]+)">${label}</a>`).exec(html)?.[1];
  return href?.replace(/&amp;/g, "&") ?? null;
};

async function setup() {
  const company = await seedCompany();
  const ada = await company.addMember({ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
  const bob = await company.addMember({ firstName: "Bob", email: "bob@example.com" });
  return { company, ada, bob, browser: await signedIn(company.id) };
}

const flag = (companyId: string, memberId: string, kind: FlagKind, day: number, detail = `detail ${day}`) =>
  recordFlag(db, { companyId, memberId, kind, detail, now: START + day * DAY_MS });

describe("dashboard: suspicious activity", () => {
  it("lists the flags newest first, with the member's name linking to their page, what, how many and the detail", async () => {
    const { company, ada, bob, browser } = await setup();
    await flag(company.id, ada, "limit_refused", 0, "Limit: 2 rewards a day");
    await flag(company.id, ada, "limit_refused", 0, "Limit: 1 reward per order");
    await flag(company.id, bob, "large_adjustment", 1, "+600 points by dashboard:abc: Catering");
    const { status, html } = await page(browser, PATH);
    expect(status).toBe(200);
    expect(html).toContain("<h1>Suspicious activity</h1>");
    expect(rowsOf(html)).toEqual([
      { id: expect.any(String), href: `/dashboard/members/${bob}`, name: "Bob", kind: "Large changes by hand", count: "1" },
      { id: expect.any(String), href: `/dashboard/members/${ada}`, name: "Ada Lovelace", kind: "Redemptions refused by a limit", count: "2" },
    ]);
    expect(html).toContain("<td>2 Nov 2026</td>");
    // The latest detail of the day's row.
    expect(html).toContain("<td>Limit: 1 reward per order</td>");
    expect(html).toContain("<td>+600 points by dashboard:abc: Catering</td>");
    expect(html).toContain(option("", "Every kind", true));
    expect(cursorOf(html, "Older")).toBeNull();
  });

  it("narrows to one kind, and says when nothing is flagged", async () => {
    const { company, ada, bob, browser } = await setup();
    await flag(company.id, ada, "many_transactions", 0);
    await flag(company.id, bob, "reversed_orders", 1);
    await flag(company.id, ada, "many_transactions", 2);
    const { html } = await page(browser, `${PATH}?kind=many_transactions`);
    expect(rowsOf(html).map((r) => [r.name, r.kind])).toEqual([
      ["Ada Lovelace", "Many transactions in a day"],
      ["Ada Lovelace", "Many transactions in a day"],
    ]);
    expect(html).toContain(option("many_transactions", "Many transactions in a day", true));
    const none = await page(browser, `${PATH}?kind=large_adjustment`);
    expect(rowsOf(none.html)).toEqual([]);
    expect(none.html).toContain("Nothing is flagged.");
  });

  it("pages 25 at a time, keeping the kind; Newest goes back to the first page", async () => {
    const { company, ada, bob, browser } = await setup();
    for (let day = 0; day < 28; day++) await flag(company.id, day % 2 ? ada : bob, "limit_refused", day);
    await flag(company.id, ada, "large_adjustment", 30);
    const first = await page(browser, `${PATH}?kind=limit_refused`);
    const firstRows = rowsOf(first.html);
    expect(firstRows).toHaveLength(25);
    const older = cursorOf(first.html, "Older")!;
    expect(older).toMatch(/^\/dashboard\/activity\/flags\?kind=limit_refused&cursor=/);
    expect(cursorOf(first.html, "Newest")).toBeNull();

    const second = await page(browser, older);
    expect(second.status).toBe(200);
    const secondRows = rowsOf(second.html);
    expect(secondRows).toHaveLength(3);
    expect(new Set([...firstRows, ...secondRows].map((r) => r.id)).size).toBe(28);
    expect(second.html).toContain("<td>1 Nov 2026</td>");
    expect(cursorOf(second.html, "Older")).toBeNull();
    expect(cursorOf(second.html, "Newest")).toBe(`${PATH}?kind=limit_refused`);
  });

  it("refuses a kind it does not know and a page link it never gave out with 400", async () => {
    const { browser } = await setup();
    const kind = await page(browser, `${PATH}?kind=everything`);
    expect(kind.status).toBe(400);
    expect(kind.html).toContain('<span class="error" id="f-kind-error">Choose one of the kinds in the list</span>');
    const cursor = await page(browser, `${PATH}?cursor=not-ours`);
    expect(cursor.status).toBe(400);
    expect(cursor.html).toContain("This page link no longer works: the list starts again from the newest.");
    expect(rowsOf(cursor.html)).toEqual([]);
  });

  it("never shows another company's flags; the Activity page links here", async () => {
    const { browser } = await setup();
    const other = await seedCompany();
    const secret = await other.addMember({ firstName: "Secret", email: "secret@example.com" });
    await flag(other.id, secret, "large_adjustment", 0);
    const { html } = await page(browser, PATH);
    expect(rowsOf(html)).toEqual([]);
    expect(html).not.toContain("Secret");
    expect((await page(browser, "/dashboard/activity")).html).toContain(`<a href="${PATH}">Suspicious activity</a>`);
    expect((await page(null, PATH)).status).toBe(303);
  });
});
