import { describe, expect, it } from "vitest";
import type { KountaStandIn } from "../../../dev/kounta-stand-in/app.ts";
import { BASE, T0, T0_ISO, DEMO_TOKEN, CLIENT, standIn, send, newCompany, expiredBody, openOrderBody } from "./helpers.ts";

// The local Kounta REST API stand-in (dev/kounta-stand-in/): faults and the control API.

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

  // A gateway in front of Kounta (a proxy, a load balancer) answering its own 5xx page while Kounta's
  // backend carries the call out, or without passing it on at all.
  it("gateway_error: the call is carried out, and the caller gets a gateway's 502 page instead of Kounta's answer", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    expect(await fault(s, { company_id: company.id, fault: "gateway_error" })).toEqual({
      company_id: company.id,
      faults: [{ fault: "gateway_error", remaining: 1, status: 502, carried_out: true }],
    });
    const res = await call("POST", `/v1/companies/${company.id}/orders/83/lines`, { token: company.accessToken, json: { product_id: 2003 } });
    expect({ status: res.status, type: res.headers.get("content-type"), location: res.headers.get("location"), body: res.body }).toEqual({
      status: 502,
      type: "text/html",
      location: null,
      body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n",
    });
    // Carried out all the same: the line is on the order.
    const order = (await send(s, "GET", `/_stand-in/orders/${company.id}/83`)).body;
    expect(order.lines.map((l: { product: { id: number } }) => l.product.id)).toEqual([2001, 2002, 2003]);
    const calls = (await send(s, "GET", `/_stand-in/calls?company_id=${company.id}`)).body;
    expect(calls.map((c: { method: string; status: number }) => [c.method, c.status])).toEqual([["POST", 502]]);
    // Once: the next call is answered by Kounta.
    const next = await call("GET", `/v1/companies/${company.id}/orders/83`, { token: company.accessToken });
    expect({ status: next.status, lines: next.body.lines.length }).toEqual({ status: 200, lines: 3 });
  });

  it("gateway_error with a status and carried_out false: that gateway page, and nothing happens", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "gateway_error", status: 504, carried_out: false });
    const res = await call("POST", `/v1/companies/${company.id}/orders/84/payments`, { token: company.accessToken, json: { amount: 5 } });
    expect({ status: res.status, type: res.headers.get("content-type") }).toEqual({ status: 504, type: "text/html" });
    expect(res.text).toContain("<title>504 Gateway Time-out</title>");
    expect((await send(s, "GET", `/_stand-in/orders/${company.id}/84`)).status).toBe(404);
  });

  it("DELETE clears a company's faults; bad fault requests are refused", async () => {
    const { s, call } = standIn();
    const company = await newCompany(s);
    await fault(s, { company_id: company.id, fault: "server_error", times: 5 });
    const cleared = await send(s, "DELETE", `/_stand-in/faults?company_id=${company.id}`);
    expect({ status: cleared.status, body: cleared.body }).toEqual({ status: 200, body: { company_id: company.id, cleared: 1 } });
    expect((await call("GET", "/v1/companies/me", { token: company.accessToken })).status).toBe(200);

    const cases: [Record<string, unknown>, number, string][] = [
      [
        { company_id: company.id, fault: "meteor" },
        400,
        "fault must be one of slow, rate_limit, server_error, expired_token, order_completed, bad_request, redirect, connection_lost, no_answer, late_answer, gateway_error",
      ],
      [{ company_id: company.id, fault: "gateway_error", status: 404 }, 400, "status must be a 5xx status (500 to 599)"],
      [{ company_id: company.id, fault: "gateway_error", carried_out: "yes" }, 400, "carried_out must be true or false"],
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
