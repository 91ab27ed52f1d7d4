import type { KountaOrder, KountaOrderLine } from "../../kounta-api/types";
import { formatMoney } from "../../lib/money";
import type { EarningRuleKind } from "../../storage/schema";

// What a completed order earns, by the company's base rate and its earning rules. Pure: the order as
// Kounta shows it in, points out; no D1, no Kounta. The undoing of refunds uses `spentCents` (the
// amount that earned) to take back points in proportion.
//
// - What the customer paid for each line: quantity x (unit_price + unit_tax) x the line's
//   price_variation x the order's price_variation (Kounta's own total, before rounding).
// - Lines of a positive amount are purchases; each earns at its multiplier: the product's rule when
//   there is one, else the highest rule among the product's categories, else 1.
// - Lines of no or a negative amount earn nothing: our own reward lines (notes "Loyalty reward rdm_..."
//   with a zero price: a free product; or a negative one: an amount off) and a merchant's own discount
//   lines. A negative line is a discount on the whole sale: it lowers every purchase line's earning in
//   proportion. (A percent-off reward only lowers a line's price_variation and adds our note: that line
//   is still a purchase, earning on its discounted amount.)
// - The part of the sale paid by an excluded payment method (a gift card) or with points (our own
//   payments, ref "rdm_...", or any payment with the company's loyalty payment method) earns nothing: the earning is scaled by the share of the positive payments
//   made otherwise. Negative payments (refunds) do not count here: undoing a refund is its own step.
// - Below the minimum spend (on what earns, after all of the above) nothing; otherwise
//   points = floor(spent in currency units x points_per_currency_unit x multipliers).

export const REWARD_LINE_NOTE_PREFIX = "Loyalty reward rdm_";
export const REWARD_PAYMENT_REF_PREFIX = "rdm_";

export interface EarningSettings {
  pointsPerCurrencyUnit: number;
  minimumSpendCents: number;
  /**
   * The company's points-as-payment method: a payment with it is points, whatever its ref (a cashier
   * may take one by hand), so it earns nothing, like our own "rdm_" payments.
   */
  loyaltyPaymentMethodId?: string | null;
  /** The company's currency (ISO 4217), for the explanation's amounts; AUD when absent. */
  currency?: string;
}

export interface EarningRuleInput {
  kind: EarningRuleKind;
  targetId: string;
  multiplier: number | null;
  /** Inactive rules are ignored; missing means active. */
  active?: boolean;
}

export interface EarningResult {
  points: number;
  /** What earned, in cents: paid for purchases, after discounts and excluded payments. */
  spentCents: number;
  /** A short sentence for the ledger note, e.g. "12 points on $12.50 spent". */
  explanation: string;
}

/** Product id -> its category ids, for lines whose product on the order names no category. */
export type ProductCategories = ReadonlyMap<string, readonly string[]>;

/** The category ids a line's product carries on the order itself (none in Kounta's documented line). */
export function lineCategories(line: KountaOrderLine): string[] {
  const product = line.product;
  if (!product) return [];
  const ids = [...(product.categories ?? []), ...(product.category_id ? [product.category_id] : [])];
  return ids.filter((id) => id !== "");
}

export function isRewardLine(line: KountaOrderLine): boolean {
  return (line.notes ?? "").startsWith(REWARD_LINE_NOTE_PREFIX);
}

/**
 * A payment made with points: ours (ref "rdm_..."), or any with the company's loyalty payment method
 * (a cashier may take one by hand). It neither earns nor, refunded, gives cash back.
 */
export function isPointsPayment(payment: KountaOrder["payments"][number], loyaltyPaymentMethodId: string | null | undefined): boolean {
  if ((payment.ref ?? "").startsWith(REWARD_PAYMENT_REF_PREFIX)) return true;
  return !!payment.method?.id && payment.method.id === loyaltyPaymentMethodId;
}

