import type { z } from "zod";
import type { Config } from "../config";
import type { Database } from "../storage/db";
import type { Logger } from "../lib/logger";
import type { RequestMetrics } from "../lib/metrics";
import type { ConnectionToken } from "../storage/kounta-connections";
import { KountaApiError, kountaErrorText } from "./errors";
import type { WaitUntil } from "./background";
import { answerFailure, fetchKounta, readAnswer } from "./http";
import { KountaTokenStore } from "./tokens";
import { customerSchema, orderSchema, productSchema, type KountaCustomer, type KountaOrder, type KountaProduct } from "./types";

const PER_CALL_TIMEOUT_MS = 4_000;
const MAX_REDIRECTS = 3;
const MAX_RATE_LIMIT_RETRIES = 2;

export interface KountaClientOptions {
  db: Database;
  companyId: string;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  metrics?: RequestMetrics;
  /** Epoch ms by which every call, retries and waits included, must be over. */
  deadline: number;
  perCallTimeoutMs?: number;
  fetch?: typeof fetch;
  /** The company's access token when the caller has already read it from D1 (as stored: encrypted). */
  knownToken?: { accessToken: string | null; expiresAt: number | null };
  /** TOKEN_ENCRYPTION_KEYS, to read and write the company's tokens. */
  encryptionKeys: string;
  /** A token refresh's own time limit (default 15 s): it is not cut short by `deadline` (tokens.ts). */
  refreshTimeoutMs?: number;
  /** Keeps a token refresh going after its caller stopped waiting (`ctx.waitUntil`; default: the runtime's own). */
  waitUntil?: WaitUntil;
}

/** What a Kounta client of one company is given besides the Worker's configuration and D1. */
export interface KountaClientFor {
  companyId: string;
  logger: Logger;
  /** Epoch ms by which every call, retries and waits included, must be over. */
  deadline: number;
  metrics?: RequestMetrics;
  fetch?: typeof fetch;
  /** The company's connection as the caller already read it from D1 (its access token as stored), to save a read. */
  connection?: ConnectionToken;
  /** The invocation's `ctx.waitUntil`, for a token refresh that outlives its caller (default: the runtime's). */
  waitUntil?: WaitUntil;
}

/** Clients as the composition root hands them out (src/services.ts): one company's, for a deadline. */
export type KountaClientFactory = (
  companyId: string,
  options: Pick<KountaClientFor, "deadline"> & Partial<Pick<KountaClientFor, "logger" | "connection" | "waitUntil">>,
) => KountaClient;

/** The Kounta client of one company, configured as every client of this Worker is (the composition root's and the jobs'). */
export function kountaClientFor(
  config: Pick<Config, "KOUNTA_API_BASE_URL" | "KOUNTA_CLIENT_ID" | "KOUNTA_CLIENT_SECRET" | "TOKEN_ENCRYPTION_KEYS">,
  db: Database,
  options: KountaClientFor,
): KountaClient {
  const { connection, ...rest } = options;
  return new KountaClient({
    db,
    baseUrl: config.KOUNTA_API_BASE_URL,
    clientId: config.KOUNTA_CLIENT_ID,
    clientSecret: config.KOUNTA_CLIENT_SECRET,
    encryptionKeys: config.TOKEN_ENCRYPTION_KEYS,
    ...rest,
    ...(connection ? { knownToken: { accessToken: connection.access_token, expiresAt: connection.access_token_expires_at } } : {}),
  });
}

export interface KountaResponse<T> {
  status: number;
  /** The Location header of a 201 Created: where the new line or payment lives. */
  location: string | null;
  /** X-Next-Page of a list: the full URL of the next page, or null on the last. */
  nextPage: string | null;
  data: T;
}

export interface NewLine {
  product_id: string;
  quantity?: number;
  unit_price?: number;
  price_variation?: number;
  notes?: string;
}

export interface NewPayment {
  method_id?: string;
  amount: number;
  ref: string;
}

export interface CallOptions {
  /**
   * An earlier deadline for this call (retries and waits included) than the client's own, keeping
   * the rest of the time for what the caller may have to do after it (put back a change).
   */
  deadline?: number;
}

