import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { orderSchema } from "../../../src/kounta-api/types";
import { expireCompanyPoints } from "../../../src/loyalty/earning/expiry";
import { reverseRefunds, undoOrder } from "../../../src/loyalty/earning/undo-order";
import { getMemberTier, reviewTiers } from "../../../src/loyalty/tiers/member-tier";
import { companies } from "../../../src/storage/schema";
import { db } from "../../harness";
import { at, cache, changesOf, DAY, earnSale, ledgerRows, month, monthsOf, tierRow, tieredMember } from "./tiers-harness";

// What takes earning back lowers the level at once (src/loyalty/earning/undo-order.ts evaluates the
// order's member in its batch, reason "reversed"): a refund (in proportion, points and spend), an
// order rejected or deleted. It counts in the month of the sale it takes back, not its own. Points
// expiring do not lower the level: they were earned.

const setup = tieredMember();

/** The order as Kounta sends it after a refund: the sale's payment and the refunds (negative). */
const refunded = (id: string, paid: number, refunds: number[]) =>
  orderSchema.parse({
    id,
    status: "COMPLETE",
    payments: [{ id: 1, amount: paid, method: { id: 2 } }, ...refunds.map((amount, i) => ({ id: 2 + i, amount: -amount, method: { id: 2 } }))],
  });

describe("a refund lowers the level", () => {
  it("on the points basis: in proportion, at once, recorded as reversed, counted in the sale's month", async () => {
    const { company, tiers, memberId } = await setup();
    const sold = at("2025-03-28");
    const { orderId } = await earnSale(company.id, 500, sold); // 550: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });

    // Refunded the next month: $110 of $550.
    const refundedAt = at("2025-04-02");
    const reversed = await reverseRefunds(db, { companyId: company.id, order: refunded(orderId, 550, [110]), now: refundedAt, cache: cache() });

    expect(reversed).toBe(110);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, points: 440 });
    expect(await changesOf(company.id, memberId)).toEqual([
      ["Bronze", "Silver", "earned", null, sold],
      ["Silver", "Bronze", "reversed", null, refundedAt],
    ]);
    // In March, the sale's month: nothing for April.
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 3), points: 440, spent: 44000 }]);
    expect((await ledgerRows(company.id, memberId)).at(-1)).toEqual(["reversal", -110, -11000, `Refund of $110.00 on order ${orderId}`]);
    expect(await getMemberTier(db, company.id, memberId, refundedAt)).toMatchObject({ tier: tiers.Bronze, value: 440, next: { tier: tiers.Silver, missing: 60 } });

    // The same refund again (a webhook retry): nothing more.
    expect(await reverseRefunds(db, { companyId: company.id, order: refunded(orderId, 550, [110]), now: refundedAt + 1000 })).toBe(0);
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 3), points: 440, spent: 44000 }]);
    expect(await changesOf(company.id, memberId)).toHaveLength(2);
  });

  it("a refund that leaves the level where it was records nothing", async () => {
    const { company, tiers, memberId } = await setup();
    const { orderId } = await earnSale(company.id, 1000, at("2025-03-01")); // 1100: Gold
    expect(await reverseRefunds(db, { companyId: company.id, order: refunded(orderId, 1100, [55]), now: at("2025-03-02") })).toBe(55);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Gold!.id, points: 1045 });
    expect((await changesOf(company.id, memberId)).map((c) => c[2])).toEqual(["earned"]);
  });

  it("a refund of a sale that has left the window takes it from that month, not from what counts now", async () => {
    const { company, tiers, memberId } = await setup({ windowMonths: 1 });
    const { orderId: old } = await earnSale(company.id, 100, at("2025-01-10")); // 110 in January
    await earnSale(company.id, 500, at("2025-03-10")); // 550 in March: Silver
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });

    // January's sale refunded in full in March: January has nothing left, March still 550.
    expect(await reverseRefunds(db, { companyId: company.id, order: refunded(old, 110, [110]), now: at("2025-03-11") })).toBe(110);
    expect(await monthsOf(company.id, memberId)).toEqual([
      { month: month(2025, 1), points: 0, spent: 0 },
      { month: month(2025, 3), points: 550, spent: 55000 },
    ]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });
    expect((await changesOf(company.id, memberId)).map((c) => c[2])).toEqual(["earned"]);
  });

  it("on the spend basis: the spend comes down with the refund", async () => {
    const { company, tiers, memberId } = await setup({
      basis: "spend",
      tiers: [
        { name: "Member", threshold: 0, multiplier: 1 },
        { name: "VIP", threshold: 50000, multiplier: 1 },
      ],
    });
    const { orderId } = await earnSale(company.id, 500, at("2025-05-05")); // $550
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.VIP!.id });

    // Two refunds of $55.
    const order = refunded(orderId, 550, [55, 55]);
    expect(await reverseRefunds(db, { companyId: company.id, order, now: at("2025-05-06") })).toBe(110);
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 5), points: 440, spent: 44000 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Member!.id });
    expect(await changesOf(company.id, memberId)).toEqual([
      ["Member", "VIP", "earned", null, at("2025-05-05")],
      ["VIP", "Member", "reversed", null, at("2025-05-06")],
    ]);
    expect((await ledgerRows(company.id, memberId)).slice(1).map((r) => r.slice(0, 3))).toEqual([
      ["reversal", -55, -5500],
      ["reversal", -55, -5500],
    ]);
  });
});

