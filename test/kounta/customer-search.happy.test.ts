import { describe, expect, it } from "vitest";
import { getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";

async function search(companyId: string, keyword: string) {
  const { status, body } = await getJson(
    kountaUrl("customer-search", { keyword, site_id: "123", company_id: companyId, order_id: "111" }),
  );
  expect(status).toBe(200);
  return body as { members: Record<string, Record<string, unknown>> };
}

describe("customer search: the contract's response shape", () => {
  it("answers the contract example with every field Kounta parses", async () => {
    const company = await seedCompany({ introText: "Welcome back!" });
    const id = await company.addMember({
      firstName: "John",
      lastName: "Smith",
      email: "John.Smith@Example.com",
      phone: "0412 345 678",
      cardNumber: "100200300",
      iconVersion: 3,
      openingPoints: 1250,
    });

    const body = await search(company.id, "John Smith");

    expect(body).toEqual({
      members: {
        [id]: {
          id,
          first_name: "John",
          last_name: "Smith",
          email_address: "john.smith@example.com",
          current_points: "1250",
          points_label: "Points",
          icon_url: `${ORIGIN}/icons/${company.id}/${id}?v=3`,
          intro_text: "Welcome back!",
          params: { Phone: "0412 345 678", Card: "100200300" },
        },
      },
    });
  });

  it("fills the defaults for a member enrolled by phone alone", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const id = await company.addMember({ firstName: "Ada", phone: "0400 111 222" });

    const body = await search(company.id, "Ada");

    // email_address is "" rather than missing; current_points is a string of digits; no icon_url,
    // no last_name and no intro_text keys at all.
    expect(body.members[id]).toEqual({
      id,
      first_name: "Ada",
      email_address: "",
      current_points: "0",
      points_label: "Beans",
      params: { Phone: "0400 111 222" },
    });
    expect(body.members[id]!.current_points).toMatch(/^\d+$/);
  });

  it("answers no match with an empty members object, not an error", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "John", lastName: "Smith" });
    expect(await search(company.id, "Nobody")).toEqual({ members: {} });
  });

  it("accepts POST with the parameters in a form body, a JSON body or the query string", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace", lastName: "Hopper" });
    const params = { keyword: "grace", company_id: company.id, site_id: "123", order_id: "111" };

    const form = await getJson(kountaUrl("customer-search"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString(),
    });
    const json = await getJson(kountaUrl("customer-search"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...params, company_id: Number(company.id) }),
    });
    const query = await getJson(kountaUrl("customer-search", params), { method: "POST" });

    for (const r of [form, json, query]) {
      expect(r.status).toBe(200);
      expect(Object.keys(r.body.members)).toEqual([id]);
    }
  });

  it("ignores parameters it does not know, as Kounta may add more", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Linus" });
    const { status, body } = await getJson(
      kountaUrl("customer-search", { keyword: "linus", company_id: company.id, orgid: "X", register_id: "9" }),
    );
    expect(status).toBe(200);
    expect(Object.keys(body.members)).toEqual([id]);
  });

  it("reports D1 time and rows read in Server-Timing", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Timing" });
    const { res } = await getJson(kountaUrl("customer-search", { keyword: "timing", company_id: company.id }));
    expect(res.headers.get("server-timing")).toMatch(/^d1;dur=[\d.]+;desc="round_trips=1 queries=2 rows_read=\d+ rows_written=0 session=replica primary_trips=0", total;dur=[\d.]+$/);
    const rowsRead = Number(/rows_read=(\d+)/.exec(res.headers.get("server-timing")!)![1]);
    expect(rowsRead).toBeGreaterThan(0);
  });
});

