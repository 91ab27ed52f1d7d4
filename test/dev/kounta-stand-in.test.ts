import { describe, expect, it } from "vitest";
import { createKountaStandIn, type KountaStandIn, type KountaStandInOptions } from "../../dev/kounta-stand-in/app.ts";

// The local Kounta REST API stand-in (dev/kounta-stand-in/), exercised through app.fetch like any client.

const BASE = "http://localhost:8788";
const T0 = Date.UTC(2026, 10, 1, 9, 30, 0);
const T0_WIRE = "2026-11-01T09:30:00+00:00";
const T0_ISO = "2026-11-01T09:30:00.000Z";
const DEMO_TOKEN = "dev-access-token-456";
const CLIENT = { client_id: "local-dev-client-id", client_secret: "local-dev-client-secret" };
const REDIRECT = "https://loyalty.test/kounta/oauth/callback";

interface CallOptions {
  token?: string;
  /** JSON body (sent with Content-Type: application/json). */
  json?: unknown;
  /** Form body (sent form-encoded). */
  form?: Record<string, string>;
  /** Raw body with its own content type. */
  raw?: { body: string; contentType?: string };
  /** Accept header; null sends none. */
  accept?: string | null;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** A stand-in with the demo company and a clock that stands still unless a test moves it. */
function standIn(options: KountaStandInOptions = {}) {
  const clock = { now: T0 };
  const s = createKountaStandIn({ seedDemo: true, now: () => clock.now, ...options });
  return { s, clock, call: (method: string, path: string, o?: CallOptions) => send(s, method, path, o) };
}

async function send(s: KountaStandIn, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers = new Headers(o.headers);
  if (o.accept !== null) headers.set("Accept", o.accept ?? "application/json");
  if (o.token) headers.set("Authorization", `Bearer ${o.token}`);
  let body: string | undefined;
  if (o.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(o.json);
  } else if (o.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(o.form).toString();
  } else if (o.raw) {
    if (o.raw.contentType) headers.set("Content-Type", o.raw.contentType);
    body = o.raw.body;
  }
  const res = await s.app.fetch(new Request(BASE + path, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** A fresh company of the test's own through the control API. */
async function newCompany(s: KountaStandIn, input: Record<string, unknown> = {}) {
  const res = await send(s, "POST", "/_stand-in/companies", { json: input });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; siteId: string; accessToken: string; refreshToken: string; accessTokenExpiresAt: number };
}

const expiredBody = { error: "invalid_token", error_description: "The access token provided has expired" };
const invalidTokenBody = { error: "invalid_token", error_description: "The access token provided is invalid" };

function openOrderBody(companyId: string, orderId: string, lineIds: [string, string], extra: Record<string, unknown> = {}) {
  return {
    id: Number(orderId),
    id_str: orderId,
    company_id: Number(companyId),
    status: "SUBMITTED",
    notes: "",
    customer_id: null,
    customer: null,
    register_id: Number(companyId === "456" ? "1231" : `${companyId}11`),
    site_id: Number(companyId === "456" ? "123" : `${companyId}1`),
    sale_number: 1001,
    lines: [
      { id: Number(lineIds[0]), id_str: lineIds[0], number: 1, product: { id: 2001, id_str: "2001", name: "Flat white" }, quantity: 2, unit_price: 4.5, unit_tax: 0.45, price_variation: 1, notes: "" },
      { id: Number(lineIds[1]), id_str: lineIds[1], number: 2, product: { id: 2002, id_str: "2002", name: "Banana bread" }, quantity: 1, unit_price: 5, unit_tax: 0.5, price_variation: 1, notes: "" },
    ],
    payments: [],
    total: 15.4,
    paid: 0,
    price_variation: 1,
    placed_at: T0_WIRE,
    created_at: T0_WIRE,
    updated_at: T0_WIRE,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------

describe("OAuth: authorize and the token endpoint", () => {
  async function authorize(call: ReturnType<typeof standIn>["call"], params: Record<string, string> = {}) {
    const qs = new URLSearchParams({ client_id: CLIENT.client_id, redirect_uri: REDIRECT, state: "st-1", response_type: "code", ...params });
    const res = await call("GET", `/authorize?${qs}`, { accept: null });
    return { res, location: new URL(res.headers.get("location") ?? "http://invalid/") };
  }

  it("auto-approves company 456 and trades the code once for tokens", async () => {
    const { call } = standIn();
    const { res, location } = await authorize(call);
    expect(res.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("st-1");
    const code = location.searchParams.get("code")!;
    expect(code).toMatch(/^code_[0-9a-f]{40}$/);

    const grant = { grant_type: "authorization_code", code, redirect_uri: REDIRECT, ...CLIENT };
    const first = await call("POST", "/v1/token", { form: grant });
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.body).toEqual({ access_token: expect.stringMatching(/^at_[0-9a-f]{40}$/), refresh_token: expect.stringMatching(/^rt_[0-9a-f]{40}$/), token_type: "bearer", expires_in: 3600 });

    const me = await call("GET", "/v1/companies/me", { token: first.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: 456, id_str: "456", name: "Demo Café", created_at: T0_WIRE, updated_at: T0_WIRE });

    // Single use.
    const again = await call("POST", "/v1/token", { form: grant });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: "invalid_grant", error_description: "The authorization code has already been used" });
  });

  it("picks the company from company_id, and answers access_denied when declined or unknown", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    const { location } = await authorize(call, { company_id: company.id });
    const token = await call("POST", "/v1/token.json", { form: { grant_type: "authorization_code", code: location.searchParams.get("code")!, redirect_uri: REDIRECT, ...CLIENT } });
    const me = await call("GET", "/v1/companies/me", { token: token.body.access_token });
    expect(me.body.id_str).toBe(company.id);

    const refusals: Record<string, string>[] = [{ approve: "no" }, { company_id: "999999" }];
    for (const params of refusals) {
      const denied = await authorize(call, params);
      expect(denied.res.status).toBe(302);
      expect(Object.fromEntries(denied.location.searchParams)).toEqual({ error: "access_denied", state: "st-1" });
    }
    const badType = await authorize(call, { response_type: "token" });
    expect(Object.fromEntries(badType.location.searchParams)).toEqual({ error: "unsupported_response_type", state: "st-1" });
    const badClient = await authorize(call, { client_id: "someone-else" });
    expect(badClient.res.status).toBe(400);
    expect(badClient.res.body).toEqual({ error: "invalid_client", error_description: "Unknown client_id" });
  });

  it("refuses a wrong client secret, a changed redirect_uri, an unknown code and other grants", async () => {
    const { call } = standIn();
    const { location } = await authorize(call);
    const code = location.searchParams.get("code")!;
    const cases: [Record<string, string>, number, unknown][] = [
      [{ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: CLIENT.client_id, client_secret: "wrong" }, 401, { error: "invalid_client", error_description: "Client authentication failed" }],
      [{ grant_type: "authorization_code", code, redirect_uri: `${REDIRECT}/other`, ...CLIENT }, 400, { error: "invalid_grant", error_description: "The redirect_uri does not match the one the code was issued for" }],
      [{ grant_type: "authorization_code", code: "code_nope", redirect_uri: REDIRECT, ...CLIENT }, 400, { error: "invalid_grant", error_description: "The authorization code is invalid" }],
      [{ grant_type: "authorization_code", redirect_uri: REDIRECT, ...CLIENT }, 400, { error: "invalid_request", error_description: "code is required" }],
      [{ grant_type: "password", ...CLIENT }, 400, { error: "unsupported_grant_type", error_description: "Grant type password is not supported" }],
      [{ ...CLIENT }, 400, { error: "invalid_request", error_description: "grant_type is required" }],
    ];
    for (const [form, status, body] of cases) {
      const res = await call("POST", "/v1/token", { form });
      expect({ status: res.status, body: res.body }).toEqual({ status, body });
    }
    // The failed attempts did not spend the code.
    const ok = await call("POST", "/v1/token", { form: { grant_type: "authorization_code", code, redirect_uri: REDIRECT, ...CLIENT } });
    expect(ok.status).toBe(200);
  });

  it("rotates refresh tokens: each refresh answers a new one and the old one is refused", async () => {
    const { call } = standIn();
    const first = await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456", ...CLIENT } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ access_token: expect.stringMatching(/^at_/), refresh_token: expect.stringMatching(/^rt_/), token_type: "bearer", expires_in: 3600 });
    expect(first.body.refresh_token).not.toBe("dev-refresh-token-456");

    const old = await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456", ...CLIENT } });
    expect(old.status).toBe(400);
    expect(old.body).toEqual({ error: "invalid_grant", error_description: "The refresh token is invalid" });

    const second = await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: first.body.refresh_token, ...CLIENT } });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);

    const wrongSecret = await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: second.body.refresh_token, client_id: CLIENT.client_id, client_secret: "nope" } });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed" });

    // Both access tokens still work until they expire.
    for (const token of [first.body.access_token, second.body.access_token]) {
      expect((await call("GET", "/v1/companies/me", { token })).status).toBe(200);
    }
  });

  it("accepts the client credentials as Basic auth on the token endpoint", async () => {
    const { call } = standIn();
    const res = await call("POST", "/v1/token", {
      form: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456" },
      headers: { Authorization: `Basic ${btoa(`${CLIENT.client_id}:${CLIENT.client_secret}`)}` },
    });
    expect(res.status).toBe(200);
  });

  it("wants the token request form-encoded and JSON negotiated", async () => {
    const { call } = standIn();
    const asJson = await call("POST", "/v1/token", { json: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456", ...CLIENT } });
    expect(asJson.status).toBe(400);
    expect(asJson.body).toEqual({ error: "invalid_request", error_description: "Send the token request form-encoded (Content-Type: application/x-www-form-urlencoded)" });
    const noAccept = await call("POST", "/v1/token", { accept: null, form: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456", ...CLIENT } });
    expect(noAccept.status).toBe(406);
    // The .json suffix is enough (as public clients do).
    const suffix = await call("POST", "/v1/token.json", { accept: null, form: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456", ...CLIENT } });
    expect(suffix.status).toBe(200);
  });
});

describe("authentication of API calls", () => {
  it("answers 401 for an unknown, an expired or a missing token", async () => {
    const { s, call, clock } = standIn();
    expect(await call("GET", "/v1/companies/me", { token: "nope" })).toMatchObject({ status: 401, body: invalidTokenBody });

    const company = await newCompany(s, { accessTokenExpiresIn: 60 });
    expect((await call("GET", "/v1/companies/me", { token: company.accessToken })).status).toBe(200);
    clock.now += 60_000;
    const expired = await call("GET", `/v1/companies/${company.id}/orders/1`, { token: company.accessToken });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(expiredBody);
    expect(expired.headers.get("www-authenticate")).toBe('Bearer realm="kounta", error="invalid_token"');

    const none = await call("GET", "/v1/companies/me");
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: "invalid_request", error_description: "Send Authorization: Bearer <access token>" });
  });

  it("lets a token reach its own company only", async () => {
    const { s, call } = standIn();
    const other = await newCompany(s);
    const res = await call("GET", `/v1/companies/${other.id}/orders/1`, { token: DEMO_TOKEN });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "forbidden", error_description: `This access token cannot reach company ${other.id}` });
  });

  it("takes Basic auth with the client id and secret for the developer's own company (456) only", async () => {
    const { s, call } = standIn();
    const basic = (secret: string) => ({ Authorization: `Basic ${btoa(`${CLIENT.client_id}:${secret}`)}` });
    const me = await call("GET", "/v1/companies/me", { headers: basic(CLIENT.client_secret) });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(456);
    const other = await newCompany(s);
    expect((await call("GET", `/v1/companies/${other.id}/customers/789`, { headers: basic(CLIENT.client_secret) })).status).toBe(403);
    const wrong = await call("GET", "/v1/companies/me", { headers: basic("wrong") });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: "invalid_client", error_description: "Client authentication failed" });
  });
});

