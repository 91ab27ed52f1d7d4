// The Kounta stand-in's in-memory state and what changes it: the call log, companies and their
// tokens, ids, and orders with their lines. The shapes are in model.ts, the demo company in
// demo-data.ts and the arithmetic of money in money.ts; all three are re-exported here, so the
// stand-in's modules import the state from one place.

import {
  DEMO_ACCESS_TOKEN, DEMO_COMPANY_ID, DEMO_CUSTOMERS, DEMO_PAYMENT_METHODS, DEMO_PRODUCTS,
  DEMO_REFRESH_TOKEN, DEMO_SITE_ID, DEMO_WEBHOOK, OPEN_ORDER_LINES,
} from "./demo-data.ts";
import {
  ACCESS_TOKEN_LIFETIME_SECONDS, FAR_FUTURE_MS, type CallRecord, type Company, type FetchLike, type Line, type Order,
  type Product, type StandInState,
} from "./model.ts";
import { taxOf } from "./money.ts";

export * from "./demo-data.ts";
export * from "./model.ts";
export * from "./money.ts";

/** Logs a call as it arrives; `answer` records the status it was given and passes the response on. */
export function recordCall(state: StandInState, call: Omit<CallRecord, "status" | "at">): { record: CallRecord; answer: (res: Response) => Response } {
  const record: CallRecord = { ...call, status: null, at: new Date(state.now()).toISOString() };
  state.calls.push(record);
  return {
    record,
    answer: (res) => {
      record.status = res.status;
      return res;
    },
  };
}

export interface StateOptions {
  /** Seed company 456 "Demo Café" with its demo tokens, catalogue and customers. Default false. */
  seedDemo?: boolean;
  /** With the demo, register its webhook to the loyalty Worker of `npm run dev` (http://localhost:8787). */
  demoWebhook?: boolean;
  /** The add-on's OAuth client id and secret. Defaults: local-dev-client-id / local-dev-client-secret. */
  clientId?: string;
  clientSecret?: string;
  /** The clock (epoch ms): token expiry and timestamps. */
  now?: () => number;
  /** How webhook deliveries are sent. Default: the global fetch, looked up at delivery time. */
  fetch?: FetchLike;
}

export function createState(options: StateOptions = {}): StandInState {
  const state: StandInState = {
    clientId: options.clientId ?? "local-dev-client-id",
    clientSecret: options.clientSecret ?? "local-dev-client-secret",
    developerCompanyId: DEMO_COMPANY_ID,
    seedDemo: options.seedDemo ?? false,
    demoWebhook: options.demoWebhook ?? false,
    now: options.now ?? (() => Date.now()),
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    companies: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    codes: new Map(),
    calls: [],
    deliveries: [],
    pending: new Set(),
    seq: 100000,
    orderSeq: 0,
  };
  if (state.seedDemo) seedDemo(state);
  return state;
}

/** Forgets everything (companies, tokens, calls, deliveries) and seeds the demo again if it was seeded. */
export function resetState(state: StandInState): void {
  state.companies.clear();
  state.accessTokens.clear();
  state.refreshTokens.clear();
  state.codes.clear();
  state.calls.length = 0;
  state.deliveries.length = 0;
  state.seq = 100000;
  state.orderSeq = 0;
  if (state.seedDemo) seedDemo(state);
}

export function seedDemo(state: StandInState): void {
  const { company } = addCompany(state, {
    id: DEMO_COMPANY_ID,
    name: "Demo Café",
    siteId: DEMO_SITE_ID,
    accessToken: DEMO_ACCESS_TOKEN,
    refreshToken: DEMO_REFRESH_TOKEN,
    accessTokenExpiresAt: FAR_FUTURE_MS,
  });
  if (!state.demoWebhook) return;
  company.webhooks.set(DEMO_WEBHOOK.id, {
    id: DEMO_WEBHOOK.id,
    topic: "orders/completed",
    address: DEMO_WEBHOOK.address,
    format: "json",
    filter: null,
    headers: { [DEMO_WEBHOOK.secretHeader]: DEMO_WEBHOOK.secret },
    createdAt: state.now(),
  });
}

/** A fresh id from the stand-in's one counter (lines, payments, customers, webhooks, new orders...). */
export function nextId(state: StandInState): string {
  state.seq += 1;
  return String(state.seq);
}

