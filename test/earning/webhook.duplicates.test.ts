import { exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { hashWebhookSecret, WEBHOOK_SECRET_HEADER } from "../../src/connect/webhook-secret";
import { customerLinks, kountaConnections, members, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, ORIGIN, seedCompany } from "../harness";
import { kounta } from "../kounta-harness";

// POST /kounta/webhooks/orders with a key written twice in one object of its JSON: JSON.parse would
// keep the last value silently, so the delivery is refused (400 {error}) and nothing is read from
// Kounta or earned.

const WEBHOOK_URL = `${ORIGIN}/kounta/webhooks/orders`;

const checked = new Set<string>();
afterEach(async () => {
  for (const id of checked) await expectBalanceMatchesLedger(id);
  checked.clear();
});

/** A connected company with a webhook secret, a member linked to Kounta customer 789, and a completed sale not yet delivered. */
async function completedSale() {
  const company = await seedCompany();
  checked.add(company.id);
  const secret = `secret-${company.id}-${crypto.randomUUID()}`;
  await db.update(kountaConnections).set({ webhookSecretHash: await hashWebhookSecret(secret) }).where(eq(kountaConnections.companyId, company.id));
  const memberId = await company.addMember({ firstName: "John" });
  await db.insert(customerLinks).values({ companyId: company.id, kountaCustomerId: "789", memberId, linkedAt: Date.now() });
  // No webhook registered with the stand-in: the sale is delivered only by this test.
  const res = await kounta.api(company.id, "POST", "orders", {
    status: "COMPLETE",
    customer_id: "789",
    lines: [{ product_id: "2001", quantity: 2 }, { product_id: "2002" }], // 15.40
    payments: [{ method_id: "2", amount: 15.4 }],
  });
  const orderId = res.headers.get("location")!.replace(/\.json$/, "").split("/").pop()!;
  return { company, secret, memberId, orderId };
}

async function deliver(body: string, headers: Record<string, string>) {
  const res = await exports.default.fetch(new Request(WEBHOOK_URL, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function pointsOf(memberId: string) {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

const ledger = (companyId: string) => db.select().from(pointsLedger).where(eq(pointsLedger.companyId, companyId));

/** Kounta's reads of the company's orders (the test's own POST aside). */
const orderReads = async (companyId: string) => (await kounta.apiCalls(companyId)).filter((c) => c.startsWith("GET"));

describe("webhook: a JSON key sent twice", () => {
  it.each([
    ["order_id, two orders", (c: string, o: string) => `{"topic":"orders/completed","company_id":${c},"order_id":${o},"order_id":1}`, "order_id was sent more than once."],
    ["order_id, the same order", (c: string, o: string) => `{"topic":"orders/completed","company_id":${c},"order_id":${o},"order_id":${o}}`, "order_id was sent more than once."],
    ["order_id, as a number and as a \\u-escaped key", (c: string, o: string) => `{"company_id":${c},"order_id":${o},"\\u006frder_id":"${o}"}`, "order_id was sent more than once."],
    ["company_id", (c: string, o: string) => `{"company_id":${c},"order_id":${o},"company_id":1}`, "company_id was sent more than once."],
    ["id_str", (c: string, o: string) => `{"company_id":${c},"id":${o},"id_str":"${o}","id_str":"1"}`, "id_str was sent more than once."],
  ])("%s: 400 {error}, nothing read or earned", async (_name, body, error) => {
    const { company, secret, memberId, orderId } = await completedSale();

    const res = await deliver(body(company.id, orderId), { [WEBHOOK_SECRET_HEADER]: secret });

    expect(res).toEqual({ status: 400, body: { error } });
    expect(await pointsOf(memberId)).toBe(0);
    expect(await ledger(company.id)).toEqual([]);
    expect(await orderReads(company.id)).toEqual([]);

    // The same delivery with each key once earns: the refusal was for the duplicate alone.
    const once = await deliver(`{"topic":"orders/completed","company_id":${company.id},"order_id":${orderId},"lines":[{"id":1},{"id":2}]}`, {
      [WEBHOOK_SECRET_HEADER]: secret,
    });
    expect(once).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(memberId)).toBe(15);
  });

  it("a key twice inside the order it carries is Kounta's, not ours: the delivery is read and earns", async () => {
    const { company, secret, memberId, orderId } = await completedSale();
    const res = await deliver(`{"company_id":${company.id},"order_id":${orderId},"lines":[{"id":1},{"id":2,"id":3}]}`, { [WEBHOOK_SECRET_HEADER]: secret });
    expect(res).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(memberId)).toBe(15);
  });

  it("an order id with leading zeros is the same order: earned once", async () => {
    const { company, secret, memberId, orderId } = await completedSale();
    for (const written of [`"0${orderId}"`, orderId, `" 00${orderId}"`]) {
      const res = await deliver(`{"company_id":${company.id},"order_id":${written}}`, { [WEBHOOK_SECRET_HEADER]: secret });
      expect(res).toEqual({ status: 200, body: { received: true } });
    }
    expect(await pointsOf(memberId)).toBe(15);
    expect((await ledger(company.id)).length).toBe(1);
  });

  it("without the secret: 401 first, as for any delivery", async () => {
    const { company, memberId, orderId } = await completedSale();
    const res = await deliver(`{"company_id":${company.id},"order_id":${orderId},"order_id":${orderId}}`, {});
    expect(res).toEqual({ status: 401, body: { error: "This delivery is not authenticated." } });
    expect(await pointsOf(memberId)).toBe(0);
    expect(await orderReads(company.id)).toEqual([]);
  });

  it("the same keys in each line of the order are not duplicates", async () => {
    const { company, secret, memberId, orderId } = await completedSale();
    const lines = JSON.stringify([{ id: 1, product: { id: 2001 } }, { id: 2, product: { id: 2002 } }]);
    const res = await deliver(`{"company_id":${company.id},"order_id":${orderId},"id":${orderId},"id_str":"${orderId}","lines":${lines}}`, {
      [WEBHOOK_SECRET_HEADER]: secret,
    });
    expect(res).toEqual({ status: 200, body: { received: true } });
    expect(await pointsOf(memberId)).toBe(15);
  });
});
