import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, getJson, ORIGIN, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

// A JSON body with a key written twice in one object: JSON.parse would keep the last value, so the
// admin API refuses it (invalid_request, "path: Sent more than once") before the route does
// anything. The path is written as in validation messages ("members.1.email").

type Company = Awaited<ReturnType<typeof seedCompany>>;

/** A company with a reward, a member with points and an earning rule, and an admin key. */
async function seeded() {
  const company = await seedCompany({ rewards: [{ id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "2001" }, { id: "cake", title: "Free cake", pointsRequired: 900, productId: "2003" }] });
  const key = await adminKey(company.id);
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith", email: "john@example.com", openingPoints: 1000 });
  const rule = await admin(key, "POST", "/earning-rules", { kind: "product_multiplier", target_id: "7", multiplier: 3 });
  expect(rule.status).toBe(201);
  return { company, key, memberId };
}

/** Everything of the company in the database (an API key's last use aside, which any call may touch). */
async function everything(company: Company) {
  const of = (table: string, order: string) => db.all(sql.raw(`SELECT * FROM ${table} WHERE ${table === "companies" ? "id" : "company_id"} = '${company.id}' ORDER BY ${order}`));
  return {
    company: await of("companies", "id"),
    members: await of("members", "id"),
    rewards: await of("rewards", "id"),
    ledger: await of("points_ledger", "id"),
    rules: await of("earning_rules", "id"),
    keys: (await of("api_keys", "id")).map((k) => ({ ...(k as Record<string, unknown>), last_used_at: undefined })),
  };
}

function send(key: string | null, method: string, path: string, body: string, contentType = "application/json") {
  const headers: Record<string, string> = { "content-type": contentType };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return getJson(`${ORIGIN}/admin/v1${path}`, { method, headers, body });
}

const refused = (message: string) => ({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });

