// Orders, their lines and payments.
import type { Hono } from "hono";
import {
  ApiError,
  badRequest,
  bodyObject,
  callOf,
  companyOf,
  created,
  has,
  jsonResponse,
  noContent,
  notFound,
  paged,
  pathId,
  readId,
  readNumber,
  readString,
  type AppContext,
  type AppEnv,
} from "./http.ts";
import { lineJson, orderJson, orderSummaryJson } from "./render.ts";
import {
  EDITABLE_STATUSES,
  FINAL_STATUSES,
  ORDER_STATUSES,
  PAGE_SIZE,
  getOrOpenOrder,
  makeLine,
  newOrder,
  nextId,
  taxOf,
  type Company,
  type Line,
  type Order,
  type OrderStatus,
  type Payment,
  type StandInState,
} from "./state.ts";
import { parseTime, readCustomerId, readLineInput, readPaymentInput, readPriceVariation, readStatus, type PaymentInput } from "./order-inputs.ts";
import { deliverOrderEvent, waitUntilOf, type WaitUntil } from "./webhooks.ts";

const orderLocked = (order: Order, what: string) =>
  new ApiError(400, "order_locked", `Order ${order.id} is ${order.status}: ${what}`);

function assertLinesEditable(order: Order): void {
  if (!EDITABLE_STATUSES.has(order.status)) throw orderLocked(order, "its lines can no longer change");
}

/** Sets an order's status; becoming COMPLETE delivers `orders/completed`. */
export function setOrderStatus(state: StandInState, company: Company, order: Order, status: OrderStatus, waitUntil: WaitUntil): void {
  const was = order.status;
  order.status = status;
  order.updatedAt = state.now();
  if (status === "COMPLETE" && was !== "COMPLETE") deliverOrderEvent(state, company, order, "orders/completed", waitUntil);
}

function addPayment(state: StandInState, company: Company, order: Order, input: PaymentInput): Payment {
  const method = company.paymentMethods.get(input.methodId)!;
  const payment: Payment = { id: nextId(state), methodId: method.id, methodName: method.name, amount: input.amount, ref: input.ref, createdAt: state.now() };
  order.payments.push(payment);
  order.updatedAt = state.now();
  return payment;
}

function lineByNumber(order: Order, raw: string): { line: Line; index: number } {
  const index = /^[1-9]\d*$/.test(raw) ? Number(raw) - 1 : -1;
  const line = order.lines[index];
  if (!line) throw notFound(`Line ${raw} of order ${order.id}`);
  return { line, index };
}

