import { describe, expect, it } from "vitest";
import { db, getJson, kountaUrl, seedCompany } from "../harness";

// What a search costs D1: rows read in proportion to the results, and one round trip (with the
// company's programme, unless this isolate has it already). Read from Server-Timing.

describe("customer search: cost", () => {
  /** Inserts members straight into D1, many per statement, all in one batch. */
  async function addMembersQuickly(companyId: string, count: number, firstName: (i: number) => string, lastName: string) {
    const { members } = await import("../../src/storage/schema");
    const { buildSearchTerms } = await import("../../src/loyalty/search/search-terms");
    const now = Date.now();
    const rows = Array.from({ length: count }, (_, i) => {
      const m = { companyId, firstName: firstName(i), lastName, email: `m${i}@${lastName.toLowerCase()}.example`, phone: null, cardNumber: null, status: "active" as const };
      return { ...m, id: `mem_${lastName.toLowerCase()}_${companyId}_${i}`, searchTerms: buildSearchTerms(m, "61"), createdAt: now, updatedAt: now };
    });
    // D1 binds at most 100 values per statement: 8 rows per insert, all in one batch.
    const inserts = [];
    for (let i = 0; i < rows.length; i += 5) inserts.push(db.insert(members).values(rows.slice(i, i + 5)));
    await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
  }

  async function searchRowsRead(companyId: string, keyword: string): Promise<{ found: number; rowsRead: number }> {
    const { res, body } = await getJson(kountaUrl("customer-search", { keyword, company_id: companyId }));
    return { found: Object.keys(body.members).length, rowsRead: Number(/rows_read=(\d+)/.exec(res.headers.get("server-timing")!)![1]) };
  }

  it("reads rows in proportion to the results, not to the company's members", async () => {
    const company = await seedCompany();
    await addMembersQuickly(company.id, 2000, (i) => `Member${i}`, "Filler");
    await company.addMember({ firstName: "Zed", lastName: "Unique" });

    const { found, rowsRead } = await searchRowsRead(company.id, "zed");

    expect(found).toBe(1);
    expect(rowsRead).toBeLessThan(100);
  });

  it("does not scan prefixes when whole words fill the page", async () => {
    // The same page of 25 "Ann", alone and among 2,000 names that start with "ann".
    const alone = await seedCompany();
    await addMembersQuickly(alone.id, 25, () => "Ann", "Whole");
    const crowded = await seedCompany();
    await addMembersQuickly(crowded.id, 25, () => "Ann", "Whole");
    await addMembersQuickly(crowded.id, 2000, (i) => `Ann${String.fromCharCode(97 + (i % 26))}${i}`, "Prefix");

    const base = await searchRowsRead(alone.id, "ann");
    const whole = await searchRowsRead(crowded.id, "ann");
    // Fewer whole words than a page: the prefix scan runs and reads its rows.
    const prefix = await searchRowsRead(crowded.id, "annb");

    expect(base.found).toBe(20);
    expect(whole.found).toBe(20);
    expect(whole.rowsRead).toBeLessThanOrEqual(base.rowsRead + 5);
    expect(prefix.found).toBe(20);
    expect(prefix.rowsRead).toBeGreaterThan(whole.rowsRead + 20);
  });
});

describe("customer search: a company whose catalogue this isolate has just read", () => {
  it("runs the search alone, taking the labels from that catalogue", async () => {
    const company = await seedCompany({ pointsLabel: "Stars", rewards: [{ id: "r", title: "Coffee", pointsRequired: 10 }] });
    const id = await company.addMember({ firstName: "Hot", openingPoints: 3 });
    await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: id, order_id: "1" }));

    const { res, body } = await getJson(kountaUrl("customer-search", { keyword: "hot", company_id: company.id }));

    expect(body.members[id]).toMatchObject({ current_points: "3", points_label: "Stars" });
    expect(res.headers.get("server-timing")).toMatch(/^d1;dur=[\d.]+;desc="round_trips=1 queries=1 rows_read=\d+ rows_written=0 session=replica primary_trips=0"/);
  });
});

describe("customer search: the company's programme in isolate memory", () => {
  it("reads the company with the first search only", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const id = await company.addMember({ firstName: "Repeat" });
    const first = await getJson(kountaUrl("customer-search", { keyword: "repeat", company_id: company.id }));
    const second = await getJson(kountaUrl("customer-search", { keyword: "repeat", company_id: company.id }));
    expect(first.res.headers.get("server-timing")).toContain('desc="round_trips=1 queries=2 ');
    expect(second.res.headers.get("server-timing")).toContain('desc="round_trips=1 queries=1 ');
    expect(second.body).toEqual(first.body);
    expect(second.body.members[id].points_label).toBe("Beans");
  });
});