describe("JSON in and out", () => {
  it("answers 406 unless the path ends in .json or Accept asks for application/json", async () => {
    const { call } = standIn();
    const want = { status: 406, body: { error: "not_acceptable", error_description: "Ask for JSON: end the path in .json or send Accept: application/json" } };
    for (const accept of [null, "*/*", "text/html"]) {
      const res = await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, accept });
      expect({ status: res.status, body: res.body }).toEqual(want);
    }
    expect((await call("GET", "/v1/companies/456/orders/111.json", { token: DEMO_TOKEN, accept: null })).status).toBe(200);
    const withAccept = await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, accept: "text/html, application/json;q=0.9" });
    expect(withAccept.status).toBe(200);
    expect(withAccept.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("answers 400 for a POST or PUT that is not JSON", async () => {
    const { call } = standIn();
    const path = "/v1/companies/456/orders/111/lines";
    const notJson = await call("POST", path, { token: DEMO_TOKEN, raw: { body: "product_id=2001", contentType: "application/x-www-form-urlencoded" } });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toEqual({ error: "invalid_request", error_description: "Send the body as JSON with Content-Type: application/json" });
    // A string body without a content type goes as text/plain.
    const noType = await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, raw: { body: '{"notes":"x"}' } });
    expect({ status: noType.status, body: noType.body }).toEqual({ status: 400, body: notJson.body });
    const broken = await call("POST", path, { token: DEMO_TOKEN, raw: { body: "{product_id:", contentType: "application/json; charset=utf-8" } });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ error: "invalid_request", error_description: "The body is not valid JSON" });
    const array = await call("POST", path, { token: DEMO_TOKEN, json: [] });
    expect(array.status).toBe(400);
    expect(array.body).toEqual({ error: "invalid_request", error_description: "The body must be a JSON object" });
  });

  it("writes ids as exact JSON numbers and as id_str", async () => {
    const { call } = standIn();
    const big = "9007199254740993"; // 2^53 + 1: a JSON parser in JavaScript rounds it
    const res = await call("GET", `/v1/companies/456/orders/${big}`, { token: DEMO_TOKEN });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`"id":${big},"id_str":"${big}"`);
    expect(res.body.id_str).toBe(big);
  });

  it("answers unknown paths with a JSON 404", async () => {
    const { call } = standIn();
    const res = await call("GET", "/v1/companies/456/unicorns", { token: DEMO_TOKEN });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "not_found", error_description: "No such resource: GET /v1/companies/456/unicorns" });
  });
});

