import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { Logger } from "../../src/lib/logger";
import { earnForOrder, type EarnDeps } from "../../src/loyalty/earning/earn-order";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import { companies, customerLinks, earningRules, kountaConnections, members, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, seedRedemption } from "../redeem-harness";

// Earning on a completed order (src/loyalty/earning/earn-order.ts), against the Kounta stand-in: each rule
// kind, the ways a customer is a member, auto-enrol, and exactly once whatever the repeats.

type Company = Awaited<ReturnType<typeof seedCompany>>;

const checked = new Set<string>();
afterEach(async () => {
  for (const id of checked) await expectBalanceMatchesLedger(id);
  checked.clear();
});

function deps(fetchImpl?: typeof fetch): EarnDeps {
  return {
    db,
    cache: new LoyaltyCache(env.CACHE),
    config: loadConfig(env),
    logger: new Logger({ test: "earn" }),
    deadline: Date.now() + 8_000,
    fetch: fetchImpl,
  };
}

type LineIn = { product_id: string; quantity?: number; unit_price?: number; price_variation?: number; notes?: string };
type PaymentIn = { method_id: string; amount: number; ref?: string };

/** A sale made in Kounta; its id. */
async function sale(companyId: string, order: { status?: string; customer_id?: string | null; lines: LineIn[]; payments?: PaymentIn[] }) {
  const res = await kounta.api(companyId, "POST", "orders", { status: "COMPLETE", ...order });
  const location = res.headers.get("location")!;
  return location.replace(/\.json$/, "").split("/").pop()!;
}

async function linkedMember(company: Company, customerId = "789", fields: { firstName?: string; email?: string } = {}) {
  const memberId = await company.addMember({ firstName: fields.firstName ?? "John", email: fields.email ?? null });
  await db.insert(customerLinks).values({ companyId: company.id, kountaCustomerId: customerId, memberId, linkedAt: Date.now() });
  checked.add(company.id);
  return memberId;
}

async function pointsOf(memberId: string): Promise<number> {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

async function earnRows(companyId: string) {
  return db.select().from(pointsLedger).where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.reason, "earn")));
}

const flatWhiteAndBread: LineIn[] = [
  { product_id: "2001", quantity: 2 },
  { product_id: "2002", quantity: 1 },
]; // 2 x 4.95 + 5.50 = 15.40 incl. GST

