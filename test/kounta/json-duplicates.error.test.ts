import { describe, expect, it } from "vitest";
import { getJson, kountaUrl, seedCompany } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// The POS routes' JSON bodies (src/kounta/params.ts): a key written twice in one object is refused
// like a parameter sent twice ("<key> was sent more than once"), whatever its values: JSON.parse
// would keep the last one silently.

const json = (body: string) => ({ method: "POST", headers: { "content-type": "application/json" }, body });

describe("customer search: a JSON key sent twice", () => {
  it.each([
    ["the keyword, two values", (c: string) => `{"keyword":"john","company_id":${c},"keyword":"mary"}`, "keyword was sent more than once"],
    ["the keyword, the same value", (c: string) => `{"keyword":"john","company_id":${c},"keyword":"john"}`, "keyword was sent more than once"],
    ["the company, as a number and a string", (c: string) => `{"keyword":"john","company_id":${c},"company_id":"${c}"}`, "company_id was sent more than once"],
    ["the keyword, written with a \\u escape", (c: string) => `{"keyword":"john","company_id":${c},"\\u006beyword":"mary"}`, "keyword was sent more than once"],
    ["a parameter we do not read", (c: string) => `{"keyword":"john","company_id":${c},"orgid":"1","orgid":"2"}`, "orgid was sent more than once"],
    ["inside a value we do not read", (c: string) => `{"keyword":"john","company_id":${c},"extra":[{"a":1},{"a":1,"a":2}]}`, "extra[1].a was sent more than once"],
  ])("%s: 400 {error}", async (_name, body, error) => {
    const company = await seedCompany();
    await company.addMember({ firstName: "John" });
    await company.addMember({ firstName: "Mary" });
    const res = await getJson(kountaUrl("customer-search"), json(body(company.id)));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error });
  });

  it("each key once: found as before", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John" });
    const res = await getJson(kountaUrl("customer-search"), json(`{"keyword":"john","company_id":${company.id},"extra":[{"a":1},{"a":2}]}`));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });

  it("a key in the query and once in the body is not a JSON duplicate: the same value is taken", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John" });
    const same = await getJson(kountaUrl("customer-search", { keyword: "john" }), json(`{"keyword":"john","company_id":${company.id}}`));
    expect(same.status).toBe(200);
    expect(Object.keys(same.body.members)).toEqual([id]);
    const different = await getJson(kountaUrl("customer-search", { keyword: "mary" }), json(`{"keyword":"john","company_id":${company.id}}`));
    expect(different.status).toBe(400);
    expect(different.body).toEqual({ error: "keyword was sent more than once with different values" });
  });
});

describe("reward lookup: a JSON key sent twice", () => {
  it("reference_id twice: 400 {error}", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John" });
    const res = await getJson(
      kountaUrl("reward-lookup"),
      json(`{"company_id":"${company.id}","reference_id":"${id}","order_id":"111","reference_id":"mem_someone_else"}`),
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "reference_id was sent more than once" });
  });
});

describe("redemption: a JSON key sent twice", () => {
  it("order_id twice: 200 {success:false}, nothing debited, no ledger row, Kounta never called", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9201");
    const ledger = await ledgerOf(s);

    const res = await getJson(url, json('{"order_id":"9201","order_id":"9202"}'));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: false, error: "order_id was sent more than once" });
    expect(await balanceOf(s)).toBe(1250);
    expect(await ledgerOf(s)).toEqual(ledger);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("the same value twice is refused too", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9203");
    expect(await redeem(url, json('{"order_id":"9203","order_id":"9203"}'))).toEqual({ success: false, error: "order_id was sent more than once" });
    expect(await balanceOf(s)).toBe(1250);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("order_id once in the body redeems", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9204");
    expect(await redeem(url, json('{"order_id":"9204"}'))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
  });
});
