// In-memory state of the Kounta stand-in: companies with their catalogue, customers, orders and webhooks,
// OAuth codes and tokens, and what the stand-in saw (calls) and did (webhook deliveries).
// Kounta ids are kept as strings everywhere; they become JSON numbers only on the wire (see http.ts).

export type OrderStatus = "SUBMITTED" | "ON_HOLD" | "PENDING" | "ACCEPTED" | "REJECTED" | "COMPLETE";
export const ORDER_STATUSES: readonly OrderStatus[] = ["SUBMITTED", "ON_HOLD", "PENDING", "ACCEPTED", "REJECTED", "COMPLETE"];
/** Lines (and the order's own price_variation) can change only in these statuses. */
export const EDITABLE_STATUSES: ReadonlySet<OrderStatus> = new Set(["SUBMITTED", "ON_HOLD", "PENDING"]);
/** A finished order's status can no longer change. */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(["COMPLETE", "REJECTED"]);

export const DEMO_COMPANY_ID = "456";
export const DEMO_SITE_ID = "123";
export const DEMO_ACCESS_TOKEN = "dev-access-token-456";
export const DEMO_REFRESH_TOKEN = "dev-refresh-token-456";
/** The add-on's own payment method: used when a payment leaves out method_id. */
export const ADDON_PAYMENT_METHOD_ID = "5001";
/** The product an amount-off reward adds as a line with a negative unit_price. */
export const LOYALTY_REWARD_PRODUCT_ID = "9001";
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
export const AUTH_CODE_LIFETIME_MS = 10 * 60 * 1000;
/** 9999-12-31T23:59:59Z: the demo access token never expires by itself. */
export const FAR_FUTURE_MS = 253402300799000;
export const PAGE_SIZE = 25;
export const GST_RATE = 0.1;

export const DEMO_PRODUCTS: readonly Product[] = [
  { id: "2001", name: "Flat white", unitPrice: 4.5 },
  { id: "2002", name: "Banana bread", unitPrice: 5 },
  { id: "2003", name: "Slice of cake", unitPrice: 6 },
  { id: LOYALTY_REWARD_PRODUCT_ID, name: "Loyalty reward", unitPrice: 0 },
];

export const DEMO_PAYMENT_METHODS: readonly PaymentMethod[] = [
  { id: "1", name: "Cash" },
  { id: "2", name: "Card" },
  { id: "3", name: "Gift card" },
  { id: ADDON_PAYMENT_METHOD_ID, name: "Loyalty points" },
];

export const DEMO_CUSTOMERS: readonly Omit<Customer, "createdAt" | "updatedAt">[] = [
  { id: "789", firstName: "John", lastName: "Smith", email: "john.smith@example.com", phone: "0412 345 678", referenceId: "mem_8f3k2", tags: [], image: null },
  { id: "790", firstName: "Jane", lastName: "Citizen", email: "jane.citizen@example.com", phone: null, referenceId: null, tags: [], image: null },
  { id: "791", firstName: "Sam", lastName: "Lee", email: null, phone: "0400 111 222", referenceId: null, tags: ["regular"], image: null },
];

/** What an order id that nobody has used yet holds: an open sale of 2 x Flat white + 1 x Banana bread. */
export const OPEN_ORDER_LINES: readonly { productId: string; quantity: number }[] = [
  { productId: "2001", quantity: 2 },
  { productId: "2002", quantity: 1 },
];

export interface Product {
  id: string;
  name: string;
  /** Ex tax. */
  unitPrice: number;
}

export interface PaymentMethod {
  id: string;
  name: string;
}

export interface Site {
  id: string;
  name: string;
}

