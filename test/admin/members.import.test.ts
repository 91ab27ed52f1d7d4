import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { csvObjects, CsvError, parseCsv } from "../../src/loyalty/members/csv";
import { db, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

function importCsv(key: string, csv: string) {
  return getJson(`${ORIGIN}/admin/v1/members/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "text/csv; charset=utf-8" },
    body: csv,
  });
}

async function memberCount(companyId: string): Promise<number> {
  const [row] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM members WHERE company_id = ${companyId}`);
  return row!.n;
}

function d1Timing(res: Response) {
  const desc = /d1;[^,]*desc="round_trips=(\d+) queries=(\d+) rows_read=(\d+)/.exec(res.headers.get("server-timing") ?? "");
  return { roundTrips: Number(desc![1]), queries: Number(desc![2]), rowsRead: Number(desc![3]) };
}

describe("CSV reader", () => {
  it.each([
    ["plain LF", "a,b\n1,2\n", [["a", "b"], ["1", "2"]]],
    ["CRLF, no final line end", "a,b\r\n1,2", [["a", "b"], ["1", "2"]]],
    ["old Mac CR", "a,b\r1,2\r", [["a", "b"], ["1", "2"]]],
    ["quoted comma", 'name,x\n"Smith, John",2\n', [["name", "x"], ["Smith, John", "2"]]],
    ["doubled quotes", '"say ""hi""",b\n', [['say "hi"', "b"]]],
    ["line break inside quotes", '"two\r\nlines",b\r\n', [["two\r\nlines", "b"]]],
    ["empty fields and empty quoted", 'a,,""\n', [["a", "", ""]]],
    ["blank lines skipped", "a\n\n\r\nb\n", [["a"], ["b"]]],
    ["byte-order mark", "\ufefffirst_name\nAnn\n", [["first_name"], ["Ann"]]],
    ["a trailing empty field", "a,\n", [["a", ""]]],
  ])("%s", (_name, text, records) => {
    expect(parseCsv(text)).toEqual(records);
  });

  it.each([
    ["an unclosed quote", '"abc\n', "a quoted field is not closed"],
    ["text after a closing quote", 'a\n"ab"c,d\n', "line 2: text after a closing quote"],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parseCsv(text)).toThrow(new CsvError(message));
  });

  it("maps records to the header's columns and marks short rows", () => {
    const { rows } = csvObjects(" First_Name ,email\nAnn,a@x.co\nBob\n", ["first_name", "email"]);
    expect(rows).toEqual([{ first_name: "Ann", email: "a@x.co" }, { fieldCount: 1 }]);
    expect(() => csvObjects("first_name,points\n", ["first_name"])).toThrow('unknown column "points" (columns: first_name)');
    expect(() => csvObjects("", ["first_name"])).toThrow("the CSV is empty: send a header row first");
  });
});

