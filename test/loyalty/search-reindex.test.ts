import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { reindexSearch } from "../../src/jobs/reindex-search";
import { scheduledJobs } from "../../src/jobs/scheduled";
import { Logger } from "../../src/lib/logger";
import { enrolMember } from "../../src/loyalty/members/enrol";
import { buildSearchTerms } from "../../src/loyalty/search/search-terms";
import { companies, members } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { db, getJson, kountaUrl, seedCompany } from "../harness";

// Changing a company's phone country code rebuilds every member's search tokens: the settings change
// does the first chunks, the cron the rest.

async function found(companyId: string, keyword: string): Promise<string[]> {
  const { status, body } = await getJson(kountaUrl("customer-search", { keyword, company_id: companyId }));
  expect(status).toBe(200);
  return Object.keys(body.members).sort();
}

/** Members indexed as they were before the company had a country code, inserted straight into D1. */
async function addMembersWithoutCode(companyId: string, count: number, phone: (i: number) => string) {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => {
    const m = { companyId, firstName: `Member${i}`, lastName: "Phone", email: null, phone: phone(i), cardNumber: null, status: "active" as const };
    return { ...m, id: `mem_ph_${companyId}_${i}`, searchTerms: buildSearchTerms(m, null), createdAt: now, updatedAt: now };
  });
  // D1 binds at most 100 values per statement: 8 rows per insert, all in one batch.
  const inserts = [];
  for (let i = 0; i < rows.length; i += 5) inserts.push(db.insert(members).values(rows.slice(i, i + 5)));
  await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
  return rows.map((r) => r.id);
}

async function cursorOf(companyId: string): Promise<number | null> {
  const [row] = await db.select({ after: companies.searchReindexAfterPk }).from(companies).where(eq(companies.id, companyId));
  return row!.after;
}

const quiet = new Logger();
quiet.info = () => {};

describe("search tokens after the phone country code changes", () => {
  it("members indexed before the code find themselves by either form once it is set", async () => {
    const company = await seedCompany({ phoneCountryCode: null });
    const key = await adminKey(company.id);
    const [national, international] = await addMembersWithoutCode(company.id, 2, (i) => (i === 0 ? "0412 345 678" : "+61 433 222 111"));
    expect(await found(company.id, "+61 412 345 678")).toEqual([]);
    expect(await found(company.id, "0433 222 111")).toEqual([]);

    const res = await admin(key, "PATCH", "/settings", { phone_country_code: "61" });

    expect(res.status).toBe(200);
    expect(await found(company.id, "+61 412 345 678")).toEqual([national]);
    expect(await found(company.id, "0412 345 678")).toEqual([national]);
    expect(await found(company.id, "0433 222 111")).toEqual([international]);
    expect(await found(company.id, "+61433222111")).toEqual([international]);
    expect(await cursorOf(company.id)).toBeNull();
    // The same code again changes nothing and starts nothing.
    const before = await db.all<{ terms: string }>(sql`SELECT search_terms AS terms FROM members WHERE company_id = ${company.id} ORDER BY pk`);
    await admin(key, "PATCH", "/settings", { phone_country_code: "61", points_label: "Stars" });
    expect(await cursorOf(company.id)).toBeNull();
    expect(await db.all(sql`SELECT search_terms AS terms FROM members WHERE company_id = ${company.id} ORDER BY pk`)).toEqual(before);
  });

  it("a large company: the settings change does the first 2,000 members, the cron the rest", async () => {
    const company = await seedCompany({ phoneCountryCode: null });
    const key = await adminKey(company.id);
    const ids = await addMembersWithoutCode(company.id, 3000, (i) => `04${String(10_000_000 + i)}`);
    const last = "+61 4 1000 2999";

    await admin(key, "PATCH", "/settings", { phone_country_code: "61" });

    expect(await cursorOf(company.id)).not.toBeNull();
    expect(await found(company.id, "+61 4 1000 0001")).toEqual([ids[1]]);
    expect(await found(company.id, last)).toEqual([]);

    const summary = await reindexSearch(env, quiet);

    expect(summary).toEqual({ companies: 1, updated: 1000, finished: [company.id] });
    expect(await cursorOf(company.id)).toBeNull();
    expect(await found(company.id, last)).toEqual([ids[2999]]);
    // Nothing pending: the next run finds no work.
    expect(await reindexSearch(env, quiet)).toEqual({ companies: 0, updated: 0, finished: [] });
  });

  it("a code changed again midway starts over with the newest code", async () => {
    const company = await seedCompany({ phoneCountryCode: null });
    const key = await adminKey(company.id);
    const ids = await addMembersWithoutCode(company.id, 2500, (i) => `+44 7700 9${String(i).padStart(5, "0")}`);

    await admin(key, "PATCH", "/settings", { phone_country_code: "61" });
    expect(await cursorOf(company.id)).not.toBeNull();
    await admin(key, "PATCH", "/settings", { phone_country_code: "44" });
    await reindexSearch(env, quiet);

    expect(await cursorOf(company.id)).toBeNull();
    // With 44, a UK number written internationally is also found in its national form.
    expect(await found(company.id, "07700 900 001")).toEqual([ids[1]]);
    expect(await found(company.id, "07700 902 499")).toEqual([ids[2499]]);
  });

  it("a member written with a code read just before it changed is rebuilt too", async () => {
    const company = await seedCompany({ phoneCountryCode: "44" });
    // A writer that read the old code (61) writes after the change to 44 (and after its rebuild).
    const epochOf = async () => (await db.select({ e: companies.searchReindexEpoch }).from(companies).where(eq(companies.id, company.id)))[0]!.e;
    const before = await epochOf();
    const stale = await enrolMember(db, { companyId: company.id, firstName: "Late", phone: "+44 7700 900 123", actor: "test" }, { countryCode: "61" });
    expect(await found(company.id, "07700 900 123")).toEqual([]);
    expect(await cursorOf(company.id)).toBe(0);
    // A new epoch: a chunk already under way (cursor at 0 too) cannot close the rebuild over it.
    expect(await epochOf()).toBe(before + 1);

    await reindexSearch(env, quiet);

    expect(await found(company.id, "07700 900 123")).toEqual([stale]);
    expect(await cursorOf(company.id)).toBeNull();
    // A writer with the current code starts nothing.
    await enrolMember(db, { companyId: company.id, firstName: "Fresh", phone: "07700 900 456", actor: "test" }, { countryCode: "44" });
    expect(await cursorOf(company.id)).toBeNull();
  });

  it("runs in the cron", () => {
    expect(scheduledJobs.map((j) => j.name)).toContain("reindex-search");
  });
});
