// Money in the stand-in's orders, as Kounta works it out: GST on each unit price, totals and what
// has been paid, rounded to the cent.

import type { Order } from "./model.ts";

export const GST_RATE = 0.1;

/** Money: rounded to the cent, half away from zero (a tiny nudge absorbs binary fractions like 4.55 * 100). */
export function roundCents(value: number): number {
  const cents = Math.round(Math.abs(value) * 100 + 1e-6);
  const rounded = (Math.sign(value) * cents) / 100;
  return rounded === 0 ? 0 : rounded;
}

export function taxOf(unitPrice: number): number {
  return roundCents(unitPrice * GST_RATE);
}

export function orderTotal(order: Order): number {
  const sum = order.lines.reduce((acc, l) => acc + l.quantity * (l.unitPrice + l.unitTax) * l.priceVariation, 0);
  return roundCents(sum * order.priceVariation);
}

export function orderPaid(order: Order): number {
  return roundCents(order.payments.reduce((acc, p) => acc + p.amount, 0));
}
