import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { hashWebhookSecret, WEBHOOK_SECRET_HEADER } from "../../src/connect/webhook-secret";
import { companies, kountaConnections, members } from "../../src/storage/schema";
import { db } from "../harness";
import { outboxTo, uniqueEmail, waitForOutbox, waitForSettled } from "../notifications-harness";
import { KOUNTA_ORIGIN, kounta, standIn } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, seedRedemption } from "../redeem-harness";
import { useWebhookHarness, WEBHOOK_URL, checked, connectedCompany, sale, deliveries, deliver, payload, pointsOf, ledger } from "./webhook-harness";

// POST /kounta/webhooks/orders: what a delivery earns, takes back and sends.

useWebhookHarness();

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