describe("orders", () => {
  it("opens any order id on first use: SUBMITTED, the company's site, two demo lines", async () => {
    const { s, call } = standIn();
    const res = await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(openOrderBody("456", "111", ["100001", "100002"]));
    // Same order next time.
    expect((await call("GET", "/v1/companies/456/orders/111.json", { token: DEMO_TOKEN })).body).toEqual(res.body);

    const company = await newCompany(s);
    const theirs = await call("GET", `/v1/companies/${company.id}/orders/111`, { token: company.accessToken });
    expect(theirs.body).toEqual(openOrderBody(company.id, "111", [theirs.body.lines[0].id_str, theirs.body.lines[1].id_str]));
  });

  it("does not open an order id that is not all digits (such as an unreplaced placeholder)", async () => {
    const { call } = standIn();
    const res = await call("GET", `/v1/companies/456/orders/${encodeURIComponent("{order_id}")}`, { token: DEMO_TOKEN });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "not_found", error_description: "Order {order_id} does not exist" });
  });

  it("creates an order: 201, Location, empty body", async () => {
    const { call } = standIn();
    const res = await call("POST", "/v1/companies/456/orders", {
      token: DEMO_TOKEN,
      json: { notes: "table 4", customer_id: 789, lines: [{ product_id: 2003, quantity: 2 }], payments: [{ method_id: 2, amount: 13.2, ref: "card-1" }] },
    });
    expect(res.status).toBe(201);
    expect(res.text).toBe("");
    expect(res.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/orders/100001");

    const order = await call("GET", "/v1/companies/456/orders/100001", { token: DEMO_TOKEN });
    expect(order.body).toEqual({
      id: 100001, id_str: "100001", company_id: 456, status: "SUBMITTED", notes: "table 4", customer_id: 789,
      customer: {
        id: 789, id_str: "789", first_name: "John", last_name: "Smith", email: "john.smith@example.com", phone: "0412 345 678",
        reference_id: "mem_8f3k2", tags: [], image: null, created_at: T0_WIRE, updated_at: T0_WIRE,
      },
      register_id: 1231, site_id: 123, sale_number: 1001,
      lines: [{ id: 100002, id_str: "100002", number: 1, product: { id: 2003, id_str: "2003", name: "Slice of cake" }, quantity: 2, unit_price: 6, unit_tax: 0.6, price_variation: 1, notes: "" }],
      payments: [{ id: 100003, id_str: "100003", number: 1, method: { id: 2, id_str: "2", name: "Card" }, amount: 13.2, ref: "card-1", created_at: T0_WIRE }],
      total: 13.2, paid: 13.2, price_variation: 1, placed_at: T0_WIRE, created_at: T0_WIRE, updated_at: T0_WIRE,
    });
  });

  it("keeps the .json suffix style in Location", async () => {
    const { call } = standIn();
    const res = await call("POST", "/v1/companies/456/orders.json", { token: DEMO_TOKEN, accept: null, json: {} });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/orders/100001.json");
  });

  it("updates status, notes, customer_id and price_variation with PUT, answering the order", async () => {
    const { call, clock } = standIn();
    await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    clock.now += 5000;
    const res = await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { notes: "loyalty: mem_8f3k2", customer_id: "789", price_variation: 0.9, status: "ON_HOLD" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...openOrderBody("456", "111", ["100001", "100002"]),
      status: "ON_HOLD",
      notes: "loyalty: mem_8f3k2",
      customer_id: 789,
      customer: expect.objectContaining({ id: 789, reference_id: "mem_8f3k2" }),
      price_variation: 0.9,
      total: 13.86,
      updated_at: "2026-11-01T09:30:05+00:00",
    });

    const bad: [unknown, string][] = [
      [{ status: "DONE" }, "status must be one of SUBMITTED, ON_HOLD, PENDING, ACCEPTED, REJECTED, COMPLETE"],
      [{ customer_id: 4242 }, "Customer 4242 does not exist"],
      [{ price_variation: -1 }, "price_variation must be 0 or more (1 = no change, 0.9 = 10% off)"],
      [{ notes: 5 }, "notes must be a string"],
    ];
    for (const [json, description] of bad) {
      const r = await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json });
      expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { error: "invalid_request", error_description: description } });
    }
  });

  it("freezes a finished order's status and price_variation but not its notes", async () => {
    const { call } = standIn();
    await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status: "COMPLETE" } });
    const reopen = await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status: "SUBMITTED" } });
    expect(reopen.status).toBe(400);
    expect(reopen.body).toEqual({ error: "order_locked", error_description: "Order 111 is COMPLETE: its status can no longer change" });
    const pv = await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { price_variation: 0.5 } });
    expect(pv.body).toEqual({ error: "order_locked", error_description: "Order 111 is COMPLETE: its price_variation can no longer change" });
    const notes = await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { notes: "thanks" } });
    expect(notes.status).toBe(200);
    expect(notes.body.notes).toBe("thanks");
  });

  it("lists orders newest first, 25 a page, with X-Next-Page, filtered by status and time", async () => {
    const { s, call, clock } = standIn();
    for (let i = 1; i <= 30; i++) {
      await call("GET", `/v1/companies/456/orders/${i}`, { token: DEMO_TOKEN });
      clock.now += 1000;
    }
    await call("PUT", "/v1/companies/456/orders/3", { token: DEMO_TOKEN, json: { status: "COMPLETE" } });

    const first = await call("GET", "/v1/companies/456/orders?status=SUBMITTED,COMPLETE", { token: DEMO_TOKEN });
    expect(first.status).toBe(200);
    expect(first.body.map((o: { id: number }) => o.id)).toEqual(Array.from({ length: 25 }, (_, i) => 30 - i));
    expect(first.body[0]).toEqual({
      id: 30, id_str: "30", company_id: 456, status: "SUBMITTED", customer_id: null, register_id: 1231, site_id: 123, sale_number: 1030,
      total: 15.4, paid: 0, placed_at: "2026-11-01T09:30:29+00:00", created_at: "2026-11-01T09:30:29+00:00", updated_at: "2026-11-01T09:30:29+00:00",
    });
    const next = first.headers.get("x-next-page");
    expect(next).toBe("http://localhost:8788/v1/companies/456/orders?status=SUBMITTED%2CCOMPLETE&page=1");
    const second = await send(s, "GET", next!.slice(BASE.length), { token: DEMO_TOKEN });
    expect(second.body.map((o: { id: number }) => o.id)).toEqual([5, 4, 3, 2, 1]);
    expect(second.headers.get("x-next-page")).toBeNull();

    const complete = await call("GET", "/v1/companies/456/orders?status=COMPLETE", { token: DEMO_TOKEN });
    expect(complete.body.map((o: { id: number }) => o.id)).toEqual([3]);
    const recent = await call("GET", `/v1/companies/456/orders?updated_gte=${encodeURIComponent("2026-11-01T09:30:28+00:00")}`, { token: DEMO_TOKEN });
    expect(recent.body.map((o: { id: number }) => o.id)).toEqual([30, 29, 3]);
    const early = await call("GET", "/v1/companies/456/orders?created_lte=2026-11-01T09:30:01Z", { token: DEMO_TOKEN });
    expect(early.body.map((o: { id: number }) => o.id)).toEqual([2, 1]);
    const bad = await call("GET", "/v1/companies/456/orders?created_gte=yesterday", { token: DEMO_TOKEN });
    expect(bad).toMatchObject({ status: 400, body: { error: "invalid_request", error_description: "created_gte must be an ISO 8601 date and time" } });
  });
});

