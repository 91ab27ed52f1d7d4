import { env } from "cloudflare:test";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { orderSchema } from "../../src/kounta-api/types";
import { newId } from "../../src/lib/crypto";
import { confirmRedemption, releaseRedemption } from "../../src/loyalty/redemption/redemption";
import { reverseRefunds, undoOrder } from "../../src/loyalty/earning/undo-order";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import type { MemberCard } from "../../src/loyalty/members/card";
import { companies, members, pointsLedger, redemptions } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger } from "../harness";
import { reserveOnly, seedRedemption } from "../redeem-harness";

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

// Every company a test touched: the invariant is checked for each after the test.
let touched: string[] = [];
async function seed(points = 1250): Promise<Seeded> {
  const s = await seedRedemption(points);
  touched.push(s.company.id);
  return s;
}
afterEach(async () => {
  for (const companyId of touched) await expectBalanceMatchesLedger(companyId);
  touched = [];
});

/** What earning writes: one 'earn' row keyed `earn:<order>` and the balance change, in one batch. */
async function earn(s: Seeded, orderId: string, points: number, memberId = s.memberId) {
  const now = Date.now();
  await db.batch([
    db.insert(pointsLedger).values({
      id: newId("led"),
      companyId: s.company.id,
      memberId,
      delta: points,
      reason: "earn",
      siteId: s.company.siteId,
      orderId,
      note: `${points} points on a test sale`,
      idempotencyKey: `earn:${orderId}`,
      createdAt: now,
    }),
    db
      .update(members)
      .set({ points: sql`${members.points} + ${points}`, updatedAt: now })
      .where(and(eq(members.companyId, s.company.id), eq(members.id, memberId))),
  ]);
}

/** Reserves a reward on an order; confirmed (applied), released (failed) or left pending. */
async function redemption(s: Seeded, reward: string, orderId: string, outcome: "applied" | "failed" | "pending" = "applied") {
  const now = Date.now();
  const id = await reserveOnly(s, reward, orderId, { now });
  if (outcome === "applied") expect(await confirmRedemption(db, { companyId: s.company.id, redemptionId: id, kountaRef: "lines:1", now })).toBe(true);
  if (outcome === "failed") expect(await releaseRedemption(db, { companyId: s.company.id, redemptionId: id, reason: "test", now })).toBe(true);
  return id;
}

async function balance(s: Seeded, memberId = s.memberId): Promise<number> {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

/** The reversal rows of a company, in key order. */
async function reversals(s: Seeded) {
  const rows = await db
    .select({ key: pointsLedger.idempotencyKey, delta: pointsLedger.delta, note: pointsLedger.note, orderId: pointsLedger.orderId, memberId: pointsLedger.memberId })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, s.company.id), eq(pointsLedger.reason, "reversal")))
    .orderBy(asc(pointsLedger.idempotencyKey));
  return rows;
}

type Payment = { id: number | string; amount: number; ref?: string; method?: { id: number } };
const order = (id: string, payments: Payment[]) =>
  orderSchema.parse({ id, status: "COMPLETE", payments: payments.map((p) => ({ method: { id: 1 }, ...p })) });

