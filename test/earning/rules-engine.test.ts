import { describe, expect, it } from "vitest";
import { orderSchema } from "../../src/kounta-api/types";
import { pointsForOrder, type EarningRuleInput } from "../../src/loyalty/earning/earning-rules-engine";

// The pure earning rules: an order as Kounta shows it in, points out.

type Line = { product: string; quantity?: number; price: number; tax?: number; variation?: number; notes?: string; categories?: unknown };
type Payment = { method: string; amount: number; ref?: string };

function order(lines: Line[], payments: Payment[] = [], extra: Record<string, unknown> = {}) {
  return orderSchema.parse({
    id: 501,
    status: "COMPLETE",
    site_id: 11,
    lines: lines.map((l, i) => ({
      number: i + 1,
      product: { id: Number(l.product), id_str: l.product, name: `P${l.product}`, ...(l.categories ? { categories: l.categories } : {}) },
      quantity: l.quantity ?? 1,
      unit_price: l.price,
      unit_tax: l.tax ?? Math.round(l.price * 10) / 100,
      price_variation: l.variation ?? 1,
      notes: l.notes ?? "",
    })),
    payments: payments.map((p, i) => ({ id: 900 + i, method: { id: Number(p.method), name: "m" }, amount: p.amount, ref: p.ref ?? "" })),
    ...extra,
  });
}

const base = { pointsPerCurrencyUnit: 1, minimumSpendCents: 0 };
const rule = (kind: EarningRuleInput["kind"], targetId: string, multiplier: number | null = null): EarningRuleInput => ({ kind, targetId, multiplier });

