import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { ADDON_KEY, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// How the POS's parameters are read from a POST body (src/kounta/params.ts): bodies the runtime
// cannot parse answer in Kounta's shape, an empty body is no parameters, media types in any case.

const unreadable = "The request body could not be read.";

const garbage: [string, string, string][] = [
  ["multipart without a boundary", "multipart/form-data", "keyword=john"],
  ["multipart not in the form its boundary says", "multipart/form-data; boundary=XyZ", "this is not multipart at all"],
  ["multipart cut off after its first part", "multipart/form-data; boundary=XyZ", '--XyZ\r\nContent-Disposition: form-data; name="keyword"\r\n\r\njohn'],
];

/** A multipart body the way a client writes one, with the given Content-Type. */
function multipart(params: Record<string, string>, contentType = "multipart/form-data; boundary=B0undary") {
  const parts = Object.entries(params).map(([name, value]) => `--B0undary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return { method: "POST", headers: { "content-type": contentType }, body: `${parts.join("")}--B0undary--\r\n` };
}

let errors: MockInstance<typeof console.error> | undefined;

function watchErrorLog() {
  errors = vi.spyOn(console, "error");
}

afterEach(() => {
  errors?.mockRestore();
});

/** No "unhandled error" line: the request was answered on purpose, not by the catch-all. */
function expectNoUnhandledError() {
  const lines = errors!.mock.calls.map((args) => String(args[0]));
  expect(lines.filter((line) => line.includes("unhandled error"))).toEqual([]);
}

describe("a POST body the runtime cannot parse", () => {
  // The URL of each POS read, for a company with one member.
  const reads: [string, (companyId: string, memberId: string) => string][] = [
    ["customer search", (companyId) => kountaUrl("customer-search", { keyword: "john", company_id: companyId })],
    ["reward lookup", (companyId, memberId) => kountaUrl("reward-lookup", { company_id: companyId, reference_id: memberId, order_id: "111" })],
  ];

  it.each(reads.flatMap(([read, url]) => garbage.map(([name, type, body]) => [read, name, url, type, body] as const)))(
    "%s: %s answers 400 {error}",
    async (_read, _name, url, type, body) => {
      watchErrorLog();
      const company = await seedCompany();
      const id = await company.addMember({ firstName: "John" });
      const res = await getJson(url(company.id, id), { method: "POST", headers: { "content-type": type }, body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: unreadable });
      expectNoUnhandledError();
    },
  );

  it.each(garbage)("redemption: %s answers 200 {success:false} and takes no points", async (_name, type, body) => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9101");
    watchErrorLog();
    expect(await redeem(url, { method: "POST", headers: { "content-type": type }, body })).toEqual({ success: false, error: unreadable });
    expectNoUnhandledError();
    expect(await balanceOf(s)).toBe(1250);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });
});

describe("a POST with an empty body: the parameters are in the query string", () => {
  const empties: [string, string, string][] = [
    ["JSON, empty", "application/json", ""],
    ["JSON, white space only", "application/json; charset=utf-8", " \r\n\t "],
    ["multipart, empty", "multipart/form-data; boundary=XyZ", ""],
    ["form, empty", "application/x-www-form-urlencoded", ""],
  ];

  it.each(empties)("customer search: %s", async (_name, type, body) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace" });
    const res = await getJson(kountaUrl("customer-search", { keyword: "grace", company_id: company.id }), {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });

  it.each(empties)("reward lookup: %s", async (_name, type, body) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace", openingPoints: 40 });
    const res = await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: id, order_id: "111" }), {
      method: "POST",
      headers: { "content-type": type },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ id, current_points: "40" });
  });

  it("redemption: an empty JSON body redeems from the signed URL alone", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9102");
    expect(await redeem(url, { method: "POST", headers: { "content-type": "application/json" }, body: "" })).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
  });

  it("a body that is not empty is still read: malformed JSON is refused", async () => {
    const company = await seedCompany();
    const res = await getJson(kountaUrl("customer-search", { keyword: "grace", company_id: company.id }), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: " x ",
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "The request body is not valid JSON" });
  });
});

describe("the body's media type is compared without regard to case", () => {
  it.each([
    ["Application/JSON; charset=utf-8", (p: Record<string, string>) => ({ body: JSON.stringify(p) })],
    ["APPLICATION/JSON", (p: Record<string, string>) => ({ body: JSON.stringify(p) })],
    ["Application/X-WWW-Form-Urlencoded; Charset=UTF-8", (p: Record<string, string>) => ({ body: new URLSearchParams(p).toString() })],
    ["Multipart/Form-Data; boundary=B0undary", (p: Record<string, string>) => ({ body: multipart(p).body })],
  ])("%s", async (type, encode) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace" });
    const res = await getJson(kountaUrl("customer-search"), {
      method: "POST",
      headers: { "content-type": type },
      ...encode({ keyword: "grace", company_id: company.id }),
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });

  it("a multipart body in the usual lower case still works", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace" });
    const res = await getJson(kountaUrl("customer-search"), multipart({ keyword: "grace", company_id: company.id }));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });
});

describe("the query string is decoded as a form: + and %20 are spaces, escapes are UTF-8", () => {
  /** A search URL with the query string written out by hand, as a POS or a proxy may send it. */
  const rawSearch = (companyId: string, keyword: string) => `${ORIGIN}/kounta/${ADDON_KEY}/customer-search?company_id=${companyId}&keyword=${keyword}`;

  it.each([
    ["a plus", "grace+hopper"],
    ["%20", "grace%20hopper"],
    ["escaped letters", "%47race%20Hopper"],
  ])("a space written as %s", async (_name, keyword) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace", lastName: "Hopper" });
    await company.addMember({ firstName: "Grace", lastName: "Kelly" });
    const res = await getJson(rawSearch(company.id, keyword));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });

  it("an accent escaped as UTF-8 (Zo%C3%AB) is the letter", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Zoë" });
    const res = await getJson(rawSearch(company.id, "Zo%C3%AB"));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
    expect(res.body.members[id].first_name).toBe("Zoë");
  });

  it.each(["%E9", "%zz", "100%", "%"])("a malformed escape (%s) finds nobody and is no error", async (keyword) => {
    watchErrorLog();
    const company = await seedCompany();
    await company.addMember({ firstName: "Grace" });
    const res = await getJson(rawSearch(company.id, keyword));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ members: {} });
    expectNoUnhandledError();
  });

  it("bytes that are not UTF-8 (caf%E9, Latin-1) are dropped: the rest is searched", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Jo", lastName: "Cafferty" });
    await company.addMember({ firstName: "Grace" });
    const res = await getJson(rawSearch(company.id, "caf%E9"));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });

  it("a fragment is not part of the query string", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace" });
    const res = await getJson(`${rawSearch(company.id, "grace")}#keyword=somebody-else`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });

  it("the same parameter twice with the same value is one parameter", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Grace" });
    const res = await getJson(`${rawSearch(company.id, "grace")}&keyword=grace&company_id=${company.id}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.members)).toEqual([id]);
  });
});
