import { env } from "cloudflare:test";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LoyaltyCache, refreshMemberCard } from "../../src/loyalty/cache";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import { members } from "../../src/storage/schema";
import { page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";

// Import: a CSV of members through the admin API's own import, its report per row as a table, and
// a file that cannot be imported refused next to the field with nothing changed.

const csvFile = (text: string | Uint8Array, name = "members.csv") => new File([text], name, { type: "text/csv" });

async function membersOf(companyId: string) {
  return db
    .select({
      firstName: members.firstName,
      lastName: members.lastName,
      email: members.email,
      phone: members.phone,
      cardNumber: members.cardNumber,
      points: members.points,
      status: members.status,
    })
    .from(members)
    .where(eq(members.companyId, companyId))
    .orderBy(asc(members.firstName));
}

/** The report table's rows: number, status, and the text of each cell. */
function reportRows(html: string) {
  const rows = [...html.matchAll(/<tr data-row="(\d+)" data-status="(\w+)">([\s\S]*?)<\/tr>/g)];
  return rows.map(([, row, status, cells]) => ({
    row: Number(row),
    status,
    cells: [...cells!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, cell]) => cell!.replace(/<br\/?>/g, " | ").replace(/<[^>]+>/g, "").trim()),
  }));
}

const fieldError = (html: string) => /<span class="error" id="f-file-error">([^<]*)<\/span>/.exec(html)?.[1] ?? null;

