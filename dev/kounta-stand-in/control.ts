// The control API under /_stand-in/ (not part of Kounta): set up companies, queue faults, read what the
// stand-in received and sent. JSON in and out, no authentication.
import type { Hono } from "hono";
import { faultJson } from "./faults.ts";
import { ApiError, badRequest, bodyObject, jsonResponse, readNumber, readString, type AppContext, type AppEnv, type JsonObject } from "./http.ts";
import { orderJson } from "./render.ts";
import {
  ConflictError,
  FAULT_KINDS,
  addCompany,
  resetState,
  type CallRecord,
  type FaultKind,
  type StandInState,
} from "./state.ts";
import { deliverOrderEvent, deliveryJson, waitUntilOf } from "./webhooks.ts";

async function jsonBody(c: AppContext): Promise<JsonObject> {
  const text = await c.req.text();
  if (text === "") return {};
  try {
    return bodyObject(JSON.parse(text));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest("The body is not valid JSON");
  }
}

/** A company id in a body: a number or a string of digits. */
function readCompanyIdField(body: JsonObject, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === "string" && /^\d+$/.test(v)) return v;
  throw badRequest(`${key} must be a Kounta id (digits)`);
}

function callJson(call: CallRecord) {
  return {
    company_id: call.companyId,
    method: call.method,
    path: call.path,
    query: call.query,
    body: call.body,
    auth: call.auth,
    status: call.status,
    at: call.at,
  };
}

