import { describe, expect, it } from "vitest";
import { BASE, T0_WIRE, DEMO_TOKEN, standIn, send, newCompany, openOrderBody } from "./helpers.ts";

// The local Kounta REST API stand-in (dev/kounta-stand-in/): orders, their lines and payments.

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
