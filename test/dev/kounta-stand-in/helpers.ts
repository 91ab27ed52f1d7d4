import { expect } from "vitest";
import { createKountaStandIn, type KountaStandIn, type KountaStandInOptions } from "../../../dev/kounta-stand-in/app.ts";

// What the stand-in's tests share: a stand-in driven through app.fetch like any client, and the demo
// company's fixed values.

export const BASE = "http://localhost:8788";
export const T0 = Date.UTC(2026, 10, 1, 9, 30, 0);
export const T0_WIRE = "2026-11-01T09:30:00+00:00";
export const T0_ISO = "2026-11-01T09:30:00.000Z";
export const DEMO_TOKEN = "dev-access-token-456";
export const CLIENT = { client_id: "local-dev-client-id", client_secret: "local-dev-client-secret" };
export const REDIRECT = "https://loyalty.test/kounta/oauth/callback";

export interface CallOptions {
  token?: string;
  /** JSON body (sent with Content-Type: application/json). */
  json?: unknown;
  /** Form body (sent form-encoded). */
  form?: Record<string, string>;
  /** Raw body with its own content type. */
  raw?: { body: string; contentType?: string };
  /** Accept header; null sends none. */
  accept?: string | null;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** A stand-in with the demo company and a clock that stands still unless a test moves it. */
export function standIn(options: KountaStandInOptions = {}) {
  const clock = { now: T0 };
  const s = createKountaStandIn({ seedDemo: true, now: () => clock.now, ...options });
  return { s, clock, call: (method: string, path: string, o?: CallOptions) => send(s, method, path, o) };
}

export async function send(s: KountaStandIn, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers = new Headers(o.headers);
  if (o.accept !== null) headers.set("Accept", o.accept ?? "application/json");
  if (o.token) headers.set("Authorization", `Bearer ${o.token}`);
  let body: string | undefined;
  if (o.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(o.json);
  } else if (o.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(o.form).toString();
  } else if (o.raw) {
    if (o.raw.contentType) headers.set("Content-Type", o.raw.contentType);
    body = o.raw.body;
  }
  const res = await s.app.fetch(new Request(BASE + path, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** A fresh company of the test's own through the control API. */
export async function newCompany(s: KountaStandIn, input: Record<string, unknown> = {}) {
  const res = await send(s, "POST", "/_stand-in/companies", { json: input });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; siteId: string; accessToken: string; refreshToken: string; accessTokenExpiresAt: number };
}

export const expiredBody = { error: "invalid_token", error_description: "The access token provided has expired" };
export const invalidTokenBody = { error: "invalid_token", error_description: "The access token provided is invalid" };

export function openOrderBody(companyId: string, orderId: string, lineIds: [string, string], extra: Record<string, unknown> = {}) {
  return {
    id: Number(orderId),
    id_str: orderId,
    company_id: Number(companyId),
    status: "SUBMITTED",
    notes: "",
    customer_id: null,
    customer: null,
    register_id: Number(companyId === "456" ? "1231" : `${companyId}11`),
    site_id: Number(companyId === "456" ? "123" : `${companyId}1`),
    sale_number: 1001,
    lines: [
      { id: Number(lineIds[0]), id_str: lineIds[0], number: 1, product: { id: 2001, id_str: "2001", name: "Flat white" }, quantity: 2, unit_price: 4.5, unit_tax: 0.45, price_variation: 1, notes: "" },
      { id: Number(lineIds[1]), id_str: lineIds[1], number: 2, product: { id: 2002, id_str: "2002", name: "Banana bread" }, quantity: 1, unit_price: 5, unit_tax: 0.5, price_variation: 1, notes: "" },
    ],
    payments: [],
    total: 15.4,
    paid: 0,
    price_variation: 1,
    placed_at: T0_WIRE,
    created_at: T0_WIRE,
    updated_at: T0_WIRE,
    ...extra,
  };
}
