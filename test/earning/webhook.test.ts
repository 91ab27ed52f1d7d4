import { exports } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hashWebhookSecret, WEBHOOK_SECRET_HEADER } from "../../src/connect/webhook-secret";
import { parseDelivery } from "../../src/kounta/webhooks";
import { companies, customerLinks, kountaConnections, members, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, ORIGIN, seedCompany } from "../harness";
import { outboxTo, uniqueEmail, waitForOutbox, waitForSettled } from "../notifications-harness";
import { KOUNTA_ORIGIN, kounta, standIn } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, seedRedemption } from "../redeem-harness";

// POST /kounta/webhooks/orders: Kounta's orders/completed deliveries, authenticated by our secret
// header, each only a trigger to read the order. The stand-in delivers to https://loyalty.test, which
// this file routes to the Worker.

const WEBHOOK_URL = `${ORIGIN}/kounta/webhooks/orders`;
type Company = Awaited<ReturnType<typeof seedCompany>>;

const harnessFetch = globalThis.fetch;
beforeAll(() => {
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    return new URL(request.url).origin === ORIGIN ? exports.default.fetch(request) : harnessFetch(input, init);
  };
});
afterAll(() => {
  globalThis.fetch = harnessFetch;
});

const checked = new Set<string>();
afterEach(async () => {
  for (const id of checked) await expectBalanceMatchesLedger(id);
  checked.clear();
});

/** A connected company whose orders/completed webhook is registered in Kounta with its secret. */
async function connectedCompany(options: { link?: boolean; webhook?: boolean } = {}) {
  const company = await seedCompany();
  checked.add(company.id);
  const secret = `secret-${company.id}-${crypto.randomUUID()}`;
  await db.update(kountaConnections).set({ webhookSecretHash: await hashWebhookSecret(secret) }).where(eq(kountaConnections.companyId, company.id));
  if (options.webhook ?? true) {
    await kounta.api(company.id, "POST", "webhooks", {
      topic: "orders/completed",
      address: WEBHOOK_URL,
      format: "json",
      headers: { [WEBHOOK_SECRET_HEADER]: secret },
    });
  }
  let memberId: string | null = null;
  if (options.link ?? true) {
    memberId = await company.addMember({ firstName: "John" });
    await db.insert(customerLinks).values({ companyId: company.id, kountaCustomerId: "789", memberId, linkedAt: Date.now() });
  }
  return { company, secret, memberId };
}

/** A sale completed at the POS (the stand-in then delivers the webhook); its id. */
async function sale(company: Company, order: Record<string, unknown> = {}) {
  const res = await kounta.api(company.id, "POST", "orders", {
    status: "COMPLETE",
    customer_id: "789",
    lines: [{ product_id: "2001", quantity: 2 }, { product_id: "2002" }], // 15.40
    payments: [{ method_id: "2", amount: 15.4 }],
    ...order,
  });
  await standIn.settle();
  return res.headers.get("location")!.replace(/\.json$/, "").split("/").pop()!;
}

interface Delivery {
  address: string;
  headers: Record<string, string>;
  body: string;
  status: string;
  http_status: number | null;
}

async function deliveries(companyId: string): Promise<Delivery[]> {
  const res = await standIn.app.fetch(new Request(`${KOUNTA_ORIGIN}/_stand-in/deliveries?company_id=${companyId}`));
  return (await res.json()) as Delivery[];
}