describe("dashboard import", () => {
  it("explains the columns with an example", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const { status, html } = await page(await signedIn(company.id), "/dashboard/import");
    expect(status).toBe(200);
    expect(html).toContain("<code>first_name, last_name, email, phone, card_number</code>");
    expect(html).toContain("with 0 beans: beans are not imported");
    expect(html).toContain("first_name,last_name,email,phone,card_number\nGrace,Hopper,grace.hopper@example.com,0400 000 001,");
    expect(html).toContain('<form method="post" action="/dashboard/import" class="stack" enctype="multipart/form-data"');
    expect(html).toContain('<input id="f-file" type="file" name="file" accept=".csv,text/csv" required=""');
  });

  it("imports a CSV: members created and updated in D1, every row reported, bad rows with their reason", async () => {
    const company = await seedCompany();
    const grace = await company.addMember({ firstName: "Grace", lastName: "Old", email: "grace@example.com" });
    const same = await company.addMember({ firstName: "Same", lastName: "Unchanged", email: "same@example.com" });
    // The till's cached card of a member the import changes is dropped (as the admin API's import does).
    await refreshMemberCard(db, new LoyaltyCache(env.CACHE), company.id, grace);
    expect(await env.CACHE.get(cacheKeys.memberCard(company.id, grace))).not.toBeNull();

    const csv = [
      "first_name,last_name,email,phone,card_number",
      "Grace,Hopper,GRACE@example.com,,",
      "Alan,Turing,,,100 200 302",
      "Katherine,Johnson,katherine@example.com,0400 000 003,",
      "Bad,Email,not-an-email,,",
      "Short,Row",
      ",Nameless,nameless@example.com,,",
      "Same,Unchanged,same@example.com,,",
    ].join("\r\n");
    const res = await post(await signedIn(company.id), "/dashboard/import", { file: csvFile(csv) });

    expect(res.status).toBe(200);
    expect(res.html).toContain('data-figure="import-created">2<');
    expect(res.html).toContain('data-figure="import-updated">1<');
    expect(res.html).toContain('data-figure="import-unchanged">1<');
    expect(res.html).toContain('data-figure="import-rejected">3<');
    expect(res.html).toContain("3 rows were not imported");
    const rows = reportRows(res.html);
    expect(rows.map(({ row, status }) => [row, status])).toEqual([
      [1, "updated"],
      [2, "created"],
      [3, "created"],
      [4, "rejected"],
      [5, "rejected"],
      [6, "rejected"],
      [7, "unchanged"],
    ]);
    expect(rows.map((r) => r.cells)).toEqual([
      ["1", "Grace Hopper | GRACE@example.com", "Updated", "See the member"],
      ["2", "Alan Turing | 100 200 302", "Added", "See the member"],
      ["3", "Katherine Johnson | katherine@example.com", "Added", "See the member"],
      ["4", "Bad Email | not-an-email", "Not imported", "email: Invalid email address"],
      ["5", "(unreadable row)", "Not imported", "has 2 fields, the header has 5"],
      ["6", "(no first name) | nameless@example.com", "Not imported", "first_name: Invalid input: expected string, received undefined"],
      ["7", "Same Unchanged | same@example.com", "Already up to date", "See the member"],
    ]);
    expect(res.html).toContain(`<a href="/dashboard/members/${grace}">See the member</a>`);
    expect(res.html).toContain(`<a href="/dashboard/members/${same}">See the member</a>`);

    expect(await membersOf(company.id)).toEqual([
      { firstName: "Alan", lastName: "Turing", email: null, phone: null, cardNumber: "100200302", points: 0, status: "active" },
      { firstName: "Grace", lastName: "Hopper", email: "grace@example.com", phone: null, cardNumber: null, points: 0, status: "active" },
      { firstName: "Katherine", lastName: "Johnson", email: "katherine@example.com", phone: "0400 000 003", cardNumber: null, points: 0, status: "active" },
      { firstName: "Same", lastName: "Unchanged", email: "same@example.com", phone: null, cardNumber: null, points: 0, status: "active" },
    ]);
    expect(await env.CACHE.get(cacheKeys.memberCard(company.id, grace))).toBeNull();

    // The same file again changes nothing.
    const again = await post(await signedIn(company.id), "/dashboard/import", { file: csvFile(csv) });
    expect(again.status).toBe(200);
    expect(again.html).toContain('data-figure="import-created">0<');
    expect(again.html).toContain('data-figure="import-unchanged">4<');
    expect(await membersOf(company.id)).toHaveLength(4);
  });

  it("refuses a file it cannot import (400, the message next to the field) and changes nothing", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const tooMany = `first_name,email\n${Array.from({ length: 10_001 }, (_, i) => `M${i},m${i}@example.com`).join("\n")}\n`;
    const cases: Array<[string, File, string]> = [
      ["no file chosen", new File([], "", { type: "application/octet-stream" }), "Choose a CSV file to import."],
      ["an empty file", csvFile(""), "This file is empty. Choose the CSV file with your members in it."],
      ["a file too large", csvFile(`first_name\n${"a".repeat(3 * 1024 * 1024)}`), "This file is 3.1 MB: a file can be at most 3 MB. Split it into smaller files."],
      [
        "a file not in UTF-8",
        csvFile(new Uint8Array([0x66, 0x69, 0x72, 0x73, 0x74, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x43, 0x61, 0x66, 0xe9, 0x0a])),
        "This file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”; Numbers and Google Sheets export UTF-8 CSV.",
      ],
      ["a spreadsheet", csvFile(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]), "members.xlsx"), "This is not a CSV file (it holds binary data, perhaps a spreadsheet). Save it as CSV first."],
      ["an unknown column", csvFile("first_name,points\nAnn,10\n"), "This file could not be read as CSV: unknown column &quot;points&quot; (columns: first_name, last_name, email, phone, card_number)."],
      ["an unclosed quote", csvFile('first_name,email\n"Ann,a@example.com\n'), "This file could not be read as CSV: a quoted field is not closed."],
      ["a header only", csvFile("first_name,email\n"), "This file has a header row but no members under it."],
      ["too many rows", csvFile(tooMany), "This file has more than 10,000 members. Split it into files of at most 10,000 rows."],
    ];
    for (const [name, file, message] of cases) {
      const res = await post(browser, "/dashboard/import", { file });
      expect(res.status, name).toBe(400);
      expect(fieldError(res.html), name).toBe(message);
      expect(res.html, name).toContain('aria-invalid="true" aria-describedby="f-file-error f-file-hint"');
      expect(res.html, name).toContain("One field needs a change");
      expect(res.html, name).not.toContain("What happened");
    }
    const none = await post(browser, "/dashboard/import", {}, { multipart: true });
    expect(none.status).toBe(400);
    expect(fieldError(none.html)).toBe("Choose a CSV file to import.");
    expect(await membersOf(company.id)).toEqual([]);
  });

  it("a forged post imports nothing", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const file = csvFile("first_name,email\nAnn,ann@example.com\n");
    expect((await post(browser, "/dashboard/import", { file }, { csrf: "wrong" })).status).toBe(403);
    expect((await post(browser, "/dashboard/import", { file }, { origin: "https://evil.example", secFetchSite: "cross-site" })).status).toBe(403);
    expect(await membersOf(company.id)).toEqual([]);
  });
});
