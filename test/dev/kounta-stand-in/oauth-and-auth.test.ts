import { describe, expect, it } from "vitest";
import { T0_WIRE, DEMO_TOKEN, CLIENT, REDIRECT, standIn, newCompany, expiredBody, invalidTokenBody } from "./helpers.ts";

// The local Kounta REST API stand-in (dev/kounta-stand-in/): OAuth, the authentication of API calls, and JSON in and out.

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
