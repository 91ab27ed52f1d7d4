import type { z } from "zod";
import type { Config } from "../config";
import type { Database } from "../storage/db";
import type { Logger } from "../lib/logger";
import type { RequestMetrics } from "../lib/metrics";
import { KountaApiError, kountaErrorText } from "./errors";
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
  /** TOKEN_ENCRYPTION_KEYS, which the stored tokens are encrypted with; by default the Worker's own. */
  /** TOKEN_ENCRYPTION_KEYS, to read and write the company's tokens. */
  encryptionKeys: string;
}

/** The options every Kounta client of this Worker shares, taken from its configuration. */
export function kountaClientOptions(config: Pick<Config, "KOUNTA_API_BASE_URL" | "KOUNTA_CLIENT_ID" | "KOUNTA_CLIENT_SECRET" | "TOKEN_ENCRYPTION_KEYS">) {
  return {
    baseUrl: config.KOUNTA_API_BASE_URL,
    clientId: config.KOUNTA_CLIENT_ID,
    clientSecret: config.KOUNTA_CLIENT_SECRET,
    encryptionKeys: config.TOKEN_ENCRYPTION_KEYS,
  };
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

/**
 * The Kounta REST API for one company, as the redemption needs it. Every call is time-bound (per
 * call and by the overall deadline), negotiates JSON, follows redirects keeping the Authorization
 * header, refreshes the tokens once on an expired-token answer and honours 429 Retry-After only
 * when the wait fits in the time left.
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
      fetch: this.fetchImpl,
      timedFetch: (url, init) => this.timedFetch(url, init),
      known: options.knownToken,
      encryptionKeys: options.encryptionKeys,
    });
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

  /** A URL Kounta handed us (X-Next-Page), only on Kounta's own origin: our token goes nowhere else. */
  private sameOrigin(url: string): string {
    const base = new URL(this.options.baseUrl);
    const target = new URL(url, base);
    if (target.origin !== base.origin) throw new KountaApiError("refused", "Kounta named a next page on another host");
    return target.toString();
  }

  addLine(orderId: string, line: NewLine): Promise<KountaResponse<unknown>> {
    return this.request("POST", `/companies/${this.company}/orders/${encodeURIComponent(orderId)}/lines`, line);
  }

  updateLine(orderId: string, lineNumber: number, patch: Partial<NewLine>): Promise<KountaResponse<unknown>> {
    return this.request("PUT", `/companies/${this.company}/orders/${encodeURIComponent(orderId)}/lines/${lineNumber}`, patch);
  }

  addPayment(orderId: string, payment: NewPayment): Promise<KountaResponse<unknown>> {
    return this.request("POST", `/companies/${this.company}/orders/${encodeURIComponent(orderId)}/payments`, payment);
  }

  async request(method: string, path: string, body?: unknown): Promise<KountaResponse<unknown>> {
    const [pathname, search] = path.split("?", 2);
    const url = `${this.options.baseUrl.replace(/\/+$/, "")}${pathname}.json${search ? `?${search}` : ""}`;
    return this.requestUrl(method, url, body);
  }

  private async requestUrl(method: string, url: string, body?: unknown): Promise<KountaResponse<unknown>> {
    let token = await this.tokens.accessToken();
    let refreshed = false;
    for (let rateLimitRetries = 0; ; ) {
      const res = await this.send(url, method, token, body);
      const text = await res.text();
      const json = text ? safeJson(text) : null;

      if ((res.status === 401 || res.status === 400) && !refreshed && /expired/i.test(kountaErrorText(json) || text)) {
        refreshed = true;
        token = await this.tokens.refresh(token, this.options.deadline);
        continue;
      }
      if (res.status === 429) {
        const wait = retryAfterMs(res.headers, Date.now());
        if (rateLimitRetries < MAX_RATE_LIMIT_RETRIES && wait !== null && Date.now() + wait < this.options.deadline - 500) {
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
      if (res.status >= 500) throw new KountaApiError("server_error", kountaErrorText(json) || `Kounta answered ${res.status}`, res.status);
      if (res.status >= 400) throw new KountaApiError("refused", kountaErrorText(json) || `Kounta answered ${res.status}`, res.status);
      return { status: res.status, location: res.headers.get("location"), nextPage: res.headers.get("x-next-page"), data: json };
    }
  }

  /** One request, following redirects with the Authorization header (fetch would drop it across origins). */
  private async send(url: string, method: string, token: string, body: unknown): Promise<Response> {
    let target = url;
    let currentMethod = method;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${token}` };
      const init: RequestInit = { method: currentMethod, headers, redirect: "manual" };
      if (body !== undefined && currentMethod !== "GET") {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      const res = await this.timedFetch(target, init);
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location && res.status !== 304) {
        await res.body?.cancel();
        target = new URL(location, target).toString();
        if (res.status === 303) currentMethod = "GET";
        continue;
      }
      return res;
    }
    throw new KountaApiError("refused", "Kounta redirected too many times");
  }

  private async timedFetch(url: string, init: RequestInit): Promise<Response> {
    const remaining = this.options.deadline - Date.now();
    const timeout = Math.min(this.options.perCallTimeoutMs ?? PER_CALL_TIMEOUT_MS, remaining);
    if (timeout <= 0) throw new KountaApiError("timeout", "No time left to call Kounta");
    const started = performance.now();
    try {
      return await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeout) });
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      if (name === "TimeoutError" || name === "AbortError") throw new KountaApiError("timeout", `Kounta did not answer within ${timeout} ms`);
      throw new KountaApiError("network", "Could not reach Kounta");
    } finally {
      this.options.metrics?.recordKounta(performance.now() - started);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
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