describe("pointsForOrder", () => {
  it("earns per whole currency unit paid, tax included, floored", () => {
    // 2 x 4.95 + 5.50 = 15.40
    const o = order([{ product: "2001", quantity: 2, price: 4.5 }, { product: "2002", price: 5 }], [{ method: "2", amount: 15.4 }]);
    expect(pointsForOrder(o, base, [])).toEqual({ points: 15, spentCents: 1540, explanation: "15 points on $15.40 spent" });
    expect(pointsForOrder(o, { ...base, pointsPerCurrencyUnit: 2.5 }, []).points).toBe(38); // 38.5
    expect(pointsForOrder(o, { ...base, pointsPerCurrencyUnit: 0 }, []).points).toBe(0);
  });

  it("counts line and order price variations (discounts)", () => {
    // 4.95 x 0.5 = 2.475; 5.50; x 0.9 => 7.1775
    const o = order([{ product: "2001", price: 4.5, variation: 0.5 }, { product: "2002", price: 5 }], [], { price_variation: 0.9 });
    const r = pointsForOrder(o, { ...base, pointsPerCurrencyUnit: 10 }, []);
    expect(r.spentCents).toBe(718);
    expect(r.points).toBe(71);
  });

  it("multiplies per product, and per category (the product's rule first, the highest category)", () => {
    const o = order([
      { product: "2001", price: 10, tax: 0 },
      { product: "2002", price: 10, tax: 0, categories: [{ id: 7 }, { id: 8 }] },
      { product: "2003", price: 10, tax: 0, categories: ["7"] },
    ]);
    const rules = [rule("product_multiplier", "2001", 3), rule("category_multiplier", "7", 2), rule("category_multiplier", "8", 1.5), rule("product_multiplier", "2003", 0.5)];
    // 10 x 3 + 10 x 2 + 10 x 0.5 = 55
    expect(pointsForOrder(o, base, rules)).toMatchObject({ points: 55, spentCents: 3000 });
    // Inactive rules do not count.
    expect(pointsForOrder(o, base, rules.map((r) => ({ ...r, active: false }))).points).toBe(30);
  });

  it("takes categories from the products when the lines name none", () => {
    const o = order([{ product: "2001", price: 10, tax: 0 }, { product: "2002", price: 10, tax: 0 }]);
    const categories = new Map([["2002", ["44"]]]);
    expect(pointsForOrder(o, base, [rule("category_multiplier", "44", 4)], categories).points).toBe(50);
  });

  it("never earns on our reward lines: an amount off lowers what was paid", () => {
    const o = order(
      [
        { product: "2001", price: 10, tax: 0 },
        { product: "2002", price: 10, tax: 0 },
        { product: "9001", price: -5, tax: 0, notes: "Loyalty reward rdm_abc: $5 off" },
        { product: "2003", price: 0, tax: 0, notes: "Loyalty reward rdm_def: Free cake" },
      ],
      [{ method: "1", amount: 15 }],
    );
    expect(pointsForOrder(o, base, [rule("product_multiplier", "9001", 10), rule("product_multiplier", "2003", 10)])).toMatchObject({
      points: 15,
      spentCents: 1500,
    });
    // The discount is spread over the purchases in proportion.
    expect(pointsForOrder(o, base, [rule("product_multiplier", "2001", 3)]).points).toBe(30); // (30 + 10) x 0.75
  });

  it("a percent-off reward line is still a purchase, at its discounted price", () => {
    const o = order([{ product: "2001", price: 10, tax: 0, variation: 0.8, notes: "Loyalty reward rdm_x: 20% off" }]);
    expect(pointsForOrder(o, base, []).points).toBe(8);
  });

  it("excluded payment methods and our loyalty payments earn nothing, in proportion", () => {
    const lines = [{ product: "2001", price: 20, tax: 0 }];
    const giftCard = order(lines, [{ method: "3", amount: 5 }, { method: "2", amount: 15 }]);
    expect(pointsForOrder(giftCard, base, [rule("excluded_payment_method", "3")])).toMatchObject({ points: 15, spentCents: 1500 });
    expect(pointsForOrder(giftCard, base, []).points).toBe(20);

    const withPoints = order(lines, [{ method: "5001", amount: 8, ref: "rdm_abc" }, { method: "1", amount: 12 }]);
    const r = pointsForOrder(withPoints, base, []);
    expect(r).toMatchObject({ points: 12, spentCents: 1200 });
    expect(r.explanation).toContain("$8.00 paid with points or excluded methods");

    const allPoints = order(lines, [{ method: "5001", amount: 20, ref: "rdm_abc" }]);
    expect(pointsForOrder(allPoints, base, [])).toMatchObject({ points: 0, spentCents: 0 });

    // The company's loyalty payment method is points even without our ref (a cashier's own).
    const byHand = order(lines, [{ method: "5001", amount: 5 }, { method: "1", amount: 15 }]);
    expect(pointsForOrder(byHand, { ...base, loyaltyPaymentMethodId: "5001" }, [])).toMatchObject({ points: 15, spentCents: 1500 });
    expect(pointsForOrder(byHand, { ...base, loyaltyPaymentMethodId: null }, []).points).toBe(20);
  });

  it("refunds (negative payments) are not the earning's business", () => {
    const o = order([{ product: "2001", price: 20, tax: 0 }], [{ method: "2", amount: 20 }, { method: "2", amount: -5 }]);
    expect(pointsForOrder(o, base, []).points).toBe(20);
  });

  it("earns nothing below the minimum spend (what earns, after exclusions)", () => {
    const o = order([{ product: "2001", price: 10, tax: 0 }], [{ method: "3", amount: 4 }, { method: "2", amount: 6 }]);
    expect(pointsForOrder(o, { ...base, minimumSpendCents: 1000 }, []).points).toBe(10);
    const r = pointsForOrder(o, { ...base, minimumSpendCents: 1000 }, [rule("excluded_payment_method", "3")]);
    expect(r).toMatchObject({ points: 0, spentCents: 600 });
    expect(r.explanation).toContain("below the minimum spend of $10.00");
    expect(pointsForOrder(o, { ...base, minimumSpendCents: 600 }, [rule("excluded_payment_method", "3")]).points).toBe(6);
  });

  it("is exact at whole units despite binary fractions", () => {
    // 3 x 1.10 = 3.3000000000000003 and friends: 0.1 + 0.2 style sums must not lose a point.
    const o = order([{ product: "2001", quantity: 3, price: 1.1, tax: 0 }, { product: "2002", quantity: 7, price: 0.1, tax: 0 }]);
    expect(pointsForOrder(o, { ...base, pointsPerCurrencyUnit: 10 }, []).points).toBe(40);
  });
});
