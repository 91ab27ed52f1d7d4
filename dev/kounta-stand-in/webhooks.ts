// Webhooks: registration (POST/GET/DELETE .../webhooks) and deliveries (orders/completed).
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
  jsonText,
  noContent,
  notFound,
  pathId,
  readString,
  wireId,
  type AppContext,
  type AppEnv,
} from "./http.ts";
import { webhookJson } from "./render.ts";
import { nextId, type Company, type Delivery, type Order, type StandInState, type WebhookFilter } from "./state.ts";

/** `orders/completed` is the documented topic; the deleted-orders topic's real name is unpublished. */
export const WEBHOOK_TOPICS = ["orders/completed", "orders/deleted"] as const;
const DELIVERY_TIMEOUT_MS = 10_000;

export type WaitUntil = (promise: Promise<unknown>) => void;

/** ctx.waitUntil when the app runs as a Worker with an execution context; nothing otherwise. */
export function waitUntilOf(c: AppContext | { executionCtx: unknown }): WaitUntil {
  try {
    const ctx = (c as AppContext).executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return () => {};
  }
}

function validHeaders(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw badRequest("headers must be an object of header names and values");
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") throw badRequest(`The value of header ${name} must be a string`);
    const allowed = /^authorization$/i.test(name) || (/^x-[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name) && !/^x-kounta/i.test(name));
    if (!allowed) throw badRequest(`Header ${name} is not allowed: only Authorization or X-* headers (not X-Kounta*)`);
    if (/[\r\n]/.test(v)) throw badRequest(`The value of header ${name} must be on one line`);
    headers[name] = v;
  }
  return headers;
}

function validFilter(value: unknown, company: Company): WebhookFilter | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw badRequest("filter must be an object");
  const filter: WebhookFilter = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key !== "site_ids") throw badRequest(`Unknown filter ${key}: the stand-in filters by site_ids only`);
    if (!Array.isArray(v) || v.length === 0) throw badRequest("filter.site_ids must be a non-empty array of site ids");
    filter.site_ids = v.map((id) => {
      const s = typeof id === "number" && Number.isSafeInteger(id) ? String(id) : typeof id === "string" && /^\d+$/.test(id) ? id : null;
      if (s === null) throw badRequest("filter.site_ids must be a non-empty array of site ids");
      if (!company.sites.some((site) => site.id === s)) throw badRequest(`Site ${s} does not exist`);
      return s;
    });
  }
  return filter;
}

export function registerWebhookRoutes(app: Hono<AppEnv>, state: StandInState): void {
  const base = "/v1/companies/:company/webhooks";

  app.post(base, (c) => {
    const company = companyOf(c);
    const body = bodyObject(callOf(c).body);
    const topic = readString(body, "topic");
    if (!topic) throw badRequest("topic is required");
    if (!(WEBHOOK_TOPICS as readonly string[]).includes(topic)) throw badRequest(`Unknown topic ${topic}`);
    const address = readString(body, "address");
    if (!address) throw badRequest("address is required");
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw badRequest("address must be an absolute http(s) URL");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw badRequest("address must be an absolute http(s) URL");
    const format = readString(body, "format");
    if (format !== "json") throw badRequest('format is required and must be "json"');
    const filter = validFilter(has(body, "filter") ? body.filter : undefined, company);
    const headers = validHeaders(has(body, "headers") ? body.headers : undefined);

    const id = nextId(state);
    company.webhooks.set(id, { id, topic, address, format: "json", filter, headers, createdAt: state.now() });
    return created(c, `/v1/companies/${company.id}/webhooks/${id}`);
  });

  app.get(base, (c) => jsonResponse(200, [...companyOf(c).webhooks.values()].map(webhookJson)));

  app.get(`${base}/:webhook`, (c) => {
    const hook = companyOf(c).webhooks.get(pathId(c.req.param("webhook"), "Webhook"));
    if (!hook) throw notFound(`Webhook ${c.req.param("webhook")}`);
    return jsonResponse(200, webhookJson(hook));
  });

  app.delete(`${base}/:webhook`, (c) => {
    const company = companyOf(c);
    const id = pathId(c.req.param("webhook"), "Webhook");
    if (!company.webhooks.delete(id)) throw notFound(`Webhook ${id}`);
    return noContent();
  });

  app.put(`${base}/:webhook`, () => {
    throw new ApiError(405, "method_not_allowed", "Webhooks cannot be changed: delete and register again", { Allow: "GET, DELETE" });
  });
}

/**
 * Delivers an order event to every webhook of the company registered for the topic (and whose site filter
 * matches): a POST of `{topic, company_id, order_id, id, id_str}` with the registered headers. Fire and
 * forget: the API call that caused it never waits for or fails because of a delivery; each attempt and its
 * outcome are recorded in state.deliveries.
 */
export function deliverOrderEvent(state: StandInState, company: Company, order: Order, topic: string, waitUntil: WaitUntil): void {
  for (const hook of company.webhooks.values()) {
    if (hook.topic !== topic) continue;
    if (hook.filter?.site_ids && !hook.filter.site_ids.includes(order.siteId)) continue;
    const payload = { topic, company_id: wireId(company.id), order_id: wireId(order.id), id: wireId(order.id), id_str: order.id };
    const body = jsonText(payload);
    const headers = { ...hook.headers, "Content-Type": "application/json" };
    const delivery: Delivery = {
      id: nextId(state),
      companyId: company.id,
      webhookId: hook.id,
      topic,
      address: hook.address,
      headers,
      body,
      status: "pending",
      httpStatus: null,
      error: null,
      at: new Date(state.now()).toISOString(),
    };
    state.deliveries.push(delivery);
    const attempt = (async () => {
      try {
        const res = await state.fetch(
          new Request(hook.address, { method: "POST", headers, body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) }),
        );
        delivery.httpStatus = res.status;
        delivery.status = res.ok ? "delivered" : "failed";
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        delivery.status = "failed";
        delivery.error = err instanceof Error ? err.message : String(err);
      }
    })();
    state.pending.add(attempt);
    void attempt.finally(() => state.pending.delete(attempt));
    waitUntil(attempt);
  }
}

export function deliveryJson(d: Delivery) {
  return {
    id: d.id,
    company_id: d.companyId,
    webhook_id: d.webhookId,
    topic: d.topic,
    address: d.address,
    headers: d.headers,
    body: d.body,
    payload: JSON.parse(d.body) as unknown,
    status: d.status,
    http_status: d.httpStatus,
    error: d.error,
    at: d.at,
  };
}
