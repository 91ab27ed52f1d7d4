import { describe, expect, it } from "vitest";
import { admin, adminKey } from "../admin-harness";
import { figure, page, signedIn } from "../dashboard-harness";
import { seedCompany } from "../harness";

// GET /dashboard/members: every member a page at a time, and the search the till uses.

/** The member ids of the list's rows, in order. */
const rowIds = (html: string) => [...html.matchAll(/<tr data-member="([^"]+)">/g)].map((m) => m[1]!);

const nextLink = (html: string) => /href="(\/dashboard\/members\?cursor=[^"]+)">Next page</.exec(html)?.[1]?.replaceAll("&amp;", "&") ?? null;

describe("dashboard members list", () => {
  it("shows each member's name (a link to their page), email, phone, card, points and status", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const ada = await company.addMember({ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "0412 345 678", cardNumber: "100 200", openingPoints: 1250 });
    const bob = await company.addMember({ firstName: "Bob", phone: "0499 000 111" });
    await admin(await adminKey(company.id), "POST", `/members/${bob}/deactivate`);
    const { status, html } = await page(await signedIn(company.id), "/dashboard/members");

    expect(status).toBe(200);
    expect(rowIds(html)).toEqual([ada, bob]);
    expect(html).toContain(
      `<tr data-member="${ada}"><td><a href="/dashboard/members/${ada}">Ada Lovelace</a></td><td>ada@example.com</td><td>0412 345 678</td><td>100200</td><td class="num">1,250</td><td><span class="badge active">Active</span></td></tr>`,
    );
    expect(html).toContain(
      `<tr data-member="${bob}"><td><a href="/dashboard/members/${bob}">Bob</a></td><td></td><td>0499 000 111</td><td></td><td class="num">0</td><td><span class="badge inactive">Inactive</span></td></tr>`,
    );
    expect(html).toContain(`<th scope="col" class="num">Beans</th>`);
    expect(html).toContain(`<a class="button" href="/dashboard/members/new">Add a member</a>`);
    expect(html).not.toContain("Next page");
    expect(html).not.toContain("First page");
  });

  it("pages through 50 members at a time, oldest first, with Next page and First page links", async () => {
    const company = await seedCompany();
    const ids: string[] = [];
    for (let i = 0; i < 53; i++) ids.push(await company.addMember({ firstName: `Member${i}`, email: `m${i}@example.com` }));
    const other = await seedCompany();
    await other.addMember({ firstName: "Neighbour", email: "n@example.com" });
    const browser = await signedIn(company.id);

    const first = await page(browser, "/dashboard/members");
    expect(first.status).toBe(200);
    expect(rowIds(first.html)).toEqual(ids.slice(0, 50));
    expect(first.html).not.toContain("First page");
    const next = nextLink(first.html);
    expect(next).not.toBeNull();

    const second = await page(browser, next!);
    expect(second.status).toBe(200);
    expect(rowIds(second.html)).toEqual(ids.slice(50));
    expect(second.html).toContain(`<a href="/dashboard/members">First page</a>`);
    expect(nextLink(second.html)).toBeNull();
    expect(second.html).not.toContain("Neighbour");
  });

  it("answers a cursor it never gave out with a 400 page", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const browser = await signedIn(company.id);
    for (const cursor of ["nonsense", "x".repeat(41)]) {
      const res = await page(browser, `/dashboard/members?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(res.html).toContain("This page of members does not exist.");
    }
  });

  it("searches as the till does: name, email, phone or card number, active members of this company only", async () => {
    const company = await seedCompany();
    const john = await company.addMember({ firstName: "John", lastName: "Smith", email: "john.smith@example.com", phone: "0412 345 678", cardNumber: "CARD-77" });
    const jane = await company.addMember({ firstName: "Jane", lastName: "Smith", email: "jane@example.com" });
    const gone = await company.addMember({ firstName: "Old", lastName: "Smith", email: "old@example.com" });
    await company.addMember({ firstName: "Mary", lastName: "Jones", email: "mary@example.com" });
    await admin(await adminKey(company.id), "POST", `/members/${gone}/deactivate`);
    const other = await seedCompany();
    await other.addMember({ firstName: "Sam", lastName: "Smith", email: "sam@example.com" });
    const browser = await signedIn(company.id);

    const byName = await page(browser, "/dashboard/members?q=smith");
    expect(byName.status).toBe(200);
    expect(new Set(rowIds(byName.html))).toEqual(new Set([john, jane]));
    expect(figure(byName.html, "result-count")).toBe("2 members found");
    // What was searched stays in the box; no paging links in a search.
    expect(byName.html).toContain(`name="q" value="smith"`);
    expect(byName.html).not.toContain("Next page");

    // The same rows, in the same order, as the admin API's search (the one the till uses).
    const api = await admin(await adminKey(company.id), "GET", "/members?q=smith");
    expect(rowIds(byName.html)).toEqual(api.body.data.map((m: { id: string }) => m.id));

    for (const q of ["0412345678", "+61 412 345 678", "card77", "john.smith@example.com"]) {
      const res = await page(browser, `/dashboard/members?q=${encodeURIComponent(q)}`);
      expect(rowIds(res.html), q).toEqual([john]);
      expect(figure(res.html, "result-count"), q).toBe("One member found");
    }

    const none = await page(browser, "/dashboard/members?q=nobody");
    expect(rowIds(none.html)).toEqual([]);
    expect(figure(none.html, "result-count")).toBe("No active member matches");

    // An empty search is the list.
    const blank = await page(browser, "/dashboard/members?q=+");
    expect(rowIds(blank.html)).toHaveLength(4);
  });

  it("refuses a search text longer than 100 characters beside the box, keeping it", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const long = "a".repeat(101);
    const res = await page(await signedIn(company.id), `/dashboard/members?q=${long}`);
    expect(res.status).toBe(400);
    expect(res.html).toContain(`<span class="error" id="s-q-error">Too big: expected string to have &lt;=100 characters</span>`);
    expect(res.html).toContain(`value="${long}"`);
    expect(rowIds(res.html)).toEqual([]);
  });
});