export function randomToken(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class ConflictError extends Error {}

export interface NewCompany {
  id?: string;
  name?: string;
  siteId?: string;
  accessToken?: string;
  refreshToken?: string;
  /** Seconds from now; 0 or less makes an access token that has already expired. */
  accessTokenExpiresIn?: number;
  /** Absolute expiry (epoch ms); wins over accessTokenExpiresIn. */
  accessTokenExpiresAt?: number;
  /** Seed the demo customers (789 John Smith and others); default true. */
  customers?: boolean;
}

export interface CreatedCompany {
  company: Company;
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
}

/** A company with the demo catalogue and payment methods, connected: it holds one access and one refresh token. */
export function addCompany(state: StandInState, input: NewCompany = {}): CreatedCompany {
  let id = input.id;
  if (id === undefined) {
    do id = nextId(state);
    while (state.companies.has(id));
  }
  if (state.companies.has(id)) throw new ConflictError(`Company ${id} already exists`);
  const accessToken = input.accessToken ?? randomToken("at_");
  const refreshToken = input.refreshToken ?? randomToken("rt_");
  if (state.accessTokens.has(accessToken)) throw new ConflictError("That access token is already in use");
  if (state.refreshTokens.has(refreshToken)) throw new ConflictError("That refresh token is already in use");

  const now = state.now();
  const siteId = input.siteId ?? `${id}1`;
  const company: Company = {
    id,
    name: input.name ?? `Test Café ${id}`,
    siteId,
    registerId: `${siteId}1`,
    sites: [{ id: siteId, name: "Main street" }],
    products: new Map(DEMO_PRODUCTS.map((p) => [p.id, { ...p }])),
    paymentMethods: new Map(DEMO_PAYMENT_METHODS.map((m) => [m.id, { ...m }])),
    customers: new Map(),
    orders: new Map(),
    deletedOrders: new Set(),
    webhooks: new Map(),
    faults: [],
    nextSaleNumber: 1001,
    createdAt: now,
  };
  if (input.customers ?? true) {
    for (const c of DEMO_CUSTOMERS) company.customers.set(c.id, { ...c, tags: [...c.tags], createdAt: now, updatedAt: now });
  }
  state.companies.set(id, company);

  const accessTokenExpiresAt = input.accessTokenExpiresAt ?? now + (input.accessTokenExpiresIn ?? ACCESS_TOKEN_LIFETIME_SECONDS) * 1000;
  state.accessTokens.set(accessToken, { token: accessToken, companyId: id, expiresAt: accessTokenExpiresAt });
  state.refreshTokens.set(refreshToken, { token: refreshToken, companyId: id, active: true });
  return { company, accessToken, refreshToken, accessTokenExpiresAt };
}

/** Issues a new access and refresh token pair for a company (the token endpoint). */
export function issueTokens(state: StandInState, companyId: string): { accessToken: string; refreshToken: string; expiresIn: number } {
  const accessToken = randomToken("at_");
  const refreshToken = randomToken("rt_");
  state.accessTokens.set(accessToken, { token: accessToken, companyId, expiresAt: state.now() + ACCESS_TOKEN_LIFETIME_SECONDS * 1000 });
  state.refreshTokens.set(refreshToken, { token: refreshToken, companyId, active: true });
  return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS };
}

/** Makes every access token of a company expired as of now (the expired_token fault). */
export function expireAccessTokens(state: StandInState, companyId: string): void {
  const now = state.now();
  for (const record of state.accessTokens.values()) {
    if (record.companyId === companyId && record.expiresAt > now) record.expiresAt = now;
  }
}

export function makeLine(state: StandInState, product: Product, input: { quantity?: number; unitPrice?: number; priceVariation?: number; notes?: string }): Line {
  const unitPrice = input.unitPrice ?? product.unitPrice;
  return {
    id: nextId(state),
    productId: product.id,
    productName: product.name,
    quantity: input.quantity ?? 1,
    unitPrice,
    unitTax: taxOf(unitPrice),
    priceVariation: input.priceVariation ?? 1,
    notes: input.notes ?? "",
  };
}

export function newOrder(state: StandInState, company: Company, id: string, init: Partial<Pick<Order, "status" | "notes" | "customerId" | "siteId" | "registerId" | "priceVariation">> = {}): Order {
  const now = state.now();
  const order: Order = {
    id,
    companyId: company.id,
    status: init.status ?? "SUBMITTED",
    notes: init.notes ?? "",
    customerId: init.customerId ?? null,
    registerId: init.registerId ?? company.registerId,
    siteId: init.siteId ?? company.siteId,
    saleNumber: company.nextSaleNumber++,
    lines: [],
    payments: [],
    priceVariation: init.priceVariation ?? 1,
    placedAt: now,
    createdAt: now,
    updatedAt: now,
    seq: ++state.orderSeq,
  };
  company.orders.set(id, order);
  return order;
}

/** Any order id of a company is an open order on first use. */
export function getOrOpenOrder(state: StandInState, company: Company, id: string): Order {
  const existing = company.orders.get(id);
  if (existing) return existing;
  const order = newOrder(state, company, id);
  for (const { productId, quantity } of OPEN_ORDER_LINES) {
    const product = company.products.get(productId);
    if (product) order.lines.push(makeLine(state, product, { quantity }));
  }
  return order;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}