describe("earning on a completed order", () => {
  it("earns per currency unit paid, once, with a ledger row that explains it and a fresh card", async () => {
    const company = await seedCompany();
    const memberId = await linkedMember(company);
    const orderId = await sale(company.id, { customer_id: "789", lines: flatWhiteAndBread, payments: [{ method_id: "2", amount: 15.4 }] });

    const first = await earnForOrder(deps(), { companyId: company.id, orderId });
    expect(first).toEqual({ outcome: "earned", memberId, points: 15, balance: 15, enrolled: false });
    for (let i = 0; i < 2; i++) expect(await earnForOrder(deps(), { companyId: company.id, orderId })).toEqual({ outcome: "repeated", memberId });

    expect(await pointsOf(memberId)).toBe(15);
    const rows = await earnRows(company.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      memberId,
      delta: 15,
      reason: "earn",
      orderId,
      siteId: company.siteId,
      actor: null,
      note: "15 points on $15.40 spent",
      idempotencyKey: `earn:${orderId}`,
    });
    const card = await env.CACHE.get<{ points: number }>(cacheKeys.memberCard(company.id, memberId), "json");
    expect(card?.points).toBe(15);
  });

  it("explains the earning in the company's currency", async () => {
    const company = await seedCompany();
    await db.update(companies).set({ currency: "EUR" }).where(eq(companies.id, company.id));
    await linkedMember(company);
    const orderId = await sale(company.id, { customer_id: "789", lines: flatWhiteAndBread, payments: [{ method_id: "2", amount: 15.4 }] });
    await earnForOrder(deps(), { companyId: company.id, orderId });
    expect((await earnRows(company.id)).map((r) => r.note)).toEqual(["15 points on €15.40 spent"]);
  });

  it("earns at the company's rate", async () => {
    const company = await seedCompany();
    await db.update(companies).set({ pointsPerCurrencyUnit: 2.5 }).where(eq(companies.id, company.id));
    const memberId = await linkedMember(company);
    const orderId = await sale(company.id, { customer_id: "789", lines: flatWhiteAndBread, payments: [{ method_id: "1", amount: 15.4 }] });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId })).toMatchObject({ outcome: "earned", points: 38 }); // 38.5
    expect(await pointsOf(memberId)).toBe(38);
  });

  it("multiplies by product and by category (categories read from the products)", async () => {
    const company = await seedCompany();
    const memberId = await linkedMember(company);
    const now = Date.now();
    await db.insert(earningRules).values([
      { id: `ern_p_${company.id}`, companyId: company.id, kind: "product_multiplier", targetId: "2001", multiplier: 2, createdAt: now, updatedAt: now },
      { id: `ern_c_${company.id}`, companyId: company.id, kind: "category_multiplier", targetId: "77", multiplier: 3, createdAt: now, updatedAt: now },
      // An inactive rule earns nothing extra.
      { id: `ern_i_${company.id}`, companyId: company.id, kind: "product_multiplier", targetId: "2003", multiplier: 10, active: false, createdAt: now, updatedAt: now },
    ]);
    // Kounta's order lines name no category: the product records do. The stand-in's products carry
    // none, so this Kounta adds one to product 2002 (as Kounta's product JSON would).
    const withCategories: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = new Request(input, init).url;
      if (!/\/products\/2002(\.json)?$/.test(new URL(url).pathname)) return res;
      const product = (await res.json()) as Record<string, unknown>;
      return Response.json({ ...product, categories: [{ id: 77, id_str: "77", name: "Baking" }] }, { status: res.status });
    };
    const orderId = await sale(company.id, {
      customer_id: "789",
      lines: [{ product_id: "2001" }, { product_id: "2002" }, { product_id: "2003" }],
      payments: [{ method_id: "2", amount: 17.05 }],
    });
    // 4.95 x 2 + 5.50 x 3 + 6.60 = 33.00
    expect(await earnForOrder(deps(withCategories), { companyId: company.id, orderId })).toMatchObject({ outcome: "earned", points: 33 });
    expect(await pointsOf(memberId)).toBe(33);
    const calls = await kounta.apiCalls(company.id);
    // Product 2001 has its own rule: only the others' categories are read.
    expect(calls.filter((c) => c.includes("/products/")).sort()).toEqual([
      `GET /v1/companies/${company.id}/products/2002.json`,
      `GET /v1/companies/${company.id}/products/2003.json`,
    ]);
  });

  it("earns nothing below the minimum spend", async () => {
    const company = await seedCompany();
    await db.update(companies).set({ minimumSpendCents: 1000 }).where(eq(companies.id, company.id));
    const memberId = await linkedMember(company);
    const small = await sale(company.id, { customer_id: "789", lines: [{ product_id: "2001" }], payments: [{ method_id: "1", amount: 4.95 }] });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: small })).toMatchObject({ outcome: "skipped", reason: "nothing_earned" });
    const exact = await sale(company.id, { customer_id: "789", lines: [{ product_id: "2001", unit_price: 10 / 1.1 }], payments: [{ method_id: "1", amount: 10 }] });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: exact })).toMatchObject({ outcome: "earned", points: 10 });
    expect(await pointsOf(memberId)).toBe(10);
    expect(await earnRows(company.id)).toHaveLength(1);
  });

  it("does not earn on the part paid by an excluded payment method", async () => {
    const company = await seedCompany();
    const now = Date.now();
    await db.insert(earningRules).values({ id: `ern_x_${company.id}`, companyId: company.id, kind: "excluded_payment_method", targetId: "3", createdAt: now, updatedAt: now });
    const memberId = await linkedMember(company);
    const orderId = await sale(company.id, {
      customer_id: "789",
      lines: [{ product_id: "2003", quantity: 3 }], // 19.80
      payments: [{ method_id: "3", amount: 9.8 }, { method_id: "2", amount: 10 }],
    });
    const outcome = await earnForOrder(deps(), { companyId: company.id, orderId });
    expect(outcome).toMatchObject({ outcome: "earned", points: 10 });
    const [row] = await earnRows(company.id);
    expect(row!.note).toBe("10 points on $10.00 spent ($9.80 paid with points or excluded methods)");
    expect(await pointsOf(memberId)).toBe(10);
  });

  it("a sale partly paid with points earns only on the rest", async () => {
    const s = await seedRedemption(1250);
    checked.add(s.company.id);
    // The cashier opens the sale for John (Kounta customer 789), pays $5.00 with 500 points...
    const orderId = await sale(s.company.id, { status: "SUBMITTED", customer_id: "789", lines: flatWhiteAndBread });
    expect(await redeem(await redeemUrl(s, "pay", orderId, 500))).toEqual({ success: true });
    // ...and the rest by card, and completes it.
    await kounta.api(s.company.id, "POST", `orders/${orderId}/payments`, { method_id: "2", amount: 10.4 });
    await kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status: "COMPLETE" });

    expect(await earnForOrder(deps(), { companyId: s.company.id, orderId })).toMatchObject({ outcome: "earned", memberId: s.memberId, points: 10 });
    expect(await balanceOf(s)).toBe(1250 - 500 + 10);
    expect(await ledgerOf(s)).toEqual([
      { delta: 1250, reason: "adjustment", orderId: null, rewardId: null },
      { delta: -500, reason: "redeem", orderId, rewardId: s.company.rewardId("pay") },
      { delta: 10, reason: "earn", orderId, rewardId: null },
    ]);
  });

  it("a payment taken by hand with the company's loyalty payment method is points too: it earns nothing", async () => {
    const company = await seedCompany(); // its loyalty payment method is 5001
    const memberId = await linkedMember(company);
    const orderId = await sale(company.id, {
      customer_id: "789",
      lines: flatWhiteAndBread,
      payments: [{ method_id: "5001", amount: 5 }, { method_id: "2", amount: 10.4 }],
    });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId })).toMatchObject({ outcome: "earned", points: 10 });
    const [row] = await earnRows(company.id);
    expect(row!.note).toBe("10 points on $10.40 spent ($5.00 paid with points or excluded methods)");
    expect(await pointsOf(memberId)).toBe(10);
  });

  it("an amount-off reward line earns nothing and lowers what was paid", async () => {
    const company = await seedCompany();
    const memberId = await linkedMember(company);
    const orderId = await sale(company.id, {
      customer_id: "789",
      lines: [...flatWhiteAndBread, { product_id: "9001", unit_price: -5, notes: "Loyalty reward rdm_test: $5 off" }],
      payments: [{ method_id: "2", amount: 9.9 }],
    });
    // 15.40 - 5.50 (the stand-in taxes the negative line too) = 9.90
    expect(await earnForOrder(deps(), { companyId: company.id, orderId })).toMatchObject({ outcome: "earned", points: 9 });
    expect(await pointsOf(memberId)).toBe(9);
  });
});

