import { describe, expect, it } from "vitest";
import { call, getJson, kountaUrl, seedCompany } from "../harness";

describe("customer search: bad input answers a clean {error} and a 4xx", () => {
  const cases: [string, (companyId: string) => string, number, string][] = [
    ["missing keyword", (c) => kountaUrl("customer-search", { company_id: c }), 400, "Type a name, email, phone or card number to search"],
    ["empty keyword", (c) => kountaUrl("customer-search", { keyword: "", company_id: c }), 400, "Type a name, email, phone or card number to search"],
    ["blank keyword", (c) => kountaUrl("customer-search", { keyword: "   ", company_id: c }), 400, "Type a name, email, phone or card number to search"],
    ["a 10 KB keyword", (c) => kountaUrl("customer-search", { keyword: "a".repeat(10_240), company_id: c }), 400, "The search text is too long (at most 100 characters)"],
    ["missing company_id", () => kountaUrl("customer-search", { keyword: "john" }), 400, "company_id is required"],
    ["non-numeric company_id", () => kountaUrl("customer-search", { keyword: "john", company_id: "abc" }), 400, "company_id must be a Kounta id (digits only)"],
    ["company_id with SQL", () => kountaUrl("customer-search", { keyword: "john", company_id: "1 OR 1=1" }), 400, "company_id must be a Kounta id (digits only)"],
    ["unknown company_id", () => kountaUrl("customer-search", { keyword: "john", company_id: "999999999" }), 404, "This business is not connected to the loyalty programme."],
    ["non-numeric site_id", (c) => kountaUrl("customer-search", { keyword: "john", company_id: c, site_id: "x" }), 400, "site_id must be a Kounta id (digits only)"],
    ["company_id sent twice with different values", (c) => `${kountaUrl("customer-search", { keyword: "john", company_id: c })}&company_id=1`, 400, "company_id was sent more than once with different values"],
    ["keyword sent twice with different values", (c) => `${kountaUrl("customer-search", { keyword: "john", company_id: c })}&keyword=mary`, 400, "keyword was sent more than once with different values"],
  ];

  it.each(cases)("%s", async (_name, url, status, error) => {
    const company = await seedCompany();
    await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: 10 });
    const res = await getJson(url(company.id));
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error });
    expect(res.res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("accepts the same parameter twice with the same value", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John" });
    const res = await getJson(`${kountaUrl("customer-search", { keyword: "john", company_id: company.id })}&company_id=${company.id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });

  // Every word typed must match, so syntax around "john" is just more words that match nobody.
  const syntax: [string, boolean][] = [
    [`"`, false], [`*`, false], [`(`, false], [`)`, false], [`:`, false], [`'`, false], [`;`, false], [`--`, false],
    [`" * ( ) : ' ; --`, false], [`john*`, true], [`-john`, true], [`^john`, true], [`"john"`, true], [`(john)`, true],
    [`john" OR "*`, false], [`NEAR(john smith)`, false], [`{first_name}: john`, false], [`'; DROP TABLE members; --`, false],
  ];

  it.each(syntax)("treats FTS and SQL syntax as plain text: %s", async (keyword, findsJohn) => {
    const company = await seedCompany();
    const john = await company.addMember({ firstName: "John", lastName: "Smith" });
    const res = await getJson(kountaUrl("customer-search", { keyword, company_id: company.id }));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual(findsJohn ? [john] : []);
  });

  it("finds a name written with a letter FTS5's tokenizer splits on, typed or stored", async () => {
    // U+19B0 and U+1CF2 are letters to JavaScript but word breaks to SQLite's unicode61 tables: a
    // token holding one would reach FTS5 as two words, a phrase, which detail=none refuses.
    const company = await seedCompany();
    const odd = await company.addMember({ firstName: "Ka\u19B0na", lastName: "Mo\u1CF2ri" });
    for (const keyword of ["Ka\u19B0na", "ka\u19B0", "Mo\u1CF2ri Ka\u19B0na", "a\u19B0b", "\u1CF2"]) {
      const res = await getJson(kountaUrl("customer-search", { keyword, company_id: company.id }));
      expect(res.status, keyword).toBe(200);
      expect(Object.keys(res.body.members), keyword).toEqual(keyword.startsWith("a") || keyword === "\u1CF2" ? [] : [odd]);
    }
  });

  it("refuses a malformed JSON body", async () => {
    const company = await seedCompany();
    const res = await getJson(kountaUrl("customer-search"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"keyword": "john", "company_id": ${company.id}`,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "The request body is not valid JSON" });
  });

  it("refuses a body over 16 KB", async () => {
    const company = await seedCompany();
    const res = await getJson(kountaUrl("customer-search"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ keyword: "x".repeat(20_000), company_id: company.id }).toString(),
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: "The request is too large." });
  });

  it("answers other methods with the plain 404", async () => {
    const company = await seedCompany();
    const res = await call(kountaUrl("customer-search", { keyword: "john", company_id: company.id }), { method: "DELETE" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Not found" });
  });
});