describe("customer search: what a cashier types finds the member", () => {
  const people = {
    john: { firstName: "John", lastName: "Smith", email: "john.smith@example.com", phone: "0412 345 678", cardNumber: "100200300" },
    jose: { firstName: "José", lastName: "Álvarez", email: "jose@cafe.es", phone: "+61 433 222 111" },
    zoe: { firstName: "Zoë", lastName: "Müller-Lüdenscheidt", email: null, phone: "(04) 9988 7766" },
    mary: { firstName: "Mary", lastName: "Johnson", email: "mary.j@example.org", cardNumber: "CARD-77-AB" },
  } as const;

  const cases: [string, (keyof typeof people)[]][] = [
    ["John Smith", ["john"]],
    ["Smith John", ["john"]],
    // A name's start matches too: "john" finds Mary Johnson (after John, see the ranking test).
    ["john", ["john", "mary"]],
    ["JOHN", ["john", "mary"]],
    ["john smith", ["john"]],
    ["smith", ["john"]],
    ["Jo", ["john", "jose", "mary"]],
    ["Sm", ["john"]],
    ["j smi", ["john"]],
    ["jose", ["jose"]],
    ["JOSÉ ÁLVAREZ", ["jose"]],
    ["alvarez", ["jose"]],
    ["zoe", ["zoe"]],
    ["Zoë Müller", ["zoe"]],
    ["muller ludenscheidt", ["zoe"]],
    ["john.smith@example.com", ["john"]],
    ["John.Smith@EXAMPLE.com", ["john"]],
    ["john.smith@", ["john"]],
    ["john.sm", ["john"]],
    ["mary.j@", ["mary"]],
    ["0412 345 678", ["john"]],
    ["0412345678", ["john"]],
    ["+61 412 345 678", ["john"]],
    ["+61412345678", ["john"]],
    ["61412345678", ["john"]],
    ["412 345 678", ["john"]],
    ["0412", ["john"]],
    ["0433 222 111", ["jose"]],
    ["+61 433 222 111", ["jose"]],
    ["0499887766", ["zoe"]],
    ["100200300", ["john"]],
    ["CARD-77-AB", ["mary"]],
    ["card77ab", ["mary"]],
    ["10020030", []],
    ["Smyth", []],
  ];

  it.each(cases)("%s", async (keyword, expected) => {
    const company = await seedCompany();
    const ids: Record<string, string> = {};
    for (const [key, person] of Object.entries(people)) ids[key] = await company.addMember(person);
    const body = await search(company.id, keyword);
    expect(Object.keys(body.members).sort()).toEqual(expected.map((k) => ids[k]).sort());
  });

  it("puts whole-word matches before prefix matches and returns at most 20", async () => {
    const company = await seedCompany();
    const prefixOnly: string[] = [];
    for (let i = 0; i < 25; i++) prefixOnly.push(await company.addMember({ firstName: "Annabel", lastName: `Test${i}` }));
    const exact = await company.addMember({ firstName: "Ann", lastName: "Zed" });

    const body = await search(company.id, "ann");

    const ids = Object.keys(body.members);
    expect(ids).toHaveLength(20);
    expect(ids[0]).toBe(exact);
    expect(ids.slice(1).every((id) => prefixOnly.includes(id))).toBe(true);
  });

  it("answers a whole email, phone or card number with its member alone; its start also finds longer ones", async () => {
    const company = await seedCompany();
    const short = await company.addMember({ firstName: "Ann", lastName: "Short", email: "ann@cafe.com", phone: "0412 345 67", cardNumber: "5500" });
    const long = await company.addMember({ firstName: "Bob", lastName: "Long", email: "ann@cafe.com.au", phone: "0412 345 678", cardNumber: "55001" });
    const found = async (keyword: string) => Object.keys((await search(company.id, keyword)).members).sort();

    // Whole: the member it belongs to, not the members whose number merely starts with it.
    expect(await found("ann@cafe.com")).toEqual([short]);
    expect(await found("0412 345 67")).toEqual([short]);
    expect(await found("55001")).toEqual([long]);
    // A few digits are the start of a phone number: a card that is exactly them comes first, then
    // the phones that start so.
    const carded = await company.addMember({ firstName: "Cara", lastName: "Card", cardNumber: "0412" });
    expect(await found("0412")).toEqual([carded, short, long].sort());
    // A start that is nobody's whole email or number finds every member it starts.
    expect(await found("ann@cafe.co")).toEqual([short, long].sort());
    // An email's start that is also someone's name: the name, and the emails that start so.
    const named = await company.addMember({ firstName: "Ann", lastName: "Named", email: "other@example.com" });
    expect(await found("ann@")).toEqual([named, short, long].sort());
    expect(await found("0412 345")).toEqual([short, long].sort());
    // A name keeps filling the page with prefixes after whole words ("bob" also finds "Bobby").
    const bobby = await company.addMember({ firstName: "Bobby", lastName: "Other" });
    expect(await found("bob")).toEqual([long, bobby].sort());
  });

  it("does not find a deactivated member", async () => {
    const company = await seedCompany();
    const { db } = await import("../harness");
    const { members } = await import("../../src/storage/schema");
    const { eq } = await import("drizzle-orm");
    const id = await company.addMember({ firstName: "Gone", lastName: "Away" });
    await db.update(members).set({ status: "inactive", searchTerms: "" }).where(eq(members.id, id));
    expect(await search(company.id, "gone")).toEqual({ members: {} });
  });
});

describe("customer search: order_id", () => {
  it("ignores the order placeholder it does not use, whatever it holds", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Placeholder" });
    for (const order_id of ["{order_id}", "x".repeat(300), ""]) {
      const res = await getJson(kountaUrl("customer-search", { keyword: "placeholder", company_id: company.id, order_id }));
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.members)).toEqual([id]);
    }
  });
});
