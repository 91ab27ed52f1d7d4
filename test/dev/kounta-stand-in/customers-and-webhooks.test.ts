import { describe, expect, it } from "vitest";
import { T0_WIRE, T0_ISO, DEMO_TOKEN, standIn, send, newCompany } from "./helpers.ts";

// The local Kounta REST API stand-in (dev/kounta-stand-in/): customers and webhooks.

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