/** Whether any active category rule exists (then lines need their products' categories). */
export function needsCategories(rules: readonly EarningRuleInput[]): boolean {
  return rules.some((r) => r.active !== false && r.kind === "category_multiplier");
}

/** What one line cost the customer, in cents (unrounded). */
export function lineCents(line: KountaOrderLine, orderVariation: number): number {
  const unit = (line.unit_price ?? 0) + (line.unit_tax ?? 0);
  return line.quantity * unit * (line.price_variation ?? 1) * orderVariation * 100;
}

const cleanCents = (x: number) => Math.round(x * 1e6) / 1e6;

export function pointsForOrder(
  order: KountaOrder,
  settings: EarningSettings,
  rules: readonly EarningRuleInput[],
  productCategories: ProductCategories = new Map(),
): EarningResult {
  const money = (cents: number) => formatMoney(cents, settings.currency);
  const active = rules.filter((r) => r.active !== false);
  const productRules = new Map<string, number>();
  const categoryRules = new Map<string, number>();
  const excludedMethods = new Set<string>();
  for (const r of active) {
    if (r.kind === "product_multiplier") productRules.set(r.targetId, r.multiplier ?? 1);
    else if (r.kind === "category_multiplier") categoryRules.set(r.targetId, r.multiplier ?? 1);
    else excludedMethods.add(r.targetId);
  }

  const multiplierOf = (line: KountaOrderLine): number => {
    const productId = line.product?.id;
    if (productId && productRules.has(productId)) return productRules.get(productId)!;
    let categories = lineCategories(line);
    if (categories.length === 0 && productId) categories = [...(productCategories.get(productId) ?? [])];
    const matched = categories.filter((c) => categoryRules.has(c)).map((c) => categoryRules.get(c)!);
    return matched.length > 0 ? Math.max(...matched) : 1;
  };

  const orderVariation = order.price_variation ?? 1;
  let purchases = 0;
  let discounts = 0;
  let weighted = 0;
  for (const line of order.lines) {
    const cents = lineCents(line, orderVariation);
    if (cents > 0) {
      purchases += cents;
      weighted += cents * multiplierOf(line);
    } else {
      // Our reward lines and any discount line: never earn, and lower what was paid.
      discounts += cents;
    }
  }
  const paidForGoods = Math.max(0, purchases + discounts);
  const discountShare = purchases > 0 ? paidForGoods / purchases : 0;

  let paid = 0;
  let notEarning = 0;
  for (const payment of order.payments) {
    const amount = payment.amount ?? 0;
    if (amount <= 0) continue;
    paid += amount;
    const method = payment.method?.id;
    if (isPointsPayment(payment, settings.loyaltyPaymentMethodId) || (method && excludedMethods.has(method))) notEarning += amount;
  }
  const earningShare = paid > 0 ? Math.max(0, (paid - notEarning) / paid) : 1;

  const spentCents = Math.round(cleanCents(paidForGoods * earningShare));
  const earningCents = cleanCents(weighted * discountShare * earningShare);
  const parts: string[] = [];
  if (notEarning > 0) parts.push(`${money(Math.round(notEarning * 100))} paid with points or excluded methods`);
  if (weighted !== purchases && purchases > 0) parts.push("multipliers applied");

  if (spentCents <= 0 || spentCents < settings.minimumSpendCents) {
    const why = spentCents > 0 ? `below the minimum spend of ${money(settings.minimumSpendCents)}` : "nothing paid that earns";
    return { points: 0, spentCents, explanation: `0 points on ${money(spentCents)} spent (${[why, ...parts].join("; ")})` };
  }
  const points = Math.max(0, Math.floor(cleanCents((earningCents * settings.pointsPerCurrencyUnit) / 100)));
  const detail = parts.length > 0 ? ` (${parts.join("; ")})` : "";
  return { points, spentCents, explanation: `${points} points on ${money(spentCents)} spent${detail}` };
}