describe("member import", () => {
  it("imports 10,000 members in a few D1 round trips, reports every row, and a re-run creates nothing", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const byEmail = await company.addMember({ firstName: "Existing", lastName: "Old", email: "m5@example.com" });
    const byCard = await company.addMember({ firstName: "Carded", cardNumber: "C6" });
    const a = await company.addMember({ firstName: "A", email: "m7@example.com" });
    const b = await company.addMember({ firstName: "B", cardNumber: "C7" });

    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const n = i + 1;
      return { first_name: `Member${n}`, last_name: `Family${n % 97}`, email: `m${n}@example.com`, phone: `04${String(n).padStart(8, "0")}`, card_number: `C${n}` };
    });
    rows[4] = { first_name: "Existing", last_name: "New", email: "M5@Example.com" } as never;
    rows[5] = { first_name: "Carded", card_number: "C6" } as never;
    rows[6] = { first_name: "Both", email: "m7@example.com", card_number: "C7" } as never;
    rows[7] = { first_name: "Bad", email: "not-an-email" } as never;
    rows[8] = { last_name: "Nameless", email: "m9@example.com" } as never;

    const first = await admin(key, "POST", "/members/import", { members: rows });

    expect(first.status).toBe(200);
    expect({ ...first.body, rows: undefined }).toEqual({ created: 9995, updated: 1, unchanged: 1, rejected: 3, rows: undefined });
    expect(first.body.rows).toHaveLength(10_000);
    expect(first.body.rows.slice(3, 10)).toEqual([
      { row: 4, status: "created", id: expect.stringMatching(/^mem_/) },
      { row: 5, status: "updated", id: byEmail },
      { row: 6, status: "unchanged", id: byCard },
      { row: 7, status: "rejected", reason: `matches more than one member: ${a} by email, ${b} by card_number` },
      { row: 8, status: "rejected", reason: "email: Invalid email address" },
      { row: 9, status: "rejected", reason: "first_name: Invalid input: expected string, received undefined" },
      { row: 10, status: "created", id: expect.stringMatching(/^mem_/) },
    ]);
    expect(first.body.rows.map((r: { row: number }) => r.row)).toEqual(rows.map((_, i) => i + 1));
    const createdIds = first.body.rows.filter((r: { status: string }) => r.status === "created").map((r: { id: string }) => r.id);
    expect(new Set(createdIds).size).toBe(9995);
    expect(await memberCount(company.id)).toBe(4 + 9995);
    const timing = d1Timing(first.res);
    // Key check + country code + one read batch + one write batch (+ the key's last-used write).
    expect(timing.roundTrips).toBeLessThanOrEqual(5);
    expect(timing.queries).toBeLessThan(150);
    // Rows read follow the rows imported (index lookups), never company size times rows.
    expect(timing.rowsRead).toBeLessThan(20 * 10_000);

    // What was written is what the POS finds.
    const row10 = first.body.rows[9].id;
    const found = await getJson(kountaUrl("customer-search", { keyword: "0400000010", company_id: company.id }));
    expect(Object.keys(found.body.members)).toEqual([row10]);
    const member = await admin(key, "GET", `/members/${row10}`);
    expect(member.body).toMatchObject({ first_name: "Member10", last_name: "Family10", email: "m10@example.com", phone: "0400000010", card_number: "C10", points: 0, status: "active" });
    expect((await admin(key, "GET", `/members/${byEmail}`)).body).toMatchObject({ first_name: "Existing", last_name: "New", email: "m5@example.com" });

    const again = await admin(key, "POST", "/members/import", { members: rows });

    expect(again.status).toBe(200);
    expect({ ...again.body, rows: undefined }).toEqual({ created: 0, updated: 0, unchanged: 9997, rejected: 3, rows: undefined });
    expect(again.body.rows[9]).toEqual({ row: 10, status: "unchanged", id: row10 });
    expect(again.body.rows[4]).toEqual({ row: 5, status: "unchanged", id: byEmail });
    expect(await memberCount(company.id)).toBe(4 + 9995);
    expect(d1Timing(again.res).rowsRead).toBeLessThan(20 * 10_000);

    // Every member changed at once: updated in place, and the POS cards (warm in KV) follow, the
    // first changed member's and the last's (more than one request could drop card by card).
    const lookup = (id: string) => getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: id, order_id: "111" }));
    const last = first.body.rows[9999].id;
    expect((await lookup(row10)).body.member.last_name).toBe("Family10");
    expect((await lookup(last)).body.member.last_name).toBe(`Family${10_000 % 97}`);
    expect((await lookup(last)).res.headers.get("server-timing")).toMatch(/kv;dur=[\d.]+;desc="memory"/);
    const moved = await admin(key, "POST", "/members/import", { members: rows.map((r) => ({ ...r, last_name: "Moved" })) });
    expect({ ...moved.body, rows: undefined }).toEqual({ created: 0, updated: 9997, unchanged: 0, rejected: 3, rows: undefined });
    expect(d1Timing(moved.res).rowsRead).toBeLessThan(20 * 10_000);
    expect((await lookup(row10)).body.member.last_name).toBe("Moved");
    expect((await lookup(last)).body.member.last_name).toBe("Moved");
    expect(await memberCount(company.id)).toBe(4 + 9995);
  }, 120_000);

  it("imports CSV with quotes and CRLF, matching by phone in any format", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const byPhone = await company.addMember({ firstName: "Phoned", phone: "+61 412 345 678" });
    const csv = [
      "first_name,last_name,email,phone,card_number",
      '"Smith, John","O\'Brien",john@example.com,,',
      'Phoned,"Renamed ""P""",,0412 345 678,',
      "Short,row",
      ",,,,",
      "Ann,,ann@example.com,,A-1",
    ].join("\r\n");

    const res = await importCsv(key, csv);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      created: 2,
      updated: 1,
      unchanged: 0,
      rejected: 2,
      rows: [
        { row: 1, status: "created", id: expect.stringMatching(/^mem_/) },
        { row: 2, status: "updated", id: byPhone },
        { row: 3, status: "rejected", reason: "has 2 fields, the header has 5" },
        { row: 4, status: "rejected", reason: "first_name: Invalid input: expected string, received undefined" },
        { row: 5, status: "created", id: expect.stringMatching(/^mem_/) },
      ],
    });
    expect((await admin(key, "GET", `/members/${res.body.rows[0].id}`)).body).toMatchObject({ first_name: "Smith, John", last_name: "O'Brien", email: "john@example.com", phone: null });
    // An empty cell keeps what the member had.
    expect((await admin(key, "GET", `/members/${byPhone}`)).body).toMatchObject({ first_name: "Phoned", last_name: 'Renamed "P"', phone: "0412 345 678" });
  });

  it("matches a card number however it is written, and stores it one way", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const carded = await company.addMember({ firstName: "Carded", cardNumber: "100 200 300" });

    const res = await admin(key, "POST", "/members/import", { members: [{ first_name: "Carded", card_number: "100-200-300" }, { first_name: "Lower", card_number: "ab 12" }] });

    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([
      { row: 1, status: "unchanged", id: carded },
      { row: 2, status: "created", id: expect.stringMatching(/^mem_/) },
    ]);
    expect(await memberCount(company.id)).toBe(2);
    expect((await admin(key, "GET", `/members/${carded}`)).body.card_number).toBe("100200300");
    expect((await admin(key, "GET", `/members/${res.body.rows[1].id}`)).body.card_number).toBe("AB12");
  });

  it("a later row may update the member an earlier row of the same import created", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "POST", "/members/import", {
      members: [
        { first_name: "Ann", email: "ann@example.com" },
        { first_name: "Ann", email: "ANN@example.com", card_number: "77" },
        { first_name: "Ann", card_number: "77" },
      ],
    });
    const id = res.body.rows[0].id;
    expect(res.body.rows).toEqual([
      { row: 1, status: "created", id },
      { row: 2, status: "updated", id },
      { row: 3, status: "unchanged", id },
    ]);
    expect((await admin(key, "GET", `/members/${id}`)).body).toMatchObject({ email: "ann@example.com", card_number: "77" });
    expect(await memberCount(company.id)).toBe(1);
  });

  it("two members sharing a phone make a phone-only row ambiguous", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const one = await company.addMember({ firstName: "Parent", phone: "0400 111 222" });
    const two = await company.addMember({ firstName: "Child", phone: "0400111222" });
    const res = await admin(key, "POST", "/members/import", { members: [{ first_name: "Who", phone: "+61400111222" }] });
    expect(res.body.rows).toEqual([{ row: 1, status: "rejected", reason: `matches more than one member: ${one} by phone, ${two} by phone` }]);
  });

  it.each([
    ["no members", {}, "members: Invalid input: expected array, received undefined"],
    ["members not a list", { members: "x" }, "members: Invalid input: expected array, received string"],
    ["over 10,000 rows", { members: Array.from({ length: 10_001 }, () => ({})) }, "members: Too big: expected array to have <=10000 items"],
  ])("refuses %s as a whole", async (_name, body, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "POST", "/members/import", body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect(await memberCount(company.id)).toBe(0);
  });

  it("refuses a body that is neither JSON nor CSV", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await getJson(`${ORIGIN}/admin/v1/members/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" },
      body: "first_name\nAnn\n",
    });
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: "unsupported_media_type" });
    expect(await memberCount(company.id)).toBe(0);
  });

  it.each([
    ["an unknown column", "first_name,points\nAnn,5\n", 'CSV: unknown column "points" (columns: first_name, last_name, email, phone, card_number)'],
    ["an unclosed quote", 'first_name,email\n"Ann,a@b.co\n', "CSV: a quoted field is not closed"],
    ["no header", "", "CSV: the CSV is empty: send a header row first"],
  ])("refuses a CSV with %s", async (_name, csv, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await importCsv(key, csv);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "invalid_request", message, request_id: expect.stringMatching(requestId) });
  });
});
