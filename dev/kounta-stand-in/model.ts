// The shapes of the Kounta stand-in's in-memory state: companies with their catalogue, customers,
// orders and webhooks, OAuth codes and tokens, and what the stand-in saw (calls) and did (webhook
// deliveries). Kounta ids are kept as strings everywhere; they become JSON numbers only on the wire
// (see http.ts).

export type OrderStatus = "SUBMITTED" | "ON_HOLD" | "PENDING" | "ACCEPTED" | "REJECTED" | "COMPLETE";
export const ORDER_STATUSES: readonly OrderStatus[] = ["SUBMITTED", "ON_HOLD", "PENDING", "ACCEPTED", "REJECTED", "COMPLETE"];
/** Lines (and the order's own price_variation) can change only in these statuses. */
export const EDITABLE_STATUSES: ReadonlySet<OrderStatus> = new Set(["SUBMITTED", "ON_HOLD", "PENDING"]);
/** A finished order's status can no longer change. */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(["COMPLETE", "REJECTED"]);

export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
export const AUTH_CODE_LIFETIME_MS = 10 * 60 * 1000;
/** 9999-12-31T23:59:59Z: the demo access token never expires by itself. */
export const FAR_FUTURE_MS = 253402300799000;
export const PAGE_SIZE = 25;

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
  | "late_answer"
  | "gateway_error";
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
  "gateway_error",
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
  /** The status a `gateway_error` answers (502 by default). */
  status: number;
  /** Whether a `gateway_error` carries the call out before answering (default true). */
  carriedOut: boolean;
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