describe("lines", () => {
  const lines = "/v1/companies/456/orders/111/lines";

  it("adds a line (a negative unit_price too), recomputing the total", async () => {
    const { call } = standIn();
    const res = await call("POST", lines, { token: DEMO_TOKEN, json: { product_id: 9001, unit_price: -5, notes: "$5 off (loyalty)" } });
    expect(res.status).toBe(201);
    expect(res.text).toBe("");
    expect(res.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/orders/111/lines/3");
    const order = await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    expect(order.body.lines[2]).toEqual({
      id: 100003, id_str: "100003", number: 3, product: { id: 9001, id_str: "9001", name: "Loyalty reward" },
      quantity: 1, unit_price: -5, unit_tax: -0.5, price_variation: 1, notes: "$5 off (loyalty)",
    });
    expect(order.body.total).toBe(9.9);
  });

  it("inserts at a number, updates and deletes by number, renumbering", async () => {
    const { call } = standIn();
    const ins = await call("POST", lines, { token: DEMO_TOKEN, json: { product_id: "2003", quantity: 1, price_variation: 0, number: 1 } });
    expect(ins.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/orders/111/lines/1");
    let order = await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    expect(order.body.lines.map((l: { number: number; product: { name: string } }) => [l.number, l.product.name])).toEqual([[1, "Slice of cake"], [2, "Flat white"], [3, "Banana bread"]]);
    expect(order.body.total).toBe(15.4);

    const put = await call("PUT", `${lines}/2`, { token: DEMO_TOKEN, json: { quantity: 3, price_variation: 0.5, notes: "half price" } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ id: 100001, id_str: "100001", number: 2, product: { id: 2001, id_str: "2001", name: "Flat white" }, quantity: 3, unit_price: 4.5, unit_tax: 0.45, price_variation: 0.5, notes: "half price" });

    const del = await call("DELETE", `${lines}/1`, { token: DEMO_TOKEN });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    order = await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    expect(order.body.lines.map((l: { number: number; product: { name: string } }) => [l.number, l.product.name])).toEqual([[1, "Flat white"], [2, "Banana bread"]]);
    expect(order.body.total).toBe(12.93); // 3 x 4.95 x 0.5 + 5.50 = 12.925, to the cent

    const missing = await call("PUT", `${lines}/7`, { token: DEMO_TOKEN, json: { quantity: 1 } });
    expect(missing).toMatchObject({ status: 404, body: { error: "not_found", error_description: "Line 7 of order 111 does not exist" } });
  });

  it("validates product_id, quantity and price_variation", async () => {
    const { call } = standIn();
    const cases: [unknown, string][] = [
      [{ quantity: 1 }, "product_id is required"],
      [{ product_id: 7777 }, "Product 7777 does not exist"],
      [{ product_id: 2001, quantity: 0 }, "quantity must not be 0"],
      [{ product_id: 2001, quantity: "2" }, "quantity must be a number"],
      [{ product_id: 2001, price_variation: -0.1 }, "price_variation must be 0 or more (1 = no change, 0.9 = 10% off)"],
      [{ product_id: 2001, number: 0 }, "number must be a whole number from 1"],
    ];
    for (const [json, description] of cases) {
      const r = await call("POST", lines, { token: DEMO_TOKEN, json });
      expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { error: "invalid_request", error_description: description } });
    }
  });

  it("freezes the lines once the order is ACCEPTED, COMPLETE or REJECTED", async () => {
    for (const status of ["ACCEPTED", "COMPLETE", "REJECTED"]) {
      const { call } = standIn();
      await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status } });
      const locked = { error: "order_locked", error_description: `Order 111 is ${status}: its lines can no longer change` };
      const add = await call("POST", lines, { token: DEMO_TOKEN, json: { product_id: 2001 } });
      const change = await call("PUT", `${lines}/1`, { token: DEMO_TOKEN, json: { quantity: 5 } });
      const remove = await call("DELETE", `${lines}/1`, { token: DEMO_TOKEN });
      for (const r of [add, change, remove]) expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: locked });
    }
    // Still editable while ON_HOLD or PENDING.
    for (const status of ["ON_HOLD", "PENDING"]) {
      const { call } = standIn();
      await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status } });
      expect((await call("POST", lines, { token: DEMO_TOKEN, json: { product_id: 2001 } })).status).toBe(201);
    }
  });

  it("has no GET on a line", async () => {
    const { call } = standIn();
    const res = await call("GET", `${lines}/1`, { token: DEMO_TOKEN });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("PUT, DELETE");
    expect(res.body).toEqual({ error: "method_not_allowed", error_description: "Lines cannot be read one by one: GET the order" });
  });
});

