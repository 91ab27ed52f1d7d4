import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { reverseRefunds, undoOrder } from "../../src/loyalty/earning/undo-order";
import { companies } from "../../src/storage/schema";
import { db } from "../harness";
import { expectTouchedBalanced, seed, earn, redemption, balance, reversals, order } from "./undo-harness";

// Undoing earnings and redemptions (src/loyalty/earning/undo-order.ts): refunds.

afterEach(expectTouchedBalanced);

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