describe("admin API: a JSON key sent twice", () => {
  it("POST /rewards with the title twice: 400, and no reward is created", async () => {
    const { company, key } = await seeded();
    const before = await everything(company);
    const listed = await admin(key, "GET", "/rewards");

    const res = await send(key, "POST", "/rewards", '{"kind":"amount_off","title":"$5 off","title":"$50 off","points_required":1000,"amount_cents":500}');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message: "title: Sent more than once", request_id: expect.stringMatching(requestId) } });
    expect(await everything(company)).toEqual(before);
    expect((await admin(key, "GET", "/rewards")).body).toEqual(listed.body);
  });

  it("the same body with the title once is created (the body is still read after the check)", async () => {
    const { key } = await seeded();
    const res = await send(key, "POST", "/rewards", '{"kind":"amount_off","title":"$5 off","points_required":1000,"amount_cents":500}');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: "amount_off", title: "$5 off", points_required: 1000, amount_cents: 500 });
  });

  // Every admin route with a JSON body: each refused, nothing of the company changed.
  const routes: [string, (s: Awaited<ReturnType<typeof seeded>>) => [string, string, string], string][] = [
    ["POST /api-keys", () => ["POST", "/api-keys", '{"name":"Back office","name":"Till"}'], "name: Sent more than once"],
    ["POST /members", () => ["POST", "/members", '{"first_name":"Ann","email":"ann@example.com","email":"bob@example.com"}'], "email: Sent more than once"],
    ["PATCH /members/{id}", (s) => ["PATCH", `/members/${s.memberId}`, '{"last_name":"Jones","last_name":"Brown"}'], "last_name: Sent more than once"],
    [
      "POST /members/import, in the second row",
      () => ["POST", "/members/import", '{"members":[{"first_name":"Ann","email":"ann@example.com"},{"first_name":"Bob","email":"bob@example.com","email":"rob@example.com"}]}'],
      "members.1.email: Sent more than once",
    ],
    ["POST /members/import, members twice", () => ["POST", "/members/import", '{"members":[],"members":[{"first_name":"Ann","email":"ann@example.com"}]}'], "members: Sent more than once"],
    ["POST /members/{id}/adjustments", (s) => ["POST", `/members/${s.memberId}/adjustments`, '{"points":10,"reason":"Birthday","points":-1000}'], "points: Sent more than once"],
    ["POST /rewards", () => ["POST", "/rewards", '{"kind":"free_product","title":"Tea","points_required":100,"product_id":"2","product_id":"3"}'], "product_id: Sent more than once"],
    ["PATCH /rewards/{id}", (s) => ["PATCH", `/rewards/${s.company.rewardId("coffee")}`, '{"points_required":1,"title":"Coffee","points_required":5}'], "points_required: Sent more than once"],
    ["PUT /rewards/order", (s) => ["PUT", "/rewards/order", `{"ids":["${s.company.rewardId("coffee")}","${s.company.rewardId("cake")}"],"ids":["${s.company.rewardId("cake")}","${s.company.rewardId("coffee")}"]}`], "ids: Sent more than once"],
    ["PATCH /settings", () => ["PATCH", "/settings", '{"currency":"NZD","point_value_cents":5,"currency":"AUD"}'], "currency: Sent more than once"],
    ["POST /earning-rules", () => ["POST", "/earning-rules", '{"kind":"product_multiplier","target_id":"8","multiplier":2,"multiplier":20}'], "multiplier: Sent more than once"],
  ];

  it.each(routes)("%s: 400, nothing changed", async (_name, request, message) => {
    const s = await seeded();
    const before = await everything(s.company);
    const [method, path, body] = request(s);

    const res = await send(s.key, method, path, body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual(refused(message));
    expect(await everything(s.company)).toEqual(before);
  });

  it.each([
    ["a key written with a \\u escape", '{"kind":"amount_off","title":"A","\\u0074itle":"B","points_required":1000,"amount_cents":500}', "title: Sent more than once"],
    ["a body also invalid otherwise: the duplicate is told first", '{"title":5,"title":"x"}', "title: Sent more than once"],
    ["a key that is no identifier", '{"kind":"amount_off","a b":1,"a b":2,"title":"A","points_required":1000,"amount_cents":500}', "a b: Sent more than once"],
    ["a key with a line break: the message stays one line", '{"kind":"amount_off","a\\nb":1,"a\\u000ab":2}', "a\\u000ab: Sent more than once"],
  ])("%s", async (_name, body, message) => {
    const { company, key } = await seeded();
    const before = await everything(company);
    const res = await send(key, "POST", "/rewards", body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(refused(message));
    expect(await everything(company)).toEqual(before);
  });

  it.each(["application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"])("content type %s: refused the same", async (type) => {
    const { company, key } = await seeded();
    const before = await everything(company);
    const res = await send(key, "PATCH", "/settings", '{"currency":"NZD","currency":"AUD"}', type);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(refused("currency: Sent more than once"));
    expect(await everything(company)).toEqual(before);
  });

  it("the same key in each row of an import is not a duplicate", async () => {
    const { company, key } = await seeded();
    const res = await send(key, "POST", "/members/import", '{"members":[{"first_name":"Ann","email":"ann@example.com"},{"first_name":"Bob","email":"bob@example.com"}]}');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 2, updated: 0, rejected: 0 });
    expect((await everything(company)).members).toHaveLength(3);
  });

  it("without an API key: 401 first, the body unread", async () => {
    const res = await send(null, "POST", "/rewards", '{"title":"A","title":"B"}');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("malformed JSON is still told as before", async () => {
    const { key } = await seeded();
    const res = await send(key, "POST", "/rewards", '{"title":"A","title":"B"');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(refused("The request could not be read"));
  });

  it("a CSV import is not JSON, and is read as before", async () => {
    const { key } = await seeded();
    const res = await send(key, "POST", "/members/import", "first_name,email\nAnn,ann@example.com\n", "text/csv");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1 });
  });
});
