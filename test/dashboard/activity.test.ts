import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/loyalty/listing";
import { all, query } from "../../src/storage/sql";
import { page, signedIn } from "../dashboard-harness";
import { db } from "../harness";
import { redemptionAt } from "../admin/points.fixtures";
import { adjust, HYPERLINK, seedActivity } from "./activity.fixtures";

// Activity: the company's redemptions and ledger with the admin API's filters, a page at a time; a
// filter that cannot be used answers 400 with the message next to its field.

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The rows of one table (data-<kind>="id"): the id and the text of each cell. */
function tableRows(html: string, kind: "ledger" | "redemption") {
  return [...html.matchAll(new RegExp(`<tr data-${kind}="([^"]+)">([\\s\\S]*?)</tr>`, "g"))].map(([, id, cells]) => ({
    id,
    cells: [...cells!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, cell]) => decode(cell!.replace(/<[^>]+>/g, "")).trim()),
  }));
}

const errorOf = (html: string, field: string) => new RegExp(`id="f-${field}-error">([^<]*)<`).exec(html)?.[1] ?? null;
const valueOf = (html: string, field: string) => new RegExp(`<input id="f-${field}" name="${field}" type="date" value="([^"]*)"`).exec(html)?.[1] ?? null;
const hrefs = (html: string, text: string) => [...html.matchAll(new RegExp(`<a href="([^"]+)">${text}</a>`, "g"))].map(([, h]) => decode(h!));

async function orderOf(redemptionId: string): Promise<string> {
  const [row] = await all<{ order_id: string }>(db, query(sql`SELECT order_id FROM redemptions WHERE id = ${redemptionId}`));
  return row!.order_id;
}

