import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { buildSearchTerms, ftsPrefixOption } from "../../src/loyalty/search/search-terms";
import { companies, members } from "../../src/storage/schema";
import { db, getJson, kountaUrl, seedCompany } from "../harness";
import padSearchTerms from "../../scripts/sql/pad-search-terms.sql?raw";

// Migration 0009: member search tokens start with the company id padded to 20 digits, and
// members_fts keeps prefix indexes for the first characters typed after that start.

async function found(companyId: string, keyword: string): Promise<string[]> {
  const { status, body } = await getJson(kountaUrl("customer-search", { keyword, company_id: companyId }));
  expect(status).toBe(200);
  return Object.keys(body.members);
}

async function termsOf(memberId: string): Promise<string> {
  const [row] = await db.select({ terms: members.searchTerms }).from(members).where(eq(members.id, memberId));
  return row!.terms;
}

/** Tokens in the shape from before 0009: the company id as it is ("1234_n_olga"). */
function oldShape(terms: string, companyId: string): string {
  return terms.replaceAll(`${companyId.padStart(20, "0")}_`, `${companyId}_`);
}

/** FTS5's own check of members_fts against the members table (throws when they disagree). */
async function expectIndexMatchesMembers(): Promise<void> {
  await env.DB.prepare("INSERT INTO members_fts(members_fts, rank) VALUES ('integrity-check', 1)").run();
}

/** Runs migration 0009 again, as it ran on a database written before it. */
async function runMigration0009(): Promise<void> {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0009_"));
  expect(migration?.name).toBe("0009_search_prefix_index.sql");
  await env.DB.batch(migration!.queries.map((q) => env.DB.prepare(q)));
}

