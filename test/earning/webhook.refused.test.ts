import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { WEBHOOK_SECRET_HEADER } from "../../src/connect/webhook-secret";
import { parseDelivery } from "../../src/kounta/webhooks";
import { kountaConnections } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { useWebhookHarness, connectedCompany, sale, deliver, payload, pointsOf, ledger } from "./webhook-harness";

// POST /kounta/webhooks/orders: deliveries that change nothing, and how a delivery is read.

useWebhookHarness();

describe("deliveries that change nothing", () => {
  it("without the secret, with a wrong one, or with another company's", async () => {
    const a = await connectedCompany({ webhook: false });
    const b = await connectedCompany({ webhook: false });
    const orderA = await sale(a.company);
    const orderB = await sale(b.company);

    const cases: [string, Record<string, string>][] = [
      [payload(a.company.id, orderA), {}],
      [payload(a.company.id, orderA), { [WEBHOOK_SECRET_HEADER]: "wrong" }],
      [payload(a.company.id, orderA), { [WEBHOOK_SECRET_HEADER]: "" }],
      [payload(a.company.id, orderA), { Authorization: `Bearer ${a.secret}` }],
      // B's secret on A's company, and A's secret naming B's company (and B's order).
      [payload(a.company.id, orderA), { [WEBHOOK_SECRET_HEADER]: b.secret }],
      [payload(b.company.id, orderB), { [WEBHOOK_SECRET_HEADER]: a.secret }],
      // A company that does not exist.
      [payload("999999999", orderA), { [WEBHOOK_SECRET_HEADER]: a.secret }],
    ];
    for (const [body, headers] of cases) {
      const res = await deliver(body, headers);
      expect(res.status, `${body} ${JSON.stringify(headers)}`).toBe(401);
      expect(res.body).toEqual({ error: "This delivery is not authenticated." });
    }
    expect(await pointsOf(a.memberId!)).toBe(0);
    expect(await pointsOf(b.memberId!)).toBe(0);
    expect(await ledger(a.company.id)).toEqual([]);
    expect(await ledger(b.company.id)).toEqual([]);
    // Kounta was never asked about the orders.
    expect((await kounta.apiCalls(a.company.id)).filter((c) => c.startsWith("GET"))).toEqual([]);
    expect((await kounta.apiCalls(b.company.id)).filter((c) => c.startsWith("GET"))).toEqual([]);

    // The same payloads with the right secrets earn: the refusals above were for the secret alone.
    expect((await deliver(payload(a.company.id, orderA), { [WEBHOOK_SECRET_HEADER]: a.secret })).status).toBe(200);
    expect((await deliver(payload(b.company.id, orderB), { [WEBHOOK_SECRET_HEADER]: b.secret })).status).toBe(200);
    expect([await pointsOf(a.memberId!), await pointsOf(b.memberId!)]).toEqual([15, 15]);
  });

  it("a malformed body: 400 and nothing read or written", async () => {
    const { company, secret, memberId } = await connectedCompany();
    const orderId = (await kounta.api(company.id, "POST", "orders", { status: "SUBMITTED", customer_id: "789", lines: [{ product_id: "2003" }] }))
      .headers.get("location")!.replace(/\.json$/, "").split("/").pop()!;
    const calls = (await kounta.apiCalls(company.id)).length;
    for (const body of [
      "not json",
      "",
      "[1, 2]",
      JSON.stringify({ topic: "orders/completed" }),
      JSON.stringify({ company_id: Number(company.id) }),
      JSON.stringify({ company_id: "abc", order_id: orderId }),
      JSON.stringify({ company_id: Number(company.id), order_id: -4 }),
      JSON.stringify({ company_id: Number(company.id), order_id: 1.5 }),
    ]) {
      const res = await deliver(body, { [WEBHOOK_SECRET_HEADER]: secret });
      expect(res.status, body).toBe(400);
      expect(typeof res.body.error).toBe("string");
    }
    expect((await kounta.apiCalls(company.id)).length).toBe(calls);
    expect(await pointsOf(memberId!)).toBe(0);
  });

  it("a company that has disconnected", async () => {
    const { company, secret, memberId } = await connectedCompany({ webhook: false });
    const orderId = await sale(company);
    await db.update(kountaConnections).set({ status: "disconnected" }).where(eq(kountaConnections.companyId, company.id));
    expect(await deliver(payload(company.id, orderId), { [WEBHOOK_SECRET_HEADER]: secret })).toEqual({
      status: 401,
      body: { error: "This delivery is not authenticated." },
    });
    expect(await pointsOf(memberId!)).toBe(0);
    expect(await ledger(company.id)).toEqual([]);
  });

  it("an order id naming another company's order acts only on what this company's Kounta says", async () => {
    const a = await connectedCompany();
    const b = await connectedCompany();
    const orderB = await sale(b.company);
    // A's authenticated delivery naming B's order: Kounta answers for A (here: an open order of A's).
    expect(await deliver(payload(a.company.id, orderB), { [WEBHOOK_SECRET_HEADER]: a.secret })).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(a.memberId!)).toBe(0);
    expect(await pointsOf(b.memberId!)).toBe(15);
    expect(await ledger(a.company.id)).toEqual([]);
  });
});

describe("parseDelivery", () => {
  it("reads ids as strings, every digit, id_str first", () => {
    expect(parseDelivery('{"topic":"orders/completed","company_id":456,"order_id":12345678901234567890,"id":12345678901234567890}')).toEqual({
      companyId: "456",
      orderId: "12345678901234567890",
      topic: "orders/completed",
    });
    expect(parseDelivery('{"company_id":"456","order_id":1,"id_str":"99"}')).toEqual({ companyId: "456", orderId: "99", topic: null });
    expect(parseDelivery('{"company_id":456,"id":111}')).toEqual({ companyId: "456", orderId: "111", topic: null });
    expect(parseDelivery('{"company_id":456}')).toBeNull();
  });

  it("takes the order's own id, never a nested object's that comes first", () => {
    expect(parseDelivery('{"customer":{"id":555},"lines":[{"id":7}],"id":123,"company_id":1}')).toEqual({ companyId: "1", orderId: "123", topic: null });
    expect(parseDelivery('{"customer":{"id":12345678901234567000},"id":12345678901234567890,"company_id":1}')).toEqual({
      companyId: "1",
      orderId: "12345678901234567890",
      topic: null,
    });
  });
});