describe("dashboard activity", () => {
  it("shows the redemptions and ledger rows of the dates and status chosen, and nothing of another company", async () => {
    const { company, ann, bob, adjusted } = await seedActivity();
    const applied = await redemptionAt(company, ann, "2024-05-01T12:00:00Z", "applied", "pct");
    const failed = await redemptionAt(company, bob, "2024-05-02T12:00:00Z", "failed", "five");
    const pending = await redemptionAt(company, ann, "2024-05-03T08:00:00Z", "pending", "coffee");
    const neighbour = await seedActivity();
    await redemptionAt(neighbour.company, neighbour.ann, "2024-05-02T13:00:00Z", "failed", "five");
    const browser = await signedIn(company.id);

    const april = await page(browser, "/dashboard/activity?from=2024-04-01&to=2024-04-02");
    expect(april.status).toBe(200);
    expect(tableRows(april.html, "ledger")).toEqual([
      { id: adjusted.bobApril2, cells: ["2 Apr 2024, 11:00 UTC", "@Bob", "Changed by hand", "-20", "+cmd|' /C calc'!A0", "API key · key_test", ""] },
      { id: adjusted.annApril1, cells: ["1 Apr 2024, 10:00 UTC", "-Ann Lee", "Changed by hand", "+50", HYPERLINK, "API key · key_test", ""] },
    ]);
    expect(tableRows(april.html, "redemption")).toEqual([]);
    expect(april.html).toContain("No redemption matches these filters.");
    expect(april.html).toContain(`<a href="/dashboard/members/${bob}">@Bob</a>`);
    expect(valueOf(april.html, "from")).toBe("2024-04-01");
    expect(valueOf(april.html, "to")).toBe("2024-04-02");

    const may = await page(browser, "/dashboard/activity?from=2024-05-01&to=2024-05-31");
    expect(tableRows(may.html, "redemption")).toEqual([
      { id: pending, cells: ["3 May 2024, 08:00 UTC", "-Ann Lee", "Free coffee", "500", "", "Waiting for Kounta", await orderOf(pending)] },
      { id: failed, cells: ["2 May 2024, 12:00 UTC", "@Bob", "$5 off", "1,000", "$5.00", "Failed Order closed", await orderOf(failed)] },
      { id: applied, cells: ["1 May 2024, 12:00 UTC", "-Ann Lee", "20% off", "300", "20% off", "Applied", await orderOf(applied)] },
    ]);
    // The ledger of those days: the points taken by each redemption, and given back for the failed one.
    expect(tableRows(may.html, "ledger").map((r) => [r.cells[1], r.cells[2], r.cells[3]])).toEqual([
      ["-Ann Lee", "Spent on a reward", "-500"],
      ["@Bob", "Given back or taken back", "+1,000"],
      ["@Bob", "Spent on a reward", "-1,000"],
      ["-Ann Lee", "Spent on a reward", "-300"],
    ]);

    const onlyFailed = await page(browser, "/dashboard/activity?from=2024-05-01&to=2024-05-31&status=failed");
    expect(tableRows(onlyFailed.html, "redemption").map((r) => r.id)).toEqual([failed]);
    expect(onlyFailed.html).toContain('<option value="failed" selected="">Failed</option>');
    // The status filters the redemptions only: the ledger of the dates is the same.
    expect(tableRows(onlyFailed.html, "ledger")).toHaveLength(4);
    expect(tableRows((await page(browser, "/dashboard/activity?status=pending")).html, "redemption").map((r) => r.id)).toEqual([pending]);

    // The downloads carry the same filters.
    expect(onlyFailed.html).toContain('href="/dashboard/activity/ledger.csv?from=2024-05-01&amp;to=2024-05-31"');
    expect(onlyFailed.html).toContain('href="/dashboard/activity/redemptions.csv?from=2024-05-01&amp;to=2024-05-31&amp;status=failed"');
  });

  it("pages each list by its own cursor, keeping the filters and the other list's page", async () => {
    const { company, ann } = await seedActivity();
    const ids: string[] = [];
    for (let i = 0; i < 27; i++) ids.push(await adjust(company.id, ann, new Date(Date.parse("2024-06-01T08:00:00Z") + i * 60_000).toISOString(), 1, `Visit ${i}`));
    const newestFirst = ids.reverse();
    const browser = await signedIn(company.id);

    const first = await page(browser, "/dashboard/activity?from=2024-06-01&to=2024-06-01");
    expect(tableRows(first.html, "ledger").map((r) => r.id)).toEqual(newestFirst.slice(0, 25));
    const [older] = hrefs(first.html, "Older");
    expect(older).toMatch(/^\/dashboard\/activity\?from=2024-06-01&to=2024-06-01&lcursor=[^&#]+#ledger$/);
    expect(hrefs(first.html, "Newest")).toEqual([]);

    const second = await page(browser, older!);
    expect(second.status).toBe(200);
    expect(tableRows(second.html, "ledger").map((r) => r.id)).toEqual(newestFirst.slice(25));
    expect(hrefs(second.html, "Older")).toEqual([]);
    expect(hrefs(second.html, "Newest")).toEqual(["/dashboard/activity?from=2024-06-01&to=2024-06-01#ledger"]);

    // A page of the redemptions stays where it is while the ledger pages, and the other way round.
    const rcursor = encodeCursor({ createdAt: Date.parse("2024-06-02T00:00:00Z"), id: "rdm_zzzz" });
    const both = await page(browser, `/dashboard/activity?from=2024-06-01&to=2024-06-01&rcursor=${encodeURIComponent(rcursor)}`);
    expect(both.status).toBe(200);
    const [ledgerOlder] = hrefs(both.html, "Older");
    expect(new URL(ledgerOlder!, "https://x").searchParams.get("rcursor")).toBe(rcursor);
    expect(hrefs(both.html, "Newest")).toEqual(["/dashboard/activity?from=2024-06-01&to=2024-06-01#redemptions"]);
    const bothSecond = await page(browser, ledgerOlder!);
    expect(hrefs(bothSecond.html, "Newest")).toEqual([
      `/dashboard/activity?from=2024-06-01&to=2024-06-01&lcursor=${new URL(ledgerOlder!, "https://x").searchParams.get("lcursor")}#redemptions`,
      `/dashboard/activity?from=2024-06-01&to=2024-06-01&rcursor=${rcursor}#ledger`,
    ]);
  });

  it("refuses a filter it cannot use: 400, the message next to the field, what was typed kept, no rows", async () => {
    const { company } = await seedActivity();
    const browser = await signedIn(company.id);

    const notADate = await page(browser, "/dashboard/activity?from=2024-13-01&to=2024-05-01");
    expect(notADate.status).toBe(400);
    expect(errorOf(notADate.html, "from")).toBe("Expected an ISO date (2024-05-01) or date-time (2024-05-01T09:30:00Z)");
    expect(errorOf(notADate.html, "to")).toBeNull();
    expect(valueOf(notADate.html, "from")).toBe("2024-13-01");
    expect(valueOf(notADate.html, "to")).toBe("2024-05-01");
    expect(notADate.html).toContain('aria-invalid="true" aria-describedby="f-from-error f-from-hint"');
    expect(notADate.html).not.toContain("<table");

    const backwards = await page(browser, "/dashboard/activity?from=2024-05-02&to=2024-05-01");
    expect(backwards.status).toBe(400);
    expect(errorOf(backwards.html, "to")).toBe("Must not be before from");
    expect(valueOf(backwards.html, "from")).toBe("2024-05-02");
    expect(valueOf(backwards.html, "to")).toBe("2024-05-01");
    expect(backwards.html).not.toContain("<table");

    const badStatus = await page(browser, "/dashboard/activity?status=lost");
    expect(badStatus.status).toBe(400);
    expect(decode(errorOf(badStatus.html, "status")!)).toBe('Invalid option: expected one of "pending"|"applied"|"failed"');

    const badCursor = await page(browser, "/dashboard/activity?lcursor=made-up");
    expect(badCursor.status).toBe(400);
    expect(badCursor.html).toContain("This page link no longer works: the lists start again from the newest.");
    expect(badCursor.html).not.toContain("<table");

    // A download with such filters answers the same page.
    const download = await page(browser, "/dashboard/activity/ledger.csv?from=2024-05-02&to=2024-05-01");
    expect(download.status).toBe(400);
    expect(download.res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(errorOf(download.html, "to")).toBe("Must not be before from");
  });
});