describe("migration 0009: member search's prefix indexes", () => {
  it("creates members_fts with one prefix index per length the code's prefixes can take", async () => {
    const row = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'members_fts'").first<{ sql: string }>();

    expect(row?.sql).toContain(`prefix = '${ftsPrefixOption()}'`);
  });

  it("rewrites tokens stored before it, so those members are found as before", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Olga", lastName: "Before", email: "olga@old.example", phone: "0412 999 111", cardNumber: "CARD-9" });
    const gone = await company.addMember({ firstName: "Olga", lastName: "Gone" });
    await db.update(members).set({ status: "inactive", searchTerms: "" }).where(eq(members.id, gone));
    const expected = await termsOf(id);
    const old = oldShape(expected, company.id);
    expect(old).toBe(`${company.id}_n_olga ${company.id}_n_before ${company.id}_e_olga_old_example ${company.id}_p_412999111 ${company.id}_p_61412999111 ${company.id}_k_card9`);
    await db.update(members).set({ searchTerms: old }).where(eq(members.id, id));
    expect(await found(company.id, "Olga")).toEqual([]);

    await runMigration0009();

    expect(await termsOf(id)).toBe(expected);
    expect(await termsOf(gone)).toBe("");
    await expectIndexMatchesMembers();
    for (const keyword of ["Olga", "ol", "before olga", "olga@old.example", "olga@", "0412 999 111", "+61412999111", "0412", "CARD-9"]) {
      expect(await found(company.id, keyword), keyword).toEqual([id]);
    }
    // The triggers are back: a member enrolled afterwards is found, and so is a changed name.
    const after = await company.addMember({ firstName: "Olgaline" });
    expect((await found(company.id, "olga")).sort()).toEqual([id, after].sort());
    await db.update(members).set({ firstName: "Petra", searchTerms: buildSearchTerms({ companyId: company.id, firstName: "Petra", lastName: null, email: null, phone: null, cardNumber: null, status: "active" }, "61") }).where(eq(members.id, after));
    expect(await found(company.id, "petra")).toEqual([after]);
    expect(await found(company.id, "olgaline")).toEqual([]);
  });

  it("rewrites each member's tokens by its own company, whatever the other ids or the token text hold", async () => {
    const now = Date.now();
    for (const id of ["45", "456"]) await db.insert(companies).values({ id, name: `Company ${id}`, createdAt: now, updatedAt: now });
    const person = (companyId: string) =>
      ({ companyId, firstName: "Ada", lastName: "Fortyfive", email: `ada_${companyId}_45_456@x.example`, phone: null, cardNumber: "45-456", status: "active" }) as const;
    const expected: Record<string, string> = {};
    for (const companyId of ["45", "456"]) {
      expected[companyId] = buildSearchTerms(person(companyId), null);
      const old = oldShape(expected[companyId]!, companyId);
      await db.insert(members).values({ id: `mem_ada_${companyId}`, companyId, firstName: "Ada", searchTerms: old, createdAt: now, updatedAt: now });
    }
    expect(await termsOf("mem_ada_45")).toBe("45_n_ada 45_n_fortyfive 45_e_ada_45_45_456_x_example 45_k_45456");

    await runMigration0009();

    expect(await termsOf("mem_ada_45")).toBe(expected["45"]);
    expect(await termsOf("mem_ada_456")).toBe(expected["456"]);
    expect(expected["456"]).toBe(
      "00000000000000000456_n_ada 00000000000000000456_n_fortyfive 00000000000000000456_e_ada_456_45_456_x_example 00000000000000000456_k_45456",
    );
    await expectIndexMatchesMembers();
  });

  it("pads, after the deploy, what a Worker from before it wrote meanwhile (scripts/sql/pad-search-terms.sql)", async () => {
    const company = await seedCompany();
    const fresh = await company.addMember({ firstName: "Nadia", lastName: "Window", phone: "0413 000 111" });
    const expected = await termsOf(fresh);
    // The old Worker enrols a member and updates another between the migration and the deploy.
    const enrolled = await company.addMember({ firstName: "Oskar", lastName: "Window" });
    const enrolledTerms = await termsOf(enrolled);
    await db.update(members).set({ searchTerms: oldShape(enrolledTerms, company.id) }).where(eq(members.id, enrolled));
    await db.update(members).set({ searchTerms: oldShape(expected, company.id) }).where(eq(members.id, fresh));
    expect(await found(company.id, "window")).toEqual([]);

    const statements = padSearchTerms.replace(/^\s*--.*$/gm, "").split(";").map((q) => q.trim()).filter(Boolean);
    expect(statements).toHaveLength(1);
    const first = await env.DB.prepare(statements[0]!).run();
    const again = await env.DB.prepare(statements[0]!).run();

    expect(first.meta.changes).toBeGreaterThan(0);
    expect(again.meta.changes).toBe(0);
    expect(await termsOf(fresh)).toBe(expected);
    expect(await termsOf(enrolled)).toBe(enrolledTerms);
    expect((await found(company.id, "window")).sort()).toEqual([fresh, enrolled].sort());
    expect(await found(company.id, "0413 000")).toEqual([fresh]);
    await expectIndexMatchesMembers();
  });

  it("leaves a company id of 20 digits as it is, as the code does", async () => {
    const companyId = "12345678901234567890";
    const now = Date.now();
    await db.insert(companies).values({ id: companyId, name: "Long id", createdAt: now, updatedAt: now });
    const terms = buildSearchTerms({ companyId, firstName: "Lena", lastName: null, email: null, phone: null, cardNumber: null, status: "active" }, null);
    expect(terms).toBe(`${companyId}_n_lena`);
    await db.insert(members).values({ id: "mem_long_id", companyId, firstName: "Lena", searchTerms: terms, createdAt: now, updatedAt: now });

    await runMigration0009();

    expect(await termsOf("mem_long_id")).toBe(terms);
    await expectIndexMatchesMembers();
    const hits = await db.all<{ id: string }>(sql`SELECT m.id FROM members_fts f JOIN members m ON m.pk = f.rowid WHERE members_fts MATCH ${`"${companyId}_n_le"*`}`);
    expect(hits).toEqual([{ id: "mem_long_id" }]);
  });
});