describe("who earns", () => {
  it("the member named by the Kounta customer's reference_id, then linked", async () => {
    const company = await seedCompany();
    checked.add(company.id);
    const memberId = await company.addMember({ firstName: "Jane" });
    await kounta.api(company.id, "PUT", "customers/790", { reference_id: memberId });
    const orderId = await sale(company.id, { customer_id: "790", lines: flatWhiteAndBread, payments: [{ method_id: "2", amount: 15.4 }] });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId })).toMatchObject({ outcome: "earned", memberId, points: 15 });
    const links = await db.select().from(customerLinks).where(eq(customerLinks.companyId, company.id));
    expect(links.map((l) => [l.kountaCustomerId, l.memberId])).toEqual([["790", memberId]]);
  });

  it("nobody: no customer, a customer who is not a member (auto-enrol off), an open order, an inactive member", async () => {
    const company = await seedCompany();
    checked.add(company.id);
    const noCustomer = await sale(company.id, { lines: flatWhiteAndBread });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: noCustomer })).toEqual({ outcome: "skipped", reason: "no_customer" });
    const stranger = await sale(company.id, { customer_id: "790", lines: flatWhiteAndBread });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: stranger })).toEqual({ outcome: "skipped", reason: "not_member" });
    const open = await sale(company.id, { status: "SUBMITTED", customer_id: "789", lines: flatWhiteAndBread });
    const memberId = await linkedMember(company);
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: open })).toMatchObject({ outcome: "skipped", reason: "not_complete" });
    await db.update(members).set({ status: "inactive" }).where(eq(members.id, memberId));
    const done = await sale(company.id, { customer_id: "789", lines: flatWhiteAndBread });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: done })).toMatchObject({ outcome: "skipped", reason: "inactive_member" });

    expect(await db.select().from(members).where(eq(members.companyId, company.id))).toHaveLength(1);
    expect(await earnRows(company.id)).toEqual([]);
    expect(await pointsOf(memberId)).toBe(0);
  });

  it("with auto-enrol, a customer with an email or a phone becomes a member on their first sale, once", async () => {
    const company = await seedCompany();
    checked.add(company.id);
    await db.update(companies).set({ autoEnrol: true }).where(eq(companies.id, company.id));

    const bySam = await sale(company.id, { customer_id: "791", lines: flatWhiteAndBread, payments: [{ method_id: "1", amount: 15.4 }] });
    const [a, b] = await Promise.all([
      earnForOrder(deps(), { companyId: company.id, orderId: bySam }),
      earnForOrder(deps(), { companyId: company.id, orderId: bySam }),
    ]);
    const earned = [a, b].find((o) => o.outcome === "earned");
    expect(earned).toMatchObject({ points: 15 });
    const samId = (earned as { memberId: string }).memberId;
    expect([a, b].map((o) => o.outcome).sort()).toEqual(["earned", "repeated"]);

    const byJane = await sale(company.id, { customer_id: "790", lines: [{ product_id: "2002" }], payments: [{ method_id: "1", amount: 5.5 }] });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: byJane })).toMatchObject({ outcome: "earned", points: 5, enrolled: true });
    // Sam's next sale finds him by the link made at enrolment.
    const again = await sale(company.id, { customer_id: "791", lines: [{ product_id: "2002" }] });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId: again })).toMatchObject({ outcome: "earned", memberId: samId, enrolled: false });

    const enrolled = await db
      .select({ id: members.id, firstName: members.firstName, email: members.email, phone: members.phone, points: members.points })
      .from(members)
      .where(eq(members.companyId, company.id));
    expect(enrolled.map(({ id: _id, ...m }) => m).sort((x, y) => x.firstName.localeCompare(y.firstName))).toEqual([
      { firstName: "Jane", email: "jane.citizen@example.com", phone: null, points: 5 },
      { firstName: "Sam", email: null, phone: "0400 111 222", points: 20 },
    ]);
    const links = await db.select().from(customerLinks).where(eq(customerLinks.companyId, company.id));
    expect(links).toHaveLength(2);
  });

  it("with auto-enrol, a customer whose email is already a member's is linked to that member", async () => {
    const company = await seedCompany();
    await db.update(companies).set({ autoEnrol: true }).where(eq(companies.id, company.id));
    const memberId = await company.addMember({ firstName: "Janet", email: "Jane.Citizen@example.com" });
    checked.add(company.id);
    const orderId = await sale(company.id, { customer_id: "790", lines: [{ product_id: "2002" }] });
    expect(await earnForOrder(deps(), { companyId: company.id, orderId })).toMatchObject({ outcome: "earned", memberId, points: 5, enrolled: false });
    expect(await db.select().from(members).where(eq(members.companyId, company.id))).toHaveLength(1);
  });

  it("a company that is not connected earns nothing (and Kounta is not called)", async () => {
    const company = await seedCompany();
    const memberId = await linkedMember(company);
    const orderId = await sale(company.id, { customer_id: "789", lines: flatWhiteAndBread });
    await db.update(kountaConnections).set({ status: "disconnected" }).where(eq(kountaConnections.companyId, company.id));
    expect(await earnForOrder(deps(), { companyId: company.id, orderId })).toEqual({ outcome: "skipped", reason: "not_connected" });
    expect(await pointsOf(memberId)).toBe(0);
  });
});