describe("payments", () => {
  const payments = "/v1/companies/456/orders/111/payments";

  it("adds payments (the add-on's method by default) and refunds, summing paid", async () => {
    const { call } = standIn();
    const first = await call("POST", payments, { token: DEMO_TOKEN, json: { amount: 5, ref: "rdm_1" } });
    expect(first.status).toBe(201);
    expect(first.text).toBe("");
    expect(first.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/orders/111/payments/100003");
    const second = await call("POST", payments, { token: DEMO_TOKEN, json: { method_id: 1, amount: 10.4 } });
    expect(second.status).toBe(201);
    const refund = await call("POST", payments, { token: DEMO_TOKEN, json: { method_id: "5001", amount: -2.5, ref: "rdm_1-refund" } });
    expect(refund.status).toBe(201);

    const order = await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    expect(order.body.payments).toEqual([
      { id: 100003, id_str: "100003", number: 1, method: { id: 5001, id_str: "5001", name: "Loyalty points" }, amount: 5, ref: "rdm_1", created_at: T0_WIRE },
      { id: 100004, id_str: "100004", number: 2, method: { id: 1, id_str: "1", name: "Cash" }, amount: 10.4, ref: null, created_at: T0_WIRE },
      { id: 100005, id_str: "100005", number: 3, method: { id: 5001, id_str: "5001", name: "Loyalty points" }, amount: -2.5, ref: "rdm_1-refund", created_at: T0_WIRE },
    ]);
    expect(order.body.paid).toBe(12.9);
    expect(order.body.total).toBe(15.4);
  });

  it("refuses an unknown method, a missing or zero amount, and a REJECTED order; allows a COMPLETE one", async () => {
    const { call } = standIn();
    const cases: [unknown, string][] = [
      [{ method_id: 42, amount: 1 }, "Payment method 42 does not exist"],
      [{ ref: "x" }, "amount is required"],
      [{ amount: 0 }, "amount must not be 0"],
      [{ amount: "5" }, "amount must be a number"],
    ];
    for (const [json, description] of cases) {
      const r = await call("POST", payments, { token: DEMO_TOKEN, json });
      expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { error: "invalid_request", error_description: description } });
    }
    await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status: "COMPLETE" } });
    expect((await call("POST", payments, { token: DEMO_TOKEN, json: { amount: -1 } })).status).toBe(201);

    await call("PUT", "/v1/companies/456/orders/222", { token: DEMO_TOKEN, json: { status: "REJECTED" } });
    const rejected = await call("POST", "/v1/companies/456/orders/222/payments", { token: DEMO_TOKEN, json: { amount: 1 } });
    expect(rejected.status).toBe(400);
    expect(rejected.body).toEqual({ error: "order_locked", error_description: "Order 222 is REJECTED: it cannot take payments" });
  });

  it("cannot read, change or delete a payment one by one", async () => {
    const { call } = standIn();
    await call("POST", payments, { token: DEMO_TOKEN, json: { amount: 5 } });
    const body = { error: "method_not_allowed", error_description: "Payments cannot be read, changed or deleted one by one" };
    for (const [method, json] of [["GET", undefined], ["PUT", { ref: "new" }], ["DELETE", undefined]] as const) {
      const r = await call(method, `${payments}/100003`, { token: DEMO_TOKEN, json });
      expect({ status: r.status, body: r.body }).toEqual({ status: 405, body });
    }
    const list = await call("GET", payments, { token: DEMO_TOKEN });
    expect({ status: list.status, body: list.body, allow: list.headers.get("allow") }).toEqual({
      status: 405,
      body: { error: "method_not_allowed", error_description: "Payments cannot be listed: GET the order" },
      allow: "POST",
    });
  });
});

