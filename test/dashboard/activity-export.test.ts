import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { csvFileName, ledgerCsv } from "../../src/dashboard/pages/activity-export";
import { parseCsv } from "../../src/loyalty/members/csv";
import { all, query } from "../../src/storage/sql";
import { signedIn, type Browser } from "../dashboard-harness";
import { call, db, ORIGIN } from "../harness";
import { redemptionAt } from "../admin/points.fixtures";
import { seedActivity } from "./activity.fixtures";

// The Activity downloads: every matching row as CSV, exactly; cells a spreadsheet would run are
// defused, numbers stay numbers; large exports walk the cursor and name every member.

async function orderOf(redemptionId: string): Promise<string> {
  const [row] = await all<{ order_id: string }>(db, query(sql`SELECT order_id FROM redemptions WHERE id = ${redemptionId}`));
  return row!.order_id;
}

/** A download as the browser gets it: the bytes decoded with the byte-order mark kept. */
async function download(browser: Browser, path: string) {
  const res = await call(`${ORIGIN}${path}`, { headers: { cookie: browser.cookie } });
  return { status: res.status, res, text: new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(await res.arrayBuffer()) };
}

describe("dashboard activity downloads", () => {
  it("the ledger: exact CSV, formulas in names and notes defused, points changes as numbers", async () => {
    const { company, ann, bob, adjusted } = await seedActivity();
    const neighbour = await seedActivity();
    const browser = await signedIn(company.id);

    const { status, res, text } = await download(browser, "/dashboard/activity/ledger.csv?from=2024-04-01&to=2024-04-30");

    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="loyalty-ledger-from-2024-04-01-to-2024-04-30.csv"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(text).toBe(
      "\ufeff" +
        '"Time (UTC)","Member","Email","Member ID","Beans","What","Note","By","Reward","Site","Order","Entry ID"\r\n' +
        `"2024-04-04 09:00:00","'-Ann Lee","ann@example.com","${ann}",5,"Changed by hand","Late","API key · key_test",,,,"${adjusted.annApril4}"\r\n` +
        `"2024-04-02 11:00:00","'@Bob","bob@example.com","${bob}",-20,"Changed by hand","'+cmd|' /C calc'!A0","API key · key_test",,,,"${adjusted.bobApril2}"\r\n` +
        `"2024-04-01 10:00:00","'-Ann Lee","ann@example.com","${ann}",50,"Changed by hand","'=HYPERLINK(""https://evil.example"",""Click"")","API key · key_test",,,,"${adjusted.annApril1}"\r\n`,
    );
    expect(text).not.toContain(neighbour.adjusted.annApril1);

    // Without dates: every row (the opening balances too), the file named for the day.
    const everything = await download(browser, "/dashboard/activity/ledger.csv");
    expect(parseCsv(everything.text)).toHaveLength(1 + 3 + 2);
    expect(everything.res.headers.get("content-disposition")).toBe(`attachment; filename="loyalty-ledger-${new Date().toISOString().slice(0, 10)}.csv"`);
  });

  it("the redemptions: exact CSV with the status filter", async () => {
    const { company, ann, bob } = await seedActivity();
    const applied = await redemptionAt(company, ann, "2024-05-01T12:00:00Z", "applied", "pct");
    const failed = await redemptionAt(company, bob, "2024-05-02T12:00:00Z", "failed", "five");
    const pending = await redemptionAt(company, ann, "2024-05-03T08:00:00Z", "pending", "coffee");
    const browser = await signedIn(company.id);
    const header = '\ufeff"Time (UTC)","Member","Email","Member ID","Reward","Beans","Worth","Status","Why it failed","Site","Order","Redemption ID"\r\n';
    const site = company.siteId;

    const onlyFailed = await download(browser, "/dashboard/activity/redemptions.csv?from=2024-05-01&to=2024-05-31&status=failed");
    expect(onlyFailed.res.headers.get("content-disposition")).toBe('attachment; filename="loyalty-redemptions-failed-from-2024-05-01-to-2024-05-31.csv"');
    expect(onlyFailed.text).toBe(
      header + `"2024-05-02 12:00:00","'@Bob","bob@example.com","${bob}","$5 off",1000,"$5.00","Failed","Order closed","${site}","${await orderOf(failed)}","${failed}"\r\n`,
    );

    const all = await download(browser, "/dashboard/activity/redemptions.csv?from=2024-05-01&to=2024-05-31");
    expect(all.text).toBe(
      header +
        `"2024-05-03 08:00:00","'-Ann Lee","ann@example.com","${ann}","Free coffee",500,,"Waiting for Kounta",,"${site}","${await orderOf(pending)}","${pending}"\r\n` +
        `"2024-05-02 12:00:00","'@Bob","bob@example.com","${bob}","$5 off",1000,"$5.00","Failed","Order closed","${site}","${await orderOf(failed)}","${failed}"\r\n` +
        `"2024-05-01 12:00:00","'-Ann Lee","ann@example.com","${ann}","20% off",300,"20% off","Applied",,"${site}","${await orderOf(applied)}","${applied}"\r\n`,
    );
  });

  it("walks the cursor 200 rows at a time, names the members of every row, and stops at the cap", async () => {
    const { company, ann, bob } = await seedActivity();
    // 1,150 ledger rows in one statement (balances are not this test's subject).
    const rows = Array.from({ length: 1150 }, (_, i) => ({
      id: `led_bulk${String(i).padStart(5, "0")}`,
      member_id: i % 2 ? ann : bob,
      created_at: Date.parse("2024-07-01T00:00:00Z") + i * 1000,
    }));
    await db.run(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, idempotency_key, created_at)
      SELECT json_extract(j.value, '$.id'), ${company.id}, json_extract(j.value, '$.member_id'), 1, 'adjustment',
        'bulk:' || json_extract(j.value, '$.id'), json_extract(j.value, '$.created_at')
      FROM json_each(${JSON.stringify(rows)}) j`);
    const browser = await signedIn(company.id);

    const { text } = await download(browser, "/dashboard/activity/ledger.csv?from=2024-07-01&to=2024-07-01");
    const records = parseCsv(text).slice(1);
    expect(records.map((r) => r[11])).toEqual(rows.map((r) => r.id).reverse());
    expect(records.map((r) => r[1])).toEqual(rows.map((r) => (r.member_id === ann ? "'-Ann Lee" : "'@Bob")).reverse());

    const ctx = { db, companyId: company.id, pointsLabel: "Beans", currency: "AUD", rewardTitles: new Map<string, string>() };
    const window = { from: Date.parse("2024-07-01T00:00:00Z"), before: Date.parse("2024-07-02T00:00:00Z"), limit: 200 };
    const capped = await ledgerCsv(ctx, window, 250);
    expect([capped.rows, capped.truncated]).toEqual([250, true]);
    const cappedRecords = parseCsv(new TextDecoder().decode(await new Blob(capped.body).arrayBuffer())).slice(1);
    expect(cappedRecords.map((r) => r[11])).toEqual(rows.map((r) => r.id).reverse().slice(0, 250));
    expect(csvFileName("ledger", { from: "2024-07-01", to: "2024-07-01" }, capped)).toBe("loyalty-ledger-from-2024-07-01-to-2024-07-01-newest-250.csv");

    const exact = await ledgerCsv(ctx, window, 1150);
    expect([exact.rows, exact.truncated]).toEqual([1150, false]);
  });
});
