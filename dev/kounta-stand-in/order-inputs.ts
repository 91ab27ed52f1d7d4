// What the order routes (orders.ts) read from a request: a status, a line, a payment, a time, each
// checked as Kounta's API checks it (a 400 naming the field otherwise).
import { badRequest, bodyObject, readId, readNumber, readString, type JsonObject } from "./http.ts";
import { ADDON_PAYMENT_METHOD_ID, ORDER_STATUSES, roundCents, type Company, type OrderStatus } from "./state.ts";

export function readStatus(body: JsonObject): OrderStatus | undefined {
  const status = readString(body, "status");
  if (status === undefined) return undefined;
  if (status === null || !(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw badRequest(`status must be one of ${ORDER_STATUSES.join(", ")}`);
  }
  return status as OrderStatus;
}

export function readPriceVariation(body: JsonObject): number | undefined {
  const pv = readNumber(body, "price_variation");
  if (pv !== undefined && pv < 0) throw badRequest("price_variation must be 0 or more (1 = no change, 0.9 = 10% off)");
  return pv;
}

export function readCustomerId(body: JsonObject, company: Company): string | null | undefined {
  const id = readId(body, "customer_id");
  if (id && !company.customers.has(id)) throw badRequest(`Customer ${id} does not exist`);
  return id;
}

export interface LineInput {
  productId: string | undefined;
  quantity: number | undefined;
  unitPrice: number | undefined;
  priceVariation: number | undefined;
  notes: string | undefined;
}

export function readLineInput(raw: unknown, company: Company, requireProduct: boolean): LineInput {
  const body = bodyObject(raw);
  const productId = readId(body, "product_id");
  if (productId === null || (requireProduct && productId === undefined)) throw badRequest("product_id is required");
  if (productId !== undefined && !company.products.has(productId)) throw badRequest(`Product ${productId} does not exist`);
  const quantity = readNumber(body, "quantity");
  if (quantity === 0) throw badRequest("quantity must not be 0");
  // A negative unit_price is accepted: an amount-off reward is a line priced below zero.
  const unitPrice = readNumber(body, "unit_price");
  const priceVariation = readPriceVariation(body);
  const notes = readString(body, "notes");
  return { productId, quantity, unitPrice, priceVariation, notes: notes ?? undefined };
}

export interface PaymentInput {
  methodId: string;
  amount: number;
  ref: string | null;
}

export function readPaymentInput(raw: unknown, company: Company): PaymentInput {
  const body = bodyObject(raw);
  const methodId = readId(body, "method_id") ?? ADDON_PAYMENT_METHOD_ID;
  if (!company.paymentMethods.has(methodId)) throw badRequest(`Payment method ${methodId} does not exist`);
  const amount = readNumber(body, "amount");
  if (amount === undefined) throw badRequest("amount is required");
  if (roundCents(amount) === 0) throw badRequest("amount must not be 0");
  const ref = readString(body, "ref") ?? null;
  return { methodId, amount: roundCents(amount), ref };
}

export function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badRequest(`${name} must be an ISO 8601 date and time`);
  return ms;
}