export function registerControlRoutes(app: Hono<AppEnv>, state: StandInState): void {
  const companyParam = (c: AppContext, required: boolean): string | undefined => {
    const id = c.req.query("company_id");
    if (id === undefined && required) throw badRequest("company_id is required");
    return id;
  };
  const existing = (id: string) => {
    const company = state.companies.get(id);
    if (!company) throw new ApiError(404, "not_found", `Company ${id} does not exist`);
    return company;
  };

  app.get("/_stand-in", (c) => jsonResponse(200, describeStandIn(new URL(c.req.url).origin, state)));

  app.post("/_stand-in/reset", () => {
    resetState(state);
    return jsonResponse(200, { reset: true, demo: state.seedDemo });
  });

  app.post("/_stand-in/companies", async (c) => {
    const body = await jsonBody(c);
    const id = readCompanyIdField(body, "id");
    const siteId = readCompanyIdField(body, "siteId");
    const name = readString(body, "name") ?? undefined;
    const accessToken = readString(body, "accessToken") ?? undefined;
    const refreshToken = readString(body, "refreshToken") ?? undefined;
    const accessTokenExpiresIn = readNumber(body, "accessTokenExpiresIn");
    const customers = body.customers;
    if (customers !== undefined && typeof customers !== "boolean") throw badRequest("customers must be true or false");
    try {
      const made = addCompany(state, { id, name, siteId, accessToken, refreshToken, accessTokenExpiresIn, customers });
      return jsonResponse(201, {
        id: made.company.id,
        name: made.company.name,
        siteId: made.company.siteId,
        accessToken: made.accessToken,
        refreshToken: made.refreshToken,
        accessTokenExpiresAt: made.accessTokenExpiresAt,
      });
    } catch (err) {
      if (err instanceof ConflictError) throw new ApiError(409, "conflict", err.message);
      throw err;
    }
  });

  app.get("/_stand-in/companies/:id", (c) => {
    const company = existing(c.req.param("id"));
    const now = state.now();
    return jsonResponse(200, {
      id: company.id,
      name: company.name,
      siteId: company.siteId,
      accessTokens: [...state.accessTokens.values()]
        .filter((t) => t.companyId === company.id)
        .map((t) => ({ token: t.token, expiresAt: t.expiresAt, expired: t.expiresAt <= now })),
      refreshTokens: [...state.refreshTokens.values()].filter((t) => t.companyId === company.id).map((t) => ({ token: t.token, active: t.active })),
      orders: company.orders.size,
      customers: company.customers.size,
      webhooks: company.webhooks.size,
      faults: company.faults.map(faultJson),
    });
  });

  app.post("/_stand-in/faults", async (c) => {
    const body = await jsonBody(c);
    const companyId = readCompanyIdField(body, "company_id");
    if (companyId === undefined) throw badRequest("company_id is required");
    const company = existing(companyId);
    const fault = readString(body, "fault");
    if (!fault || !(FAULT_KINDS as readonly string[]).includes(fault)) throw badRequest(`fault must be one of ${FAULT_KINDS.join(", ")}`);
    const times = readNumber(body, "times") ?? 1;
    if (!Number.isInteger(times) || times < 1) throw badRequest("times must be a whole number from 1");
    const delayMs = readNumber(body, "delay_ms") ?? 10_000;
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 600_000) throw badRequest("delay_ms must be a whole number of milliseconds up to 600000");
    const retryAfter = readString(body, "retry_after") ?? "1";
    const orderId = readCompanyIdField(body, "order_id") ?? null;
    if (fault === "order_completed" && orderId === null) throw badRequest("order_id is required for order_completed");
    const location = readString(body, "location") ?? null;
    if (location !== null && !URL.canParse(location)) throw badRequest("location must be an absolute URL");
    const status = readNumber(body, "status") ?? 502;
    if (!Number.isInteger(status) || status < 500 || status > 599) throw badRequest("status must be a 5xx status (500 to 599)");
    const carriedOut = body.carried_out ?? true;
    if (typeof carriedOut !== "boolean") throw badRequest("carried_out must be true or false");
    company.faults.push({ fault: fault as FaultKind, remaining: times, delayMs, retryAfter, orderId, location, status, carriedOut });
    return jsonResponse(200, { company_id: company.id, faults: company.faults.map(faultJson) });
  });

  app.get("/_stand-in/faults", (c) => {
    const company = existing(companyParam(c, true)!);
    return jsonResponse(200, { company_id: company.id, faults: company.faults.map(faultJson) });
  });

  app.delete("/_stand-in/faults", (c) => {
    const company = existing(companyParam(c, true)!);
    const cleared = company.faults.length;
    company.faults.length = 0;
    return jsonResponse(200, { company_id: company.id, cleared });
  });

  app.get("/_stand-in/calls", (c) => {
    const id = companyParam(c, false);
    return jsonResponse(200, state.calls.filter((call) => id === undefined || call.companyId === id).map(callJson));
  });

  app.delete("/_stand-in/calls", (c) => {
    const id = companyParam(c, false);
    const before = state.calls.length;
    const kept = state.calls.filter((call) => id !== undefined && call.companyId !== id);
    state.calls.splice(0, state.calls.length, ...kept);
    return jsonResponse(200, { cleared: before - kept.length });
  });

  app.get("/_stand-in/orders/:company/:order", (c) => {
    const company = existing(c.req.param("company"));
    const order = company.orders.get(c.req.param("order"));
    if (!order) throw new ApiError(404, "not_found", `Order ${c.req.param("order")} of company ${company.id} has not been used yet`);
    return jsonResponse(200, orderJson(order, company));
  });

  // The merchant deletes an order in Kounta's back office: the API answers 404 for it from then on,
  // and webhooks registered for orders/deleted get a delivery.
  app.delete("/_stand-in/orders/:company/:order", (c) => {
    const company = existing(c.req.param("company"));
    const order = company.orders.get(c.req.param("order"));
    if (!order) throw new ApiError(404, "not_found", `Order ${c.req.param("order")} of company ${company.id} has not been used yet`);
    company.orders.delete(order.id);
    company.deletedOrders.add(order.id);
    const before = state.deliveries.length;
    deliverOrderEvent(state, company, order, "orders/deleted", waitUntilOf(c));
    return jsonResponse(200, { deleted: order.id, deliveries: state.deliveries.length - before });
  });

  app.get("/_stand-in/deliveries", (c) => {
    const id = companyParam(c, false);
    return jsonResponse(200, state.deliveries.filter((d) => id === undefined || d.companyId === id).map(deliveryJson));
  });

  app.delete("/_stand-in/deliveries", (c) => {
    const id = companyParam(c, false);
    const before = state.deliveries.length;
    const kept = state.deliveries.filter((d) => id !== undefined && d.companyId !== id);
    state.deliveries.splice(0, state.deliveries.length, ...kept);
    return jsonResponse(200, { cleared: before - kept.length });
  });
}

export function describeStandIn(origin: string, state: StandInState) {
  return {
    name: "kounta-stand-in",
    api: `${origin}/v1/`,
    authorize: `${origin}/authorize`,
    control: `${origin}/_stand-in/`,
    companies: [...state.companies.keys()],
    docs: "dev/kounta-stand-in/README.md",
  };
}