/**
 * The Kounta REST API for one company, as the redemption needs it. Every call is time-bound (per
 * call and by the overall deadline), negotiates JSON, follows a read's redirects on Kounta's own
 * origin only (keeping the Authorization header), never follows a change's redirect, refreshes the
 * tokens once on an expired-token answer and honours 429 Retry-After only when the wait fits in the
 * time left.
 */
export class KountaClient {
  private readonly tokens: KountaTokenStore;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: KountaClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.tokens = new KountaTokenStore({
      db: options.db,
      companyId: options.companyId,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      logger: options.logger,
      // The refresh's own time limit, not the deadline's (tokens.ts): only measured here.
      fetch: (input, init) => this.measured(() => this.fetchImpl(input, init)),
      refreshTimeoutMs: options.refreshTimeoutMs,
      waitUntil: options.waitUntil,
      known: options.knownToken,
      encryptionKeys: options.encryptionKeys,
    });
  }

  /** Epoch ms by which every call of this client must be over. */
  get deadline(): number {
    return this.options.deadline;
  }

  private get company(): string {
    return encodeURIComponent(this.options.companyId);
  }

  async getOrder(orderId: string): Promise<KountaOrder> {
    const res = await this.request("GET", `/companies/${this.company}/orders/${encodeURIComponent(orderId)}`);
    return parse(orderSchema, res.data, "order");
  }

  async getCustomer(customerId: string): Promise<KountaCustomer> {
    const res = await this.request("GET", `/companies/${this.company}/customers/${encodeURIComponent(customerId)}`);
    return parse(customerSchema, res.data, "customer");
  }

  async getProduct(productId: string): Promise<KountaProduct> {
    const res = await this.request("GET", `/companies/${this.company}/products/${encodeURIComponent(productId)}`);
    return parse(productSchema, res.data, "product");
  }

  /**
   * One page of the company's orders: the first by filters (`status`, `updated_gte`, ... as Kounta
   * names them), the next ones by the full X-Next-Page URL a page named. The summaries are left to
   * the caller to read (Kounta's list shows no lines or payments).
   */
  async listOrders(page: Record<string, string> | string): Promise<{ data: unknown; next: string | null }> {
    const res =
      typeof page === "string"
        ? await this.requestUrl("GET", this.sameOrigin(page))
        : await this.request("GET", `/companies/${this.company}/orders?${new URLSearchParams(page).toString()}`);
    return { data: res.data, next: res.nextPage ? this.sameOrigin(res.nextPage) : null };
  }

  /** A URL Kounta handed us (X-Next-Page, a redirect), only on Kounta's own origin: our token goes nowhere else. */
  private sameOrigin(url: string, base: string = this.options.baseUrl, what = "a next page"): string {
    const origin = new URL(this.options.baseUrl).origin;
    const target = new URL(url, base);
    if (target.origin !== origin) throw new KountaApiError("refused", `Kounta named ${what} on another host`);
    return target.toString();
  }

  addLine(orderId: string, line: NewLine): Promise<KountaResponse<unknown>> {
    return this.request("POST", `/companies/${this.company}/orders/${encodeURIComponent(orderId)}/lines`, line);
  }

  updateLine(orderId: string, lineNumber: number, patch: Partial<NewLine>, options?: CallOptions): Promise<KountaResponse<unknown>> {
    return this.request("PUT", `/companies/${this.company}/orders/${encodeURIComponent(orderId)}/lines/${lineNumber}`, patch, options);
  }

  addPayment(orderId: string, payment: NewPayment): Promise<KountaResponse<unknown>> {
    return this.request("POST", `/companies/${this.company}/orders/${encodeURIComponent(orderId)}/payments`, payment);
  }

  async request(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<KountaResponse<unknown>> {
    const [pathname, search] = path.split("?", 2);
    const url = `${this.options.baseUrl.replace(/\/+$/, "")}${pathname}.json${search ? `?${search}` : ""}`;
    return this.requestUrl(method, url, body, options);
  }

  private async requestUrl(method: string, url: string, body?: unknown, options: CallOptions = {}): Promise<KountaResponse<unknown>> {
    const deadline = Math.min(options.deadline ?? Infinity, this.options.deadline);
    let token = await this.tokens.accessToken(deadline);
    let refreshed = false;
    for (let rateLimitRetries = 0; ; ) {
      const res = await this.send(url, method, token, body, deadline);
      const { text, json } = await readAnswer(res, method);

      if ((res.status === 401 || res.status === 400) && !refreshed && /expired/i.test(kountaErrorText(json) || text)) {
        refreshed = true;
        token = await this.tokens.refresh(token, deadline);
        continue;
      }
      if (res.status === 429) {
        const wait = retryAfterMs(res.headers, Date.now());
        if (rateLimitRetries < MAX_RATE_LIMIT_RETRIES && wait !== null && Date.now() + wait < deadline - 500) {
          rateLimitRetries += 1;
          this.options.logger.warn("kounta rate limited, waiting", { company_id: this.options.companyId, wait_ms: wait });
          await new Promise((resolve) => setTimeout(resolve, wait));
          continue;
        }
        throw new KountaApiError("rate_limited", "Kounta is rate limiting this company", 429);
      }
      if (res.status === 401 || res.status === 403) {
        throw new KountaApiError("unauthorized", kountaErrorText(json) || "Kounta refused our credentials", res.status);
      }
      if (res.status === 404) throw new KountaApiError("not_found", kountaErrorText(json) || "Not found in Kounta", 404);
      const failure = answerFailure(res.status, json);
      if (failure) throw failure;
      return { status: res.status, location: res.headers.get("location"), nextPage: res.headers.get("x-next-page"), data: json };
    }
  }

  /**
   * One request. A read follows redirects on Kounta's own origin, with the Authorization header
   * (fetch would drop it across origins); a redirect elsewhere would hand our token to another host,
   * so it is refused. A change (POST, PUT, DELETE) never follows one: sending it again could apply it
   * twice, and whether Kounta applied it before redirecting is unknown.
   */
  private async send(url: string, method: string, token: string, body: unknown, deadline: number): Promise<Response> {
    let target = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${token}` };
      const init: RequestInit = { method, headers, redirect: "manual" };
      if (body !== undefined && method !== "GET") {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      const res = await this.timedFetch(target, init, deadline);
      if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
      await res.body?.cancel();
      if (method !== "GET") throw new KountaApiError("uncertain", `Kounta answered ${method} with a redirect (${res.status})`, res.status);
      const location = res.headers.get("location");
      if (!location) throw new KountaApiError("refused", `Kounta answered ${res.status} without a Location`, res.status);
      target = this.sameOrigin(location, target, "a redirect");
    }
    throw new KountaApiError("refused", "Kounta redirected too many times");
  }

  private async timedFetch(url: string, init: RequestInit, deadline = this.options.deadline): Promise<Response> {
    const remaining = deadline - Date.now();
    const timeout = Math.min(this.options.perCallTimeoutMs ?? PER_CALL_TIMEOUT_MS, remaining);
    // Nothing has been sent: whatever this call was to do has not happened.
    if (timeout <= 0) throw new KountaApiError("not_sent", "No time left to call Kounta");
    return this.measured(() => fetchKounta(this.fetchImpl, url, init, timeout));
  }

  private async measured(call: () => Promise<Response>): Promise<Response> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.options.metrics?.recordKounta(performance.now() - started);
    }
  }
}

function parse<T extends z.ZodType>(schema: T, data: unknown, what: string): z.output<T> {
  const result = schema.safeParse(data);
  if (!result.success) throw new KountaApiError("refused", `Kounta sent an ${what} we could not read`);
  return result.data;
}

/** Retry-After in seconds or as an HTTP date, or X-Ratelimit-Reset (epoch seconds or seconds). */
export function retryAfterMs(headers: Headers, now: number): number | null {
  const retryAfter = headers.get("retry-after");
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return Math.max(0, Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = headers.get("x-ratelimit-reset");
  if (reset && /^\d+$/.test(reset.trim())) {
    const n = Number(reset);
    // Large values are an epoch time; small ones a number of seconds.
    return n > 1_000_000_000 ? Math.max(0, n * 1000 - now) : n * 1000;
  }
  return null;
}