describe("customers", () => {
  const customers = "/v1/companies/456/customers";
  const john = {
    id: 789, id_str: "789", first_name: "John", last_name: "Smith", email: "john.smith@example.com", phone: "0412 345 678",
    reference_id: "mem_8f3k2", tags: [], image: null, created_at: T0_WIRE, updated_at: T0_WIRE,
  };

  it("reads a customer, or 404", async () => {
    const { call } = standIn();
    expect(await call("GET", `${customers}/789`, { token: DEMO_TOKEN })).toMatchObject({ status: 200, body: john });
    const missing = await call("GET", `${customers}/1`, { token: DEMO_TOKEN });
    expect({ status: missing.status, body: missing.body }).toEqual({ status: 404, body: { error: "not_found", error_description: "Customer 1 does not exist" } });
  });

  it("answers ?reference_id= with an array, empty when nobody has it", async () => {
    const { call } = standIn();
    const found = await call("GET", `${customers}?reference_id=mem_8f3k2`, { token: DEMO_TOKEN });
    expect({ status: found.status, body: found.body }).toEqual({ status: 200, body: [john] });
    const none = await call("GET", `${customers}?reference_id=mem_nobody`, { token: DEMO_TOKEN });
    expect({ status: none.status, body: none.body }).toEqual({ status: 200, body: [] });
  });

  it("answers ?email= (and first_name+last_name+phone) with a 302 to the record, or 404", async () => {
    const { call } = standIn();
    const found = await call("GET", `${customers}?email=John.Smith%40example.com`, { token: DEMO_TOKEN });
    expect(found.status).toBe(302);
    expect(found.text).toBe("");
    expect(found.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/customers/789");
    const suffix = await call("GET", `${customers}.json?email=john.smith%40example.com`, { token: DEMO_TOKEN, accept: null });
    expect(suffix.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/customers/789.json");
    const byPhone = await call("GET", `${customers}?first_name=john&last_name=SMITH&phone=0412345678`, { token: DEMO_TOKEN });
    expect(byPhone.status).toBe(302);
    expect(byPhone.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/customers/789");
    const missing = await call("GET", `${customers}?email=nobody%40example.com`, { token: DEMO_TOKEN });
    expect({ status: missing.status, body: missing.body }).toEqual({ status: 404, body: { error: "not_found", error_description: "No customer matches" } });
  });

  it("creates a customer with first_name and an email or phone: 201 and Location", async () => {
    const { call } = standIn();
    const res = await call("POST", customers, { token: DEMO_TOKEN, json: { first_name: "Ada", phone: "0400 000 001", reference_id: "mem_ada" } });
    expect(res.status).toBe(201);
    expect(res.text).toBe("");
    expect(res.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/customers/100001");
    const ada = await call("GET", `${customers}/100001`, { token: DEMO_TOKEN });
    expect(ada.body).toEqual({
      id: 100001, id_str: "100001", first_name: "Ada", last_name: null, email: null, phone: "0400 000 001",
      reference_id: "mem_ada", tags: [], image: null, created_at: T0_WIRE, updated_at: T0_WIRE,
    });

    const cases: [unknown, string][] = [
      [{ email: "a@example.com" }, "first_name is required"],
      [{ first_name: "Ada" }, "A customer needs an email or a phone"],
      [{ first_name: "", email: "a@example.com" }, "first_name must not be empty"],
      [{ first_name: "Ada", email: "not-an-email" }, "not-an-email is not an email address"],
    ];
    for (const [json, description] of cases) {
      const r = await call("POST", customers, { token: DEMO_TOKEN, json });
      expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { error: "invalid_request", error_description: description } });
    }
  });

  it("updates a customer with PUT (reference_id included), answering the record", async () => {
    const { call, clock } = standIn();
    clock.now += 1000;
    const res = await call("PUT", `${customers}/790`, { token: DEMO_TOKEN, json: { reference_id: "mem_jane", tags: ["gold"], phone: "0400 222 333" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: 790, id_str: "790", first_name: "Jane", last_name: "Citizen", email: "jane.citizen@example.com", phone: "0400 222 333",
      reference_id: "mem_jane", tags: ["gold"], image: null, created_at: T0_WIRE, updated_at: "2026-11-01T09:30:01+00:00",
    });
    const bad = await call("PUT", `${customers}/791`, { token: DEMO_TOKEN, json: { phone: null } });
    expect({ status: bad.status, body: bad.body }).toEqual({ status: 400, body: { error: "invalid_request", error_description: "A customer needs an email or a phone" } });
  });
});

describe("webhooks", () => {
  const hooks = "/v1/companies/456/webhooks";
  const valid = { topic: "orders/completed", address: "https://loyalty.test/kounta/webhooks/orders", format: "json", headers: { Authorization: "Bearer hook-secret", "X-Loyalty-Hook": "v1" } };

  function recorder() {
    const received: { url: string; method: string; headers: Record<string, string>; body: string }[] = [];
    const fetch = async (request: Request) => {
      received.push({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers), body: await request.text() });
      return new Response(null, { status: 204 });
    };
    return { received, fetch };
  }

  it("registers a webhook (201, Location), lists and deletes it", async () => {
    const { call } = standIn();
    const res = await call("POST", hooks, { token: DEMO_TOKEN, json: { ...valid, filter: { site_ids: [123] } } });
    expect(res.status).toBe(201);
    expect(res.text).toBe("");
    expect(res.headers.get("location")).toBe("http://localhost:8788/v1/companies/456/webhooks/100001");
    const list = await call("GET", hooks, { token: DEMO_TOKEN });
    expect({ status: list.status, body: list.body }).toEqual({
      status: 200,
      body: [{ id: 100001, id_str: "100001", topic: "orders/completed", address: valid.address, format: "json", filter: { site_ids: [123] }, headers: valid.headers }],
    });
    const del = await call("DELETE", `${hooks}/100001`, { token: DEMO_TOKEN });
    expect(del.status).toBe(204);
    expect((await call("GET", hooks, { token: DEMO_TOKEN })).body).toEqual([]);
    const again = await call("DELETE", `${hooks}/100001`, { token: DEMO_TOKEN });
    expect({ status: again.status, body: again.body }).toEqual({ status: 404, body: { error: "not_found", error_description: "Webhook 100001 does not exist" } });
  });

  it("refuses other headers than Authorization and X-* (not X-Kounta*), and incomplete registrations", async () => {
    const { call } = standIn();
    const cases: [unknown, string][] = [
      [{ ...valid, headers: { "Content-Type": "text/plain" } }, "Header Content-Type is not allowed: only Authorization or X-* headers (not X-Kounta*)"],
      [{ ...valid, headers: { "X-Kounta-Signature": "forged" } }, "Header X-Kounta-Signature is not allowed: only Authorization or X-* headers (not X-Kounta*)"],
      [{ ...valid, headers: { "X-Secret": 5 } }, "The value of header X-Secret must be a string"],
      [{ ...valid, topic: "orders/eaten" }, "Unknown topic orders/eaten"],
      [{ ...valid, topic: undefined }, "topic is required"],
      [{ ...valid, address: "ftp://loyalty.test/x" }, "address must be an absolute http(s) URL"],
      [{ ...valid, address: "/relative" }, "address must be an absolute http(s) URL"],
      [{ ...valid, format: undefined }, 'format is required and must be "json"'],
      [{ ...valid, format: "xml" }, 'format is required and must be "json"'],
      [{ ...valid, filter: { register_ids: [1] } }, "Unknown filter register_ids: the stand-in filters by site_ids only"],
      [{ ...valid, filter: { site_ids: [999] } }, "Site 999 does not exist"],
    ];
    for (const [json, description] of cases) {
      const r = await call("POST", hooks, { token: DEMO_TOKEN, json });
      expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { error: "invalid_request", error_description: description } });
    }
    expect((await call("GET", hooks, { token: DEMO_TOKEN })).body).toEqual([]);
  });

  it("delivers orders/completed with the registered headers when an order becomes COMPLETE", async () => {
    const { received, fetch } = recorder();
    const { s, call } = standIn({ fetch });
    await call("POST", hooks, { token: DEMO_TOKEN, json: valid });
    // Another site's webhook and another topic's get nothing.
    await call("POST", hooks, { token: DEMO_TOKEN, json: { ...valid, topic: "orders/deleted", address: "https://elsewhere.test/deleted" } });

    await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status: "ACCEPTED" } });
    expect(received).toEqual([]);
    const done = await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status: "COMPLETE" } });
    expect(done.status).toBe(200);
    // Completing again sends nothing more.
    await call("PUT", "/v1/companies/456/orders/111", { token: DEMO_TOKEN, json: { status: "COMPLETE" } });
    // Created COMPLETE: delivered too.
    await call("POST", "/v1/companies/456/orders", { token: DEMO_TOKEN, json: { status: "COMPLETE", lines: [{ product_id: 2001 }] } });
    await s.settle();

    expect(received).toEqual([
      {
        url: valid.address,
        method: "POST",
        headers: { authorization: "Bearer hook-secret", "x-loyalty-hook": "v1", "content-type": "application/json" },
        body: '{"topic":"orders/completed","company_id":456,"order_id":111,"id":111,"id_str":"111"}',
      },
      {
        url: valid.address,
        method: "POST",
        headers: { authorization: "Bearer hook-secret", "x-loyalty-hook": "v1", "content-type": "application/json" },
        body: '{"topic":"orders/completed","company_id":456,"order_id":100006,"id":100006,"id_str":"100006"}',
      },
    ]);
    const deliveries = await call("GET", "/_stand-in/deliveries?company_id=456");
    expect(deliveries.body).toEqual([
      {
        id: "100005", company_id: "456", webhook_id: "100001", topic: "orders/completed", address: valid.address,
        headers: { Authorization: "Bearer hook-secret", "X-Loyalty-Hook": "v1", "Content-Type": "application/json" },
        body: '{"topic":"orders/completed","company_id":456,"order_id":111,"id":111,"id_str":"111"}',
        payload: { topic: "orders/completed", company_id: 456, order_id: 111, id: 111, id_str: "111" },
        status: "delivered", http_status: 204, error: null, at: T0_ISO,
      },
      expect.objectContaining({ id: "100008", status: "delivered", http_status: 204, payload: expect.objectContaining({ order_id: 100006 }) }),
    ]);
  });

  it("deletes an order through the control API: 404 from then on, and orders/deleted delivered", async () => {
    const { received, fetch } = recorder();
    const { s, call } = standIn({ fetch });
    await call("POST", hooks, { token: DEMO_TOKEN, json: valid });
    await call("POST", hooks, { token: DEMO_TOKEN, json: { ...valid, topic: "orders/deleted", address: "https://loyalty.test/deleted" } });
    expect((await send(s, "DELETE", "/_stand-in/orders/456/111")).status).toBe(404);
    await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });

    const deleted = await send(s, "DELETE", "/_stand-in/orders/456/111");
    await s.settle();

    expect({ status: deleted.status, body: deleted.body }).toEqual({ status: 200, body: { deleted: "111", deliveries: 1 } });
    expect(received).toEqual([
      {
        url: "https://loyalty.test/deleted",
        method: "POST",
        headers: { authorization: "Bearer hook-secret", "x-loyalty-hook": "v1", "content-type": "application/json" },
        body: '{"topic":"orders/deleted","company_id":456,"order_id":111,"id":111,"id_str":"111"}',
      },
    ]);
    for (const [method, path] of [["GET", ""], ["PUT", ""], ["POST", "/lines"], ["POST", "/payments"]] as const) {
      const res = await call(method, `/v1/companies/456/orders/111${path}`, { token: DEMO_TOKEN, json: method === "GET" ? undefined : {} });
      expect({ status: res.status, body: res.body }).toEqual({ status: 404, body: { error: "not_found", error_description: "Order 111 does not exist" } });
    }
    expect((await call("GET", "/v1/companies/456/orders", { token: DEMO_TOKEN })).body).toEqual([]);
  });

  it("skips webhooks filtered to another site, and records a failed delivery without failing the call", async () => {
    const { s, call } = standIn({ fetch: async () => Promise.reject(new Error("connection refused")) });
    const company = await newCompany(s);
    // A second site for the filter to tell apart.
    s.state.companies.get(company.id)!.sites.push({ id: "777", name: "Other site" });
    const base = `/v1/companies/${company.id}`;
    await call("POST", `${base}/webhooks`, { token: company.accessToken, json: { ...valid, filter: { site_ids: ["777"] } } });
    await call("PUT", `${base}/orders/1`, { token: company.accessToken, json: { status: "COMPLETE" } });
    await s.settle();
    expect(s.state.deliveries).toEqual([]);

    await call("POST", `${base}/webhooks`, { token: company.accessToken, json: valid });
    const res = await call("PUT", `${base}/orders/2`, { token: company.accessToken, json: { status: "COMPLETE" } });
    expect(res.status).toBe(200);
    await s.settle();
    const deliveries = await call("GET", `/_stand-in/deliveries?company_id=${company.id}`);
    expect(deliveries.body).toEqual([expect.objectContaining({ status: "failed", http_status: null, error: "connection refused", address: valid.address })]);
  });
});

