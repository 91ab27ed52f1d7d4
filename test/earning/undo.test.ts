import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { reverseRefunds, undoOrder } from "../../src/loyalty/earning/undo-order";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import type { MemberCard } from "../../src/loyalty/members/card";
import { redemptions } from "../../src/storage/schema";
import { db } from "../harness";
import { expectTouchedBalanced, seed, earn, redemption, balance, reversals, order } from "./undo-harness";

// Undoing earnings and redemptions (src/loyalty/earning/undo-order.ts): rejected and deleted orders.

afterEach(expectTouchedBalanced);

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