describe("refunds in parts and the spend", () => {
  it("a refund too small to take back a point leaves its share of the spend to the next: spend and points come down alike", async () => {
    const { company, memberId } = await setup({
      basis: "spend",
      tiers: [
        { name: "Member", threshold: 0, multiplier: 1 },
        { name: "VIP", threshold: 100000, multiplier: 1 },
      ],
    });
    // A $10 sale at the base rate earns 10 points (paid $11.00 with GST: 11 points, 1100 cents).
    const { orderId } = await earnSale(company.id, 10, at("2025-05-05"));
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 5), points: 11, spent: 1100 }]);

    // $0.55 back (half a point: nothing written), then another $0.55: one point and $1.10 of spend.
    expect(await reverseRefunds(db, { companyId: company.id, order: refunded(orderId, 11, [0.55]), now: at("2025-05-06") })).toBe(0);
    expect(await reverseRefunds(db, { companyId: company.id, order: refunded(orderId, 11, [0.55, 0.55]), now: at("2025-05-07") })).toBe(1);
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 5), points: 10, spent: 990 }]);
    expect((await ledgerRows(company.id, memberId)).slice(1).map((r) => r.slice(0, 3))).toEqual([["reversal", -1, -110]]);
  });
});

describe("an order rejected or deleted lowers the level", () => {
  it("undoOrder takes back what is left of the earning and its spend", async () => {
    const { company, tiers, memberId } = await setup();
    await earnSale(company.id, 400, at("2025-07-01")); // 440
    const { orderId } = await earnSale(company.id, 100, at("2025-07-02")); // 550: Silver
    // Part refunded first, then the order deleted: the rest goes.
    await reverseRefunds(db, { companyId: company.id, order: refunded(orderId, 110, [11]), now: at("2025-07-03") });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 7), points: 539, spent: 53900 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id });

    const undone = await undoOrder(db, { companyId: company.id, orderId, reason: "deleted", now: at("2025-08-01"), cache: cache() });

    expect(undone).toEqual({ reversed: 99, returned: 0 });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 7), points: 440, spent: 44000 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Bronze!.id, points: 440 });
    expect(await changesOf(company.id, memberId)).toEqual([
      ["Bronze", "Silver", "earned", null, at("2025-07-02")],
      ["Silver", "Bronze", "reversed", null, at("2025-08-01")],
    ]);
    expect((await ledgerRows(company.id, memberId)).at(-1)).toEqual(["reversal", -99, -9900, `Order ${orderId} deleted: points earned reversed`]);
  });

  it("on the spend basis: a rejected order's spend stops counting", async () => {
    const { company, tiers, memberId } = await setup({ basis: "spend", tiers: [{ name: "VIP", threshold: 10000, multiplier: 1 }] });
    const { orderId } = await earnSale(company.id, 100, at("2025-07-01")); // $110
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.VIP!.id });
    await undoOrder(db, { companyId: company.id, orderId, reason: "rejected", now: at("2025-07-01") + 1000 });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 7), points: 0, spent: 0 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: null, reviewAt: null });
    expect(await changesOf(company.id, memberId)).toEqual([
      [null, "VIP", "earned", null, at("2025-07-01")],
      ["VIP", null, "reversed", null, at("2025-07-01") + 1000],
    ]);
  });
});

describe("points expiring do not lower the level", () => {
  it("the expiry takes the balance, the level and what counts toward it stay", async () => {
    const { company, tiers, memberId } = await setup();
    await db.update(companies).set({ expiryMonths: 1 }).where(eq(companies.id, company.id));
    await earnSale(company.id, 600, at("2025-01-10")); // 660: Silver

    const expiredAt = at("2025-02-20");
    const result = await expireCompanyPoints(db, { companyId: company.id, months: 1, now: expiredAt, queryBudget: 100 });

    expect(result.expired).toEqual([{ memberId, points: 660 }]);
    expect(await tierRow(memberId)).toMatchObject({ tierId: tiers.Silver!.id, points: 0 });
    expect(await monthsOf(company.id, memberId)).toEqual([{ month: month(2025, 1), points: 660, spent: 66000 }]);
    expect(await getMemberTier(db, company.id, memberId, expiredAt)).toMatchObject({ tier: tiers.Silver, value: 660 });
    // Nor does the review: the sale is still in the window.
    expect(await reviewTiers(db, [memberId], expiredAt + DAY)).toEqual([]);
    expect((await changesOf(company.id, memberId)).map((c) => c[2])).toEqual(["earned"]);
  });
});