export interface Customer {
  id: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  referenceId: string | null;
  tags: string[];
  image: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Line {
  id: string;
  productId: string;
  productName: string;
  quantity: number;
  /** Ex tax. */
  unitPrice: number;
  unitTax: number;
  priceVariation: number;
  notes: string;
}

export interface Payment {
  id: string;
  methodId: string;
  methodName: string;
  amount: number;
  ref: string | null;
  createdAt: number;
}

export interface Order {
  id: string;
  companyId: string;
  status: OrderStatus;
  notes: string;
  customerId: string | null;
  registerId: string;
  siteId: string;
  saleNumber: number;
  /** In order: a line's number is its position + 1. */
  lines: Line[];
  payments: Payment[];
  priceVariation: number;
  placedAt: number;
  createdAt: number;
  updatedAt: number;
  /** Creation order, for listing. */
  seq: number;
}

export interface WebhookFilter {
  site_ids?: string[];
}

export interface Webhook {
  id: string;
  topic: string;
  address: string;
  format: "json";
  filter: WebhookFilter | null;
  headers: Record<string, string>;
  createdAt: number;
}

export type FaultKind =
  | "slow"
  | "rate_limit"
  | "server_error"
  | "expired_token"
  | "order_completed"
  | "bad_request"
  | "redirect"
  | "connection_lost"
  | "no_answer"
  | "late_answer";
export const FAULT_KINDS: readonly FaultKind[] = [
  "slow",
  "rate_limit",
  "server_error",
  "expired_token",
  "order_completed",
  "bad_request",
  "redirect",
  "connection_lost",
  "no_answer",
  "late_answer",
];

/**
 * The header a `connection_lost` answer carries (value "connection_lost"): whoever carries the app's
 * answers to the caller drops the connection instead of passing it on. The Node server (node-server.ts)
 * resets the TCP connection; the tests' in-isolate fetch (test/kounta-harness.ts) throws the error
 * Workers report for a lost connection ("Network connection lost.").
 */
export const CONNECTION_LOST_HEADER = "X-Stand-In-Fault";

export interface Fault {
  fault: FaultKind;
  /** How many more calls this fault affects. */
  remaining: number;
  delayMs: number;
  retryAfter: string;
  orderId: string | null;
  /** Where a `redirect` sends the call; null: the same path on another host. */
  location: string | null;
}

export interface Company {
  id: string;
  name: string;
  siteId: string;
  registerId: string;
  sites: Site[];
  products: Map<string, Product>;
  paymentMethods: Map<string, PaymentMethod>;
  customers: Map<string, Customer>;
  orders: Map<string, Order>;
  /** Orders deleted in the back office: the API answers 404 for them from then on. */
  deletedOrders: Set<string>;
  webhooks: Map<string, Webhook>;
  faults: Fault[];
  nextSaleNumber: number;
  createdAt: number;
}

export interface AccessTokenRecord {
  token: string;
  companyId: string;
  expiresAt: number;
}

export interface RefreshTokenRecord {
  token: string;
  companyId: string;
  /** false once it has been used (refresh tokens rotate). */
  active: boolean;
}

export interface AuthCodeRecord {
  code: string;
  companyId: string;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export type AuthKind = "bearer" | "basic" | "none";

export interface CallRecord {
  /** The company the call was for (by its credentials, else by its path); null when neither says. */
  companyId: string | null;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON or form body, secrets replaced by "***"; null without a body. */
  body: unknown;
  auth: AuthKind;
  /** null while the call is still being answered (a slow fault). */
  status: number | null;
  at: string;
}

export interface Delivery {
  id: string;
  companyId: string;
  webhookId: string;
  topic: string;
  address: string;
  headers: Record<string, string>;
  /** The JSON text sent. */
  body: string;
  status: "pending" | "delivered" | "failed";
  httpStatus: number | null;
  error: string | null;
  at: string;
}

export type FetchLike = (request: Request) => Promise<Response>;

export interface StandInState {
  clientId: string;
  clientSecret: string;
  /** The company Basic auth (client id and secret) reaches: the developer's own. */
  developerCompanyId: string;
  seedDemo: boolean;
  /** With the demo: its orders/completed webhook pointing at `npm run dev`'s Worker (DEMO_WEBHOOK). */
  demoWebhook: boolean;
  now: () => number;
  /** Used for webhook deliveries. */
  fetch: FetchLike;
  companies: Map<string, Company>;
  accessTokens: Map<string, AccessTokenRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  codes: Map<string, AuthCodeRecord>;
  calls: CallRecord[];
  deliveries: Delivery[];
  /** Webhook deliveries still in flight. */
  pending: Set<Promise<void>>;
  /** The last id handed out (see nextId). */
  seq: number;
  /** Creation order of orders, for listing. */
  orderSeq: number;
}

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

/**
 * The demo company's orders/completed webhook, as connecting would have registered it: pointing at the
 * loyalty Worker of `npm run dev`, with the local secret whose hash scripts/seed.ts stores.
 */
export const DEMO_WEBHOOK = {
  id: "9456",
  address: "http://localhost:8787/kounta/webhooks/orders",
  secretHeader: "X-Loyalty-Webhook-Secret",
  secret: "dev-webhook-secret-456",
};

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