describe("undoing a rejected or deleted order", () => {
  it("reverses what a rejected order earned and returns the points redeemed on it, once", async () => {
    const s = await seed(1250);
    await earn(s, "7001", 100);
    const rdm = await redemption(s, "coffee", "7001");
    expect(await balance(s)).toBe(850);

    const result = await undoOrder(db, { companyId: s.company.id, orderId: "7001", reason: "rejected", now: Date.now() });

    expect(result).toEqual({ reversed: 100, returned: 500 });
    expect(await balance(s)).toBe(1250);
    expect(await reversals(s)).toEqual([
      { key: `return:${rdm}`, delta: 500, note: "Order 7001 rejected: redeemed points returned", orderId: "7001", memberId: s.memberId },
      { key: "unearn:7001", delta: -100, note: "Order 7001 rejected: points earned reversed", orderId: "7001", memberId: s.memberId },
    ]);

    for (let i = 0; i < 3; i++) {
      expect(await undoOrder(db, { companyId: s.company.id, orderId: "7001", reason: "rejected", now: Date.now() })).toEqual({ reversed: 0, returned: 0 });
    }
    // Deleted after being rejected: nothing more either.
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "7001", reason: "deleted", now: Date.now() })).toEqual({ reversed: 0, returned: 0 });
    expect(await balance(s)).toBe(1250);
    expect(await reversals(s)).toHaveLength(2);
  });

  it("reverses what a deleted order earned", async () => {
    const s = await seed(200);
    await earn(s, "7002", 40);
    await earn(s, "7003", 7);

    expect(await undoOrder(db, { companyId: s.company.id, orderId: "7002", reason: "deleted", now: Date.now() })).toEqual({ reversed: 40, returned: 0 });
    expect(await balance(s)).toBe(207);
    expect(await reversals(s)).toEqual([
      { key: "unearn:7002", delta: -40, note: "Order 7002 deleted: points earned reversed", orderId: "7002", memberId: s.memberId },
    ]);
  });

  it("calls racing each other change the balance once", async () => {
    const s = await seed(1250);
    await earn(s, "7004", 90);
    await redemption(s, "pct", "7004");

    const results = await Promise.all(
      Array.from({ length: 5 }, () => undoOrder(db, { companyId: s.company.id, orderId: "7004", reason: "rejected", now: Date.now() })),
    );

    expect(results.reduce((t, r) => t + r.reversed, 0)).toBe(90);
    expect(results.reduce((t, r) => t + r.returned, 0)).toBe(300);
    expect(await balance(s)).toBe(1250);
  });

  it("returns only applied redemptions of that order, not pending or failed ones nor another order's", async () => {
    const s = await seed(3000);
    const applied = await redemption(s, "coffee", "7010");
    const pending = await redemption(s, "pct", "7010", "pending");
    await redemption(s, "five", "7010", "failed");
    await redemption(s, "coffee", "7011");
    // 3000 - 500 (applied) - 300 (pending) - 1000 + 1000 (failed, released) - 500 (other order)
    expect(await balance(s)).toBe(1700);

    // The order earned nothing: only the applied redemption comes back.
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "7010", reason: "deleted", now: Date.now() })).toEqual({ reversed: 0, returned: 500 });
    expect(await balance(s)).toBe(2200);
    const rows = await reversals(s);
    expect(rows.filter((r) => r.key.startsWith("return:")).map((r) => r.key)).toEqual([`return:${applied}`]);
    const [stillPending] = await db.select().from(redemptions).where(eq(redemptions.id, pending));
    expect(stillPending!.status).toBe("pending");
  });

  it("may take the balance below zero", async () => {
    const s = await seed(0);
    await earn(s, "7020", 600);
    await redemption(s, "coffee", "7021"); // spends 500 of what 7020 earned
    expect(await balance(s)).toBe(100);

    expect(await undoOrder(db, { companyId: s.company.id, orderId: "7020", reason: "rejected", now: Date.now() })).toEqual({ reversed: 600, returned: 0 });
    expect(await balance(s)).toBe(-500);
  });

  it("leaves another company's order of the same id untouched", async () => {
    const a = await seed(1000);
    const b = await seed(1000);
    await earn(a, "7030", 50);
    await earn(b, "7030", 80);
    await redemption(b, "pct", "7030");

    expect(await undoOrder(db, { companyId: a.company.id, orderId: "7030", reason: "rejected", now: Date.now() })).toEqual({ reversed: 50, returned: 0 });
    expect(await reverseRefunds(db, { companyId: a.company.id, order: order("7030", [{ id: 1, amount: 50 }, { id: 2, amount: -50 }]), now: Date.now() })).toBe(0);

    expect(await balance(a)).toBe(1000);
    expect(await balance(b)).toBe(780);
    expect(await reversals(b)).toEqual([]);
  });

  it("refreshes the member card in KV when given the cache", async () => {
    const s = await seed(1250);
    await earn(s, "7040", 100);
    const cache = new LoyaltyCache(env.CACHE);

    await undoOrder(db, { companyId: s.company.id, orderId: "7040", reason: "rejected", now: Date.now(), cache });
    const card = await env.CACHE.get<MemberCard>(cacheKeys.memberCard(s.company.id, s.memberId), "json");
    expect(card?.points).toBe(1250);

    await earn(s, "7041", 300);
    await reverseRefunds(db, { companyId: s.company.id, order: order("7041", [{ id: 1, amount: 30 }, { id: 2, amount: -10 }]), now: Date.now(), cache });
    const after = await env.CACHE.get<MemberCard>(cacheKeys.memberCard(s.company.id, s.memberId), "json");
    expect(after?.points).toBe(1450);
  });
});

