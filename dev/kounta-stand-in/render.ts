// How each record looks in Kounta's JSON (snake_case, ids as numbers plus id_str, money in dollars).
import { wireId } from "./http.ts";
import {
  isoTime,
  orderPaid,
  orderTotal,
  type Company,
  type Customer,
  type Line,
  type Order,
  type Payment,
  type PaymentMethod,
  type Product,
  type Site,
  type Webhook,
} from "./state.ts";

const ids = (id: string) => ({ id: wireId(id), id_str: id });

export function companyJson(company: Company) {
  return { ...ids(company.id), name: company.name, created_at: isoTime(company.createdAt), updated_at: isoTime(company.createdAt) };
}

export function siteJson(site: Site) {
  return { ...ids(site.id), name: site.name };
}

export function productJson(product: Product) {
  return { ...ids(product.id), name: product.name, unit_price: product.unitPrice };
}

export function paymentMethodJson(method: PaymentMethod) {
  return { ...ids(method.id), name: method.name };
}

export function customerJson(customer: Customer) {
  return {
    ...ids(customer.id),
    first_name: customer.firstName,
    last_name: customer.lastName,
    email: customer.email,
    phone: customer.phone,
    reference_id: customer.referenceId,
    tags: customer.tags,
    image: customer.image,
    created_at: isoTime(customer.createdAt),
    updated_at: isoTime(customer.updatedAt),
  };
}

export function lineJson(line: Line, index: number) {
  return {
    ...ids(line.id),
    number: index + 1,
    product: { ...ids(line.productId), name: line.productName },
    quantity: line.quantity,
    unit_price: line.unitPrice,
    unit_tax: line.unitTax,
    price_variation: line.priceVariation,
    notes: line.notes,
  };
}

export function paymentJson(payment: Payment, index: number) {
  return {
    ...ids(payment.id),
    number: index + 1,
    method: { ...ids(payment.methodId), name: payment.methodName },
    amount: payment.amount,
    ref: payment.ref,
    created_at: isoTime(payment.createdAt),
  };
}

export function orderJson(order: Order, company: Company) {
  const customer = order.customerId === null ? undefined : company.customers.get(order.customerId);
  return {
    ...orderSummaryJson(order),
    notes: order.notes,
    customer: customer ? customerJson(customer) : null,
    lines: order.lines.map(lineJson),
    payments: order.payments.map(paymentJson),
    price_variation: order.priceVariation,
  };
}

/** What the order list shows: no lines, payments, notes or customer record (GET the order for those). */
export function orderSummaryJson(order: Order) {
  return {
    ...ids(order.id),
    company_id: wireId(order.companyId),
    status: order.status,
    customer_id: wireId(order.customerId),
    register_id: wireId(order.registerId),
    site_id: wireId(order.siteId),
    sale_number: order.saleNumber,
    total: orderTotal(order),
    paid: orderPaid(order),
    placed_at: isoTime(order.placedAt),
    created_at: isoTime(order.createdAt),
    updated_at: isoTime(order.updatedAt),
  };
}

export function webhookJson(hook: Webhook) {
  return {
    ...ids(hook.id),
    topic: hook.topic,
    address: hook.address,
    format: hook.format,
    filter: hook.filter === null ? null : { ...hook.filter, ...(hook.filter.site_ids ? { site_ids: hook.filter.site_ids.map(wireId) } : {}) },
    headers: hook.headers,
  };
}