/** Sends a delivery to the Worker as Kounta would. */
async function deliver(body: string, headers: Record<string, string>) {
  const res = await exports.default.fetch(new Request(WEBHOOK_URL, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const payload = (companyId: string, orderId: string) =>
  JSON.stringify({ topic: "orders/completed", company_id: Number(companyId), order_id: Number(orderId), id: Number(orderId), id_str: orderId });

async function pointsOf(memberId: string) {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

async function ledger(companyId: string) {
  return db
    .select({ delta: pointsLedger.delta, reason: pointsLedger.reason, orderId: pointsLedger.orderId, key: pointsLedger.idempotencyKey })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, companyId)));
}

describe("webhook deliveries", () => {
  it("a sale that crosses a reward's price: one 'reward ready' message, and none more for the same delivery again", async () => {
    const { company, memberId } = await connectedCompany();
    const email = uniqueEmail("john");
    await db.run(sql`UPDATE members SET email = ${email}, email_consent = 1 WHERE id = ${memberId}`);
    await db.run(sql`INSERT INTO rewards (id, company_id, title, kind, points_required, created_at, updated_at)
      VALUES (${`coffee_${company.id}`}, ${company.id}, 'Free coffee', 'free_product', 10, 0, 0)`);
    await sale(company);
    const [kept] = await waitForOutbox(email);
    expect(kept!.subject).toBe(`Your Free coffee is ready at Test Café ${company.id}`);
    expect(kept!.text).toContain("You have 15 Points: enough for Free coffee (10 Points).");
    const [delivery] = await deliveries(company.id);
    expect(await deliver(delivery!.body, delivery!.headers)).toEqual({ status: 200, body: { received: true } });
    expect((await waitForSettled(company.id)).map((r) => [r.kind, r.status])).toEqual([["reward_ready", "sent"]]);
    expect(await outboxTo(email)).toHaveLength(1);
  });

  it("a sale completed in Kounta earns through the delivery", async () => {
    const { company, memberId } = await connectedCompany();
    const orderId = await sale(company);
    const [delivery] = await deliveries(company.id);
    expect(delivery).toMatchObject({ address: WEBHOOK_URL, status: "delivered", http_status: 200 });
    expect(await pointsOf(memberId!)).toBe(15);
    expect(await ledger(company.id)).toEqual([{ delta: 15, reason: "earn", orderId, key: `earn:${orderId}` }]);
  });

  it("the same delivery three times earns once", async () => {
    const { company, memberId } = await connectedCompany();
    const orderId = await sale(company);
    const [delivery] = await deliveries(company.id);
    for (let i = 0; i < 3; i++) {
      expect(await deliver(delivery!.body, delivery!.headers)).toEqual({ status: 200, body: { received: true } });
    }
    // And racing.
    await Promise.all([0, 1, 2].map(() => deliver(delivery!.body, delivery!.headers)));
    expect(await pointsOf(memberId!)).toBe(15);
    expect(await ledger(company.id)).toEqual([{ delta: 15, reason: "earn", orderId, key: `earn:${orderId}` }]);
  });

  it("a delivery carrying a large order (over 16 KB) is read like any other", async () => {
    const { company, memberId } = await connectedCompany();
    const orderId = await sale(company);
    const [delivery] = await deliveries(company.id);
    // Kounta does not publish its payload: it may carry the whole order, every line.
    const lines = Array.from({ length: 300 }, (_, i) => ({ id: 1000 + i, number: i + 1, product: { id: 2001, name: "Flat white" }, notes: "x".repeat(40) }));
    const big = JSON.stringify({ ...JSON.parse(delivery!.body), lines });
    expect(big.length).toBeGreaterThan(16 * 1024);

    expect(await deliver(big, delivery!.headers)).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(memberId!)).toBe(15);
    expect(await ledger(company.id)).toEqual([{ delta: 15, reason: "earn", orderId, key: `earn:${orderId}` }]);
  });

  it("acts on what the order says, not on the delivery: an open order earns nothing", async () => {
    const { company, secret, memberId } = await connectedCompany();
    const orderId = await sale(company, { status: "SUBMITTED" });
    expect(await deliveries(company.id)).toEqual([]);
    expect(await deliver(payload(company.id, orderId), { [WEBHOOK_SECRET_HEADER]: secret })).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(memberId!)).toBe(0);
    // Completed later: the stand-in delivers, and it earns.
    await kounta.api(company.id, "PUT", `orders/${orderId}`, { status: "COMPLETE" });
    await standIn.settle();
    expect(await pointsOf(memberId!)).toBe(15);
  });

  it("a refund made after the sale is taken back on the next delivery, once", async () => {
    const { company, secret, memberId } = await connectedCompany();
    const orderId = await sale(company);
    await kounta.api(company.id, "POST", `orders/${orderId}/payments`, { method_id: "2", amount: -7.7 });
    for (let i = 0; i < 2; i++) await deliver(payload(company.id, orderId), { [WEBHOOK_SECRET_HEADER]: secret });
    // Half the sale refunded: 15 x 7.70 / 15.40 = 7.5, rounded down.
    expect(await pointsOf(memberId!)).toBe(8);
    expect((await ledger(company.id)).map((r) => [r.reason, r.delta])).toEqual([
      ["earn", 15],
      ["reversal", -7],
    ]);
  });

  it("a rejected order gives back the points redeemed on it (undoOrder), once", async () => {
    const s = await seedRedemption(1250);
    checked.add(s.company.id);
    const secret = "rejected-order-secret";
    await db.update(kountaConnections).set({ webhookSecretHash: await hashWebhookSecret(secret) }).where(eq(kountaConnections.companyId, s.company.id));
    const orderId = await sale(s.company, { status: "SUBMITTED", payments: [] });
    expect(await redeem(await redeemUrl(s, "coffee", orderId))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
    await kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status: "REJECTED" });
    for (let i = 0; i < 2; i++) {
      expect(await deliver(payload(s.company.id, orderId), { [WEBHOOK_SECRET_HEADER]: secret })).toEqual({ status: 200, body: { received: true } });
    }
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((r) => [r.reason, r.delta])).toEqual([
      ["adjustment", 1250],
      ["redeem", -500],
      ["reversal", 500],
    ]);
  });

  it("an order deleted in Kounta (it answers 404) takes back what the sale earned, once", async () => {
    const { company, secret, memberId } = await connectedCompany();
    const orderId = await sale(company);
    expect(await pointsOf(memberId!)).toBe(15);
    // The deletion topic's name is unpublished: whatever delivery names the order, the Worker reads
    // it from Kounta, and a 404 means deleted.
    await kounta.api(company.id, "POST", "webhooks", {
      topic: "orders/deleted",
      address: WEBHOOK_URL,
      format: "json",
      headers: { [WEBHOOK_SECRET_HEADER]: secret },
    });

    const res = await standIn.app.fetch(new Request(`${KOUNTA_ORIGIN}/_stand-in/orders/${company.id}/${orderId}`, { method: "DELETE" }));
    expect(await res.json()).toEqual({ deleted: orderId, deliveries: 1 });
    await standIn.settle();

    const all = await deliveries(company.id);
    expect(all.map((d) => [JSON.parse(d.body).topic, d.status, d.http_status])).toEqual([
      ["orders/completed", "delivered", 200],
      ["orders/deleted", "delivered", 200],
    ]);
    expect(await pointsOf(memberId!)).toBe(0);
    // Delivered again (Kounta retries): nothing more.
    expect(await deliver(all[1]!.body, all[1]!.headers)).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(memberId!)).toBe(0);
    expect(await ledger(company.id)).toEqual([
      { delta: 15, reason: "earn", orderId, key: `earn:${orderId}` },
      { delta: -15, reason: "reversal", orderId, key: `unearn:${orderId}` },
    ]);
    const reads = (await kounta.calls(company.id)).filter((call) => call.method === "GET" && new RegExp(`/orders/${orderId}(\\.json)?$`).test(call.path));
    expect(reads.map((call) => call.status)).toEqual([200, 404, 404]);
  });

  it("answers 503 while Kounta cannot be read, so Kounta retries; the retry earns", async () => {
    const { company, secret, memberId } = await connectedCompany({ webhook: false });
    const orderId = await sale(company);
    await kounta.fault(company.id, "server_error");
    expect(await deliver(payload(company.id, orderId), { [WEBHOOK_SECRET_HEADER]: secret })).toEqual({
      status: 503,
      body: { error: "Kounta could not be reached. Please retry." },
    });
    expect(await pointsOf(memberId!)).toBe(0);
    expect(await deliver(payload(company.id, orderId), { [WEBHOOK_SECRET_HEADER]: secret })).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(memberId!)).toBe(15);
  });

  it("auto-enrols a customer with an email when the company says so, and not otherwise", async () => {
    const off = await connectedCompany({ link: false });
    await sale(off.company, { customer_id: "790" });
    expect(await db.select().from(members).where(eq(members.companyId, off.company.id))).toEqual([]);
    expect(await ledger(off.company.id)).toEqual([]);

    const on = await connectedCompany({ link: false });
    await db.update(companies).set({ autoEnrol: true }).where(eq(companies.id, on.company.id));
    const orderId = await sale(on.company, { customer_id: "790" });
    const enrolled = await db.select().from(members).where(eq(members.companyId, on.company.id));
    expect(enrolled.map((m) => [m.firstName, m.email, m.points])).toEqual([["Jane", "jane.citizen@example.com", 15]]);
    expect(await ledger(on.company.id)).toEqual([{ delta: 15, reason: "earn", orderId, key: `earn:${orderId}` }]);
  });
});

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