describe("reversing refunds", () => {
  it("reverses a partial refund in proportion, rounded down, leaving our loyalty payment out, once", async () => {
    const s = await seed(1000);
    await earn(s, "7100", 50);
    // $50 paid in cash (earned 50) and $5 in points (ours: never earns, never counts here).
    const refunded = order("7100", [
      { id: 11, amount: 50 },
      { id: 12, amount: 5, ref: "rdm_ABCDEFGH", method: { id: 5001 } },
      { id: 13, amount: -12.34 },
    ]);

    expect(await reverseRefunds(db, { companyId: s.company.id, order: refunded, now: Date.now() })).toBe(12); // 1234 / 5000 * 50 = 12.34
    expect(await balance(s)).toBe(1038);
    expect(await reversals(s)).toEqual([
      { key: "refund:7100:13", delta: -12, note: "Refund of $12.34 on order 7100", orderId: "7100", memberId: s.memberId },
    ]);

    for (let i = 0; i < 3; i++) expect(await reverseRefunds(db, { companyId: s.company.id, order: refunded, now: Date.now() })).toBe(0);
    expect(await balance(s)).toBe(1038);
  });

  it("leaves out payments with the company's loyalty payment method, ours or taken by hand", async () => {
    const s = await seed(1000); // the company's loyalty payment method is 5001
    await earn(s, "7120", 40);
    // $40 by card earned 40; $10 in points by hand (method 5001, no ref), then those points refunded.
    const refunded = order("7120", [
      { id: 41, amount: 40, method: { id: 2 } },
      { id: 42, amount: 10, method: { id: 5001 } },
      { id: 43, amount: -10, method: { id: 5001 } },
    ]);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: refunded, now: Date.now() })).toBe(0);
    // A cash refund of $20 is half of what earned: 20 points back.
    const cash = order("7120", [...refunded.payments.map((p) => ({ id: Number(p.id), amount: p.amount!, method: { id: Number(p.method!.id) } })), { id: 44, amount: -20, method: { id: 2 } }]);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: cash, now: Date.now() })).toBe(20);
    expect((await reversals(s)).map((r) => [r.key, r.delta])).toEqual([["refund:7120:44", -20]]);
  });

  it("writes the refund in the company's currency", async () => {
    const s = await seed(1000);
    await db.update(companies).set({ currency: "GBP" }).where(eq(companies.id, s.company.id));
    await earn(s, "7110", 40);
    await reverseRefunds(db, { companyId: s.company.id, order: order("7110", [{ id: 21, amount: 40 }, { id: 22, amount: -10 }]), now: Date.now() });
    expect((await reversals(s)).map((r) => r.note)).toEqual(["Refund of £10.00 on order 7110"]);
  });

  it("reverses a full refund entirely", async () => {
    const s = await seed(100);
    await earn(s, "7101", 25);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7101", [{ id: 1, amount: 25.5 }, { id: 2, amount: -25.5 }]), now: Date.now() })).toBe(25);
    expect(await balance(s)).toBe(100);
  });

  it("a sale refunded in two halves gives back all it earned (each half rounded on the total so far)", async () => {
    const s = await seed(100);
    await earn(s, "7102", 15);
    const paid = { id: "p1", amount: 15.4 };
    const halves = [paid, { id: "h1", amount: -7.7 }];
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7102", halves), now: Date.now() })).toBe(7);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7102", [...halves, { id: "h2", amount: -7.7 }]), now: Date.now() })).toBe(8);
    expect(await balance(s)).toBe(100);
    expect((await reversals(s)).map((r) => [r.key, r.delta])).toEqual([
      ["refund:7102:h1", -7],
      ["refund:7102:h2", -8],
    ]);
  });

  it("two partial refunds and then a full one never reverse more than the order earned", async () => {
    const s = await seed(1000);
    await earn(s, "7110", 31);
    const paid = { id: "p1", amount: 30 };

    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7110", [paid, { id: "r1", amount: -10 }]), now: Date.now() })).toBe(10);
    const twoRefunds = [paid, { id: "r1", amount: -10 }, { id: "r2", amount: -10 }];
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7110", twoRefunds), now: Date.now() })).toBe(10);
    expect(await balance(s)).toBe(1011);

    // Then the whole $30 refunded again: its share (31) is capped at what is left (11).
    const all = [...twoRefunds, { id: "r3", amount: -30 }];
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7110", all), now: Date.now() })).toBe(11);
    expect(await balance(s)).toBe(1000);
    expect((await reversals(s)).map((r) => [r.key, r.delta])).toEqual([
      ["refund:7110:r1", -10],
      ["refund:7110:r2", -10],
      ["refund:7110:r3", -11],
    ]);

    // A further refund and every repeat: nothing left.
    const more = [...all, { id: "r4", amount: -5 }];
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7110", more), now: Date.now() })).toBe(0);
    expect(await balance(s)).toBe(1000);
    expect(await reversals(s)).toHaveLength(3);
  });

  it("several refunds in one call, and calls racing each other, never exceed the earning", async () => {
    const s = await seed(1000);
    await earn(s, "7111", 20);
    const refunded = order("7111", [{ id: 1, amount: 20 }, { id: 2, amount: -15 }, { id: 3, amount: -15 }]);

    const results = await Promise.all(Array.from({ length: 4 }, () => reverseRefunds(db, { companyId: s.company.id, order: refunded, now: Date.now() })));

    expect(results.reduce((t, n) => t + n, 0)).toBe(20); // 15 then capped at 5
    expect(await balance(s)).toBe(1000);
  });

  it("reverses nothing after a rejection", async () => {
    const s = await seed(1000);
    await earn(s, "7120", 40);
    await undoOrder(db, { companyId: s.company.id, orderId: "7120", reason: "rejected", now: Date.now() });
    expect(await balance(s)).toBe(1000);

    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7120", [{ id: 1, amount: 40 }, { id: 2, amount: -20 }]), now: Date.now() })).toBe(0);
    expect(await balance(s)).toBe(1000);
    expect((await reversals(s)).map((r) => r.key)).toEqual(["unearn:7120"]);
  });

  it("a rejection after a refund reverses only what is left", async () => {
    const s = await seed(1000);
    await earn(s, "7121", 40);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7121", [{ id: 1, amount: 40 }, { id: 2, amount: -10 }]), now: Date.now() })).toBe(10);
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "7121", reason: "deleted", now: Date.now() })).toEqual({ reversed: 30, returned: 0 });
    expect(await balance(s)).toBe(1000);
  });

  it("a fully refunded order that is then rejected reverses nothing more but still returns its redemptions", async () => {
    const s = await seed(1000);
    await earn(s, "7122", 40);
    await redemption(s, "pct", "7122");
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7122", [{ id: 1, amount: 40 }, { id: 2, amount: -40 }]), now: Date.now() })).toBe(40);
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "7122", reason: "rejected", now: Date.now() })).toEqual({ reversed: 0, returned: 300 });
    expect(await balance(s)).toBe(1000);
  });

  it("may take the balance below zero", async () => {
    const s = await seed(0);
    await earn(s, "7130", 600);
    await redemption(s, "coffee", "7131");
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7130", [{ id: 1, amount: 60 }, { id: 2, amount: -60 }]), now: Date.now() })).toBe(600);
    expect(await balance(s)).toBe(-500);
  });

  it("an order that earned nothing reverses nothing, and a refund after a later earning still reverses", async () => {
    const s = await seed(1000);
    const refunded = order("7140", [{ id: 1, amount: 20 }, { id: 2, amount: -10 }]);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: refunded, now: Date.now() })).toBe(0);
    expect(await reversals(s)).toEqual([]);

    await earn(s, "7140", 20);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: refunded, now: Date.now() })).toBe(10);
    expect(await balance(s)).toBe(1010);
  });

  it("ignores orders without refunds, and refunds of our own loyalty payments", async () => {
    const s = await seed(1000);
    await earn(s, "7150", 20);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: order("7150", [{ id: 1, amount: 20 }]), now: Date.now() })).toBe(0);
    const pointsRefunded = order("7150", [{ id: 1, amount: 20 }, { id: 2, amount: 5, ref: "rdm_X" }, { id: 3, amount: -5, ref: "rdm_X" }]);
    expect(await reverseRefunds(db, { companyId: s.company.id, order: pointsRefunded, now: Date.now() })).toBe(0);
    expect(await balance(s)).toBe(1020);
  });
});