export function registerOrderRoutes(app: Hono<AppEnv>, state: StandInState): void {
  const orders = "/v1/companies/:company/orders";
  const order = `${orders}/:order`;
  const orderOf = (c: AppContext) => {
    const company = companyOf(c);
    const id = pathId(c.req.param("order"), "Order");
    if (company.deletedOrders.has(id)) throw notFound(`Order ${id}`);
    return getOrOpenOrder(state, company, id);
  };

  // ---- Orders ----------------------------------------------------------------------------------

  app.get(orders, (c) => {
    const company = companyOf(c);
    const q = (name: string) => c.req.query(name);
    const statuses = q("status")?.split(",").map((s) => s.trim()).filter(Boolean);
    for (const s of statuses ?? []) {
      if (!(ORDER_STATUSES as readonly string[]).includes(s)) throw badRequest(`status must be one of ${ORDER_STATUSES.join(", ")}`);
    }
    const bounds = {
      createdGte: parseTime(q("created_gte"), "created_gte"),
      createdLte: parseTime(q("created_lte"), "created_lte"),
      updatedGte: parseTime(q("updated_gte"), "updated_gte"),
      updatedLte: parseTime(q("updated_lte"), "updated_lte"),
    };
    const siteId = q("site_id");
    const customerId = q("customer_id");
    const list = [...company.orders.values()]
      .filter((o) => !statuses || statuses.includes(o.status))
      .filter((o) => siteId === undefined || o.siteId === siteId)
      .filter((o) => customerId === undefined || o.customerId === customerId)
      // Timestamps on the wire have whole seconds: compare at that precision.
      .filter((o) => bounds.createdGte === undefined || Math.floor(o.createdAt / 1000) * 1000 >= bounds.createdGte)
      .filter((o) => bounds.createdLte === undefined || Math.floor(o.createdAt / 1000) * 1000 <= bounds.createdLte)
      .filter((o) => bounds.updatedGte === undefined || Math.floor(o.updatedAt / 1000) * 1000 >= bounds.updatedGte)
      .filter((o) => bounds.updatedLte === undefined || Math.floor(o.updatedAt / 1000) * 1000 <= bounds.updatedLte)
      .sort((a, b) => b.seq - a.seq);
    return paged(c, list, PAGE_SIZE, orderSummaryJson);
  });

  app.post(orders, (c) => {
    const company = companyOf(c);
    const body = bodyObject(callOf(c).body);
    const status = readStatus(body) ?? "SUBMITTED";
    const notes = readString(body, "notes");
    const customerId = readCustomerId(body, company);
    const siteId = readId(body, "site_id") ?? company.siteId;
    if (!company.sites.some((s) => s.id === siteId)) throw badRequest(`Site ${siteId} does not exist`);
    const registerId = readId(body, "register_id") ?? company.registerId;
    const priceVariation = readPriceVariation(body);
    const lineInputs = has(body, "lines") ? body.lines : [];
    const paymentInputs = has(body, "payments") ? body.payments : [];
    if (!Array.isArray(lineInputs)) throw badRequest("lines must be an array");
    if (!Array.isArray(paymentInputs)) throw badRequest("payments must be an array");
    const lines = lineInputs.map((l) => readLineInput(l, company, true));
    const payments = paymentInputs.map((p) => readPaymentInput(p, company));
    if (status === "REJECTED" && payments.length > 0) throw badRequest("A REJECTED order cannot take payments");

    let id: string;
    do id = nextId(state);
    while (company.orders.has(id));
    const made = newOrder(state, company, id, { status: "SUBMITTED", notes: notes ?? "", customerId: customerId ?? null, siteId, registerId, priceVariation });
    for (const l of lines) made.lines.push(makeLine(state, company.products.get(l.productId!)!, l));
    for (const p of payments) addPayment(state, company, made, p);
    setOrderStatus(state, company, made, status, waitUntilOf(c));
    return created(c, `/v1/companies/${company.id}/orders/${id}`);
  });

  app.get(order, (c) => {
    const company = companyOf(c);
    return jsonResponse(200, orderJson(orderOf(c), company));
  });

  app.put(order, (c) => {
    const company = companyOf(c);
    const o = orderOf(c);
    const body = bodyObject(callOf(c).body);
    const status = readStatus(body);
    const notes = readString(body, "notes");
    const customerId = readCustomerId(body, company);
    const priceVariation = readPriceVariation(body);
    if (status !== undefined && status !== o.status && FINAL_STATUSES.has(o.status)) throw orderLocked(o, "its status can no longer change");
    if (priceVariation !== undefined && priceVariation !== o.priceVariation && !EDITABLE_STATUSES.has(o.status)) {
      throw orderLocked(o, "its price_variation can no longer change");
    }

    if (notes !== undefined) o.notes = notes ?? "";
    if (customerId !== undefined) o.customerId = customerId;
    if (priceVariation !== undefined) o.priceVariation = priceVariation;
    o.updatedAt = state.now();
    if (status !== undefined && status !== o.status) setOrderStatus(state, company, o, status, waitUntilOf(c));
    return jsonResponse(200, orderJson(o, company));
  });

  app.delete(order, () => {
    throw new ApiError(405, "method_not_allowed", "Orders cannot be deleted: PUT a status of REJECTED instead", { Allow: "GET, PUT" });
  });

  // ---- Lines -----------------------------------------------------------------------------------

  app.post(`${order}/lines`, (c) => {
    const company = companyOf(c);
    const o = orderOf(c);
    assertLinesEditable(o);
    const input = readLineInput(callOf(c).body, company, true);
    const number = readNumber(bodyObject(callOf(c).body), "number");
    if (number !== undefined && (!Number.isInteger(number) || number < 1)) throw badRequest("number must be a whole number from 1");
    const line = makeLine(state, company.products.get(input.productId!)!, input);
    const index = number === undefined ? o.lines.length : Math.min(number - 1, o.lines.length);
    o.lines.splice(index, 0, line);
    o.updatedAt = state.now();
    return created(c, `/v1/companies/${company.id}/orders/${o.id}/lines/${index + 1}`);
  });

  app.put(`${order}/lines/:number`, (c) => {
    const company = companyOf(c);
    const o = orderOf(c);
    const { line, index } = lineByNumber(o, c.req.param("number"));
    assertLinesEditable(o);
    const input = readLineInput(callOf(c).body, company, false);
    if (input.productId !== undefined && input.productId !== line.productId) {
      const product = company.products.get(input.productId)!;
      line.productId = product.id;
      line.productName = product.name;
      if (input.unitPrice === undefined) line.unitPrice = product.unitPrice;
    }
    if (input.quantity !== undefined) line.quantity = input.quantity;
    if (input.unitPrice !== undefined) line.unitPrice = input.unitPrice;
    line.unitTax = taxOf(line.unitPrice);
    if (input.priceVariation !== undefined) line.priceVariation = input.priceVariation;
    if (input.notes !== undefined) line.notes = input.notes;
    o.updatedAt = state.now();
    return jsonResponse(200, lineJson(line, index));
  });

  app.delete(`${order}/lines/:number`, (c) => {
    const o = orderOf(c);
    const { index } = lineByNumber(o, c.req.param("number"));
    assertLinesEditable(o);
    o.lines.splice(index, 1);
    o.updatedAt = state.now();
    return noContent();
  });

  const noLineReads = () => {
    throw new ApiError(405, "method_not_allowed", "Lines cannot be read one by one: GET the order", { Allow: "PUT, DELETE" });
  };
  app.get(`${order}/lines/:number`, noLineReads);
  app.get(`${order}/lines`, () => {
    throw new ApiError(405, "method_not_allowed", "Lines cannot be listed: GET the order", { Allow: "POST" });
  });

  // ---- Payments --------------------------------------------------------------------------------

  app.post(`${order}/payments`, (c) => {
    const company = companyOf(c);
    const o = orderOf(c);
    if (o.status === "REJECTED") throw orderLocked(o, "it cannot take payments");
    const payment = addPayment(state, company, o, readPaymentInput(callOf(c).body, company));
    return created(c, `/v1/companies/${company.id}/orders/${o.id}/payments/${payment.id}`);
  });

  app.get(`${order}/payments`, () => {
    throw new ApiError(405, "method_not_allowed", "Payments cannot be listed: GET the order", { Allow: "POST" });
  });

  app.on(["GET", "PUT", "DELETE"], `${order}/payments/:payment`, () => {
    throw new ApiError(405, "method_not_allowed", "Payments cannot be read, changed or deleted one by one", { Allow: "" });
  });
}