describe("faults", () => {
  async function fault(s: KountaStandIn, body: Record<string, unknown>) {
    const res = await send(s, "POST", "/_stand-in/faults", { json: body });
    expect(res.status).toBe(200);
    return res.body;
  }

  it("slow: waits delay_ms, then answers normally", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    expect(await fault(s, { company_id: company.id, fault: "slow", delay_ms: 200 })).toEqual({ company_id: company.id, faults: [{ fault: "slow", remaining: 1, delay_ms: 200 }] });
    const started = Date.now();
    const res = await call("GET", "/v1/companies/me", { token: company.accessToken });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(res.status).toBe(200);
    // Once only (times defaults to 1), and the demo company was never slowed.
    expect((await send(s, "GET", `/_stand-in/faults?company_id=${company.id}`)).body).toEqual({ company_id: company.id, faults: [] });
  });

  it("rate_limit: 429 with Retry-After for the next `times` calls", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "rate_limit", times: 2, retry_after: "3" });
    await fault(s, { company_id: company.id, fault: "rate_limit", retry_after: "Wed, 21 Oct 2026 07:28:00 GMT" });
    const path = `/v1/companies/${company.id}/orders/5`;
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const r = await call("GET", path, { token: company.accessToken });
      answers.push({ status: r.status, retryAfter: r.headers.get("retry-after"), body: r.status === 429 ? r.body : null });
    }
    const limited = { error: "rate_limit_exceeded", error_description: "Too many requests" };
    expect(answers).toEqual([
      { status: 429, retryAfter: "3", body: limited },
      { status: 429, retryAfter: "3", body: limited },
      { status: 429, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT", body: limited },
      { status: 200, retryAfter: null, body: null },
    ]);
    // Other companies are not affected.
    expect((await call("GET", "/v1/companies/456/orders/5", { token: DEMO_TOKEN })).status).toBe(200);
  });

  it("server_error: 500 in Kounta's error shape, and nothing happens", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "server_error" });
    const res = await call("POST", `/v1/companies/${company.id}/orders/9/payments`, { token: company.accessToken, json: { amount: 5 } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: "server_error", error_description: "The server encountered an unexpected condition" });
    expect((await send(s, "GET", `/_stand-in/orders/${company.id}/9`)).status).toBe(404);
  });

  it("expired_token: the current access token answers 'has expired' until the client refreshes", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "expired_token" });
    const first = await call("GET", "/v1/companies/me", { token: company.accessToken });
    expect({ status: first.status, body: first.body }).toEqual({ status: 401, body: expiredBody });
    const second = await call("GET", "/v1/companies/me", { token: company.accessToken });
    expect({ status: second.status, body: second.body }).toEqual({ status: 401, body: expiredBody });

    const refreshed = await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: company.refreshToken, ...CLIENT } });
    expect(refreshed.status).toBe(200);
    expect((await call("GET", "/v1/companies/me", { token: refreshed.body.access_token })).status).toBe(200);
  });

  it("order_completed: the order is COMPLETE by the time the call is answered", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await call("GET", `/v1/companies/${company.id}/orders/77`, { token: company.accessToken });
    await fault(s, { company_id: company.id, fault: "order_completed", order_id: "77" });
    const res = await call("POST", `/v1/companies/${company.id}/orders/77/lines`, { token: company.accessToken, json: { product_id: 9001, unit_price: -5 } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: "order_locked", error_description: "Order 77 is COMPLETE: its lines can no longer change" });
    expect((await send(s, "GET", `/_stand-in/orders/${company.id}/77`)).body.status).toBe("COMPLETE");
  });

  // The network faults as the app gives them: whoever carries its answers acts on them (the Node server
  // for real, test/kounta-harness.ts in the isolate; see test/kounta-api/client.network.test.ts).
  it("connection_lost: the call is carried out, and its answer marked to be lost", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "connection_lost" });
    const res = await call("PUT", `/v1/companies/${company.id}/orders/80/lines/1`, { token: company.accessToken, json: { quantity: 4 } });
    expect({ status: res.status, fault: res.headers.get("X-Stand-In-Fault") }).toEqual({ status: 200, fault: "connection_lost" });
    expect((await send(s, "GET", `/_stand-in/orders/${company.id}/80`)).body.lines[0].quantity).toBe(4);
    // Once: the next answer is a plain one.
    const next = await call("GET", `/v1/companies/${company.id}/orders/80`, { token: company.accessToken });
    expect(next.headers.get("X-Stand-In-Fault")).toBeNull();
  });

  it("no_answer: nothing is carried out and no answer ever comes; the call is logged without a status", async () => {
    const { s } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "no_answer" });
    const request = new Request(`${BASE}/v1/companies/${company.id}/orders/81/lines`, {
      method: "POST",
      headers: { Accept: "application/json", Authorization: `Bearer ${company.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ product_id: 2003 }),
    });
    const answered = Promise.resolve(s.app.fetch(request)).then(() => "answered");
    const waited = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 300));
    expect(await Promise.race([answered, waited])).toBe("still waiting");
    expect((await send(s, "GET", `/_stand-in/orders/${company.id}/81`)).status).toBe(404);
    const calls = (await send(s, "GET", `/_stand-in/calls?company_id=${company.id}`)).body;
    expect(calls.map((c: { method: string; status: number | null }) => [c.method, c.status])).toEqual([["POST", null]]);
    expect((await send(s, "GET", `/_stand-in/faults?company_id=${company.id}`)).body.faults).toEqual([]);
  });

  it("late_answer: carried out at once, answered only after delay_ms", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    expect(await fault(s, { company_id: company.id, fault: "late_answer", delay_ms: 300 })).toEqual({
      company_id: company.id,
      faults: [{ fault: "late_answer", remaining: 1, delay_ms: 300 }],
    });
    const started = Date.now();
    const pending = call("POST", `/v1/companies/${company.id}/orders/82/lines`, { token: company.accessToken, json: { product_id: 2003 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The line is there while the answer is still on its way.
    expect((await send(s, "GET", `/_stand-in/orders/${company.id}/82`)).body.lines).toHaveLength(3);
    const res = await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect({ status: res.status, location: res.headers.get("location") }).toEqual({ status: 201, location: `${BASE}/v1/companies/${company.id}/orders/82/lines/3` });
  });

  it("DELETE clears a company's faults; bad fault requests are refused", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "server_error", times: 5 });
    const cleared = await send(s, "DELETE", `/_stand-in/faults?company_id=${company.id}`);
    expect({ status: cleared.status, body: cleared.body }).toEqual({ status: 200, body: { company_id: company.id, cleared: 1 } });
    expect((await call("GET", "/v1/companies/me", { token: company.accessToken })).status).toBe(200);

    const cases: [Record<string, unknown>, number, string][] = [
      [{ company_id: company.id, fault: "meteor" }, 400, "fault must be one of slow, rate_limit, server_error, expired_token, order_completed, bad_request, redirect, connection_lost, no_answer, late_answer"],
      [{ company_id: company.id, fault: "order_completed" }, 400, "order_id is required for order_completed"],
      [{ company_id: company.id, fault: "slow", times: 0 }, 400, "times must be a whole number from 1"],
      [{ fault: "slow" }, 400, "company_id is required"],
      [{ company_id: "31337", fault: "slow" }, 404, "Company 31337 does not exist"],
    ];
    for (const [json, status, description] of cases) {
      const r = await send(s, "POST", "/_stand-in/faults", { json });
      expect({ status: r.status, body: r.body }).toEqual({ status, body: { error: status === 404 ? "not_found" : "invalid_request", error_description: description } });
    }
  });
});

describe("control API", () => {
  it("logs every call of a company in order, secrets masked", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: company.refreshToken, ...CLIENT } });
    await call("POST", `/v1/companies/${company.id}/orders/5/lines.json`, { token: company.accessToken, json: { product_id: 2001 }, accept: null });
    await call("GET", `/v1/companies/${company.id}/customers?reference_id=mem_1&reference_id=mem_2`, { token: "unknown-token" });
    await call("GET", "/v1/companies/456/orders/1", { token: DEMO_TOKEN });

    const calls = await send(s, "GET", `/_stand-in/calls?company_id=${company.id}`);
    expect(calls.status).toBe(200);
    expect(calls.body).toEqual([
      {
        company_id: company.id, method: "POST", path: "/v1/token", query: {},
        body: { grant_type: "refresh_token", refresh_token: "***", client_id: "local-dev-client-id", client_secret: "***" },
        auth: "none", status: 200, at: T0_ISO,
      },
      { company_id: company.id, method: "POST", path: `/v1/companies/${company.id}/orders/5/lines.json`, query: {}, body: { product_id: 2001 }, auth: "bearer", status: 201, at: T0_ISO },
      {
        company_id: company.id, method: "GET", path: `/v1/companies/${company.id}/customers`, query: { reference_id: ["mem_1", "mem_2"] },
        body: null, auth: "bearer", status: 401, at: T0_ISO,
      },
    ]);
    expect(calls.text).not.toContain(company.refreshToken);
    expect(calls.text).not.toContain("local-dev-client-secret");

    const cleared = await send(s, "DELETE", `/_stand-in/calls?company_id=${company.id}`);
    expect(cleared.body).toEqual({ cleared: 3 });
    expect((await send(s, "GET", `/_stand-in/calls?company_id=${company.id}`)).body).toEqual([]);
    expect((await send(s, "GET", "/_stand-in/calls?company_id=456")).body).toHaveLength(1);
  });

  it("creates companies with given or random tokens, and refuses a taken id", async () => {
    const { s } = standIn();
    const made = await send(s, "POST", "/_stand-in/companies", { json: { id: "5150", name: "Harbour Bar", siteId: "51", accessToken: "tok-5150", refreshToken: "ref-5150", accessTokenExpiresIn: 120 } });
    expect({ status: made.status, body: made.body }).toEqual({
      status: 201,
      body: { id: "5150", name: "Harbour Bar", siteId: "51", accessToken: "tok-5150", refreshToken: "ref-5150", accessTokenExpiresAt: T0 + 120_000 },
    });
    const taken = await send(s, "POST", "/_stand-in/companies", { json: { id: 5150 } });
    expect({ status: taken.status, body: taken.body }).toEqual({ status: 409, body: { error: "conflict", error_description: "Company 5150 already exists" } });
    const view = await send(s, "GET", "/_stand-in/companies/5150");
    expect(view.body).toEqual({
      id: "5150", name: "Harbour Bar", siteId: "51",
      accessTokens: [{ token: "tok-5150", expiresAt: T0 + 120_000, expired: false }],
      refreshTokens: [{ token: "ref-5150", active: true }],
      orders: 0, customers: 3, webhooks: 0, faults: [],
    });
  });

  it("shows an order's raw state without a token, and 404 for an order nobody used", async () => {
    const { s, call } = standIn();
    expect((await send(s, "GET", "/_stand-in/orders/456/111")).status).toBe(404);
    await call("GET", "/v1/companies/456/orders/111", { token: DEMO_TOKEN });
    const raw = await send(s, "GET", "/_stand-in/orders/456/111");
    expect({ status: raw.status, body: raw.body }).toEqual({ status: 200, body: openOrderBody("456", "111", ["100001", "100002"]) });
  });

  it("starts over on reset, with the demo company seeded again", async () => {
    const { s, call } = standIn();
    await newCompany(s, { id: "4242" });
    await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456", ...CLIENT } });
    const reset = await send(s, "POST", "/_stand-in/reset");
    expect(reset.body).toEqual({ reset: true, demo: true });
    expect([...s.state.companies.keys()]).toEqual(["456"]);
    expect(s.state.calls).toEqual([]);
    expect((await call("POST", "/v1/token", { form: { grant_type: "refresh_token", refresh_token: "dev-refresh-token-456", ...CLIENT } })).status).toBe(200);
  });
});
