// Wire helpers: Kounta-shaped errors and JSON, with ids written as exact JSON numbers (plus id_str).
import type { Context } from "hono";
import type { Company, CallRecord, StandInState } from "./state.ts";

/** What every /v1 handler can read: set by the pipeline (pipeline.ts) before the route runs. */
export interface CallInfo {
  state: StandInState;
  /** The company the credentials reach (null on the token endpoint). */
  company: Company | null;
  /** The parsed body: a JSON value, a form as an object, or undefined without one. */
  body: unknown;
  /** The request path ended in `.json`: Location headers keep the suffix. */
  jsonSuffix: boolean;
  record: CallRecord;
}

export type AppEnv = { Variables: { call: CallInfo } };
export type AppContext = Context<AppEnv>;

/** An answer in Kounta's error shape: `{"error": code, "error_description": text}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} does not exist`);
export const badRequest = (description: string) => new ApiError(400, "invalid_request", description);

const ID_MARK = "\u0000kounta-id:";

/**
 * A Kounta id as it goes on the wire: a JSON number with every digit (ids may exceed 2^53, which is why
 * Kounta also sends id_str). Ids that are not all digits stay strings.
 */
export function wireId(id: string | null): unknown {
  if (id === null) return null;
  return /^(0|[1-9]\d*)$/.test(id) ? ID_MARK + id : id;
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000kounta-id:(\d+)"/g, "$1");
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(jsonText(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", ...headers } });
}

export function errorResponse(status: number, code: string, description: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error: code, error_description: description }, headers);
}

/** The call context set by the pipeline. */
export function callOf(c: AppContext): CallInfo {
  return c.get("call");
}

/** The company of an authenticated /v1 call (the pipeline has checked it matches the path). */
export function companyOf(c: AppContext): Company {
  const company = callOf(c).company;
  if (!company) throw new ApiError(500, "server_error", "No company on this call");
  return company;
}

/** A full URL on this stand-in for a path, keeping the request's `.json` suffix style. */
export function urlFor(c: AppContext, path: string): string {
  const origin = new URL(c.req.url).origin;
  return `${origin}${path}${callOf(c).jsonSuffix ? ".json" : ""}`;
}

/** 201 Created, empty body, Location = the created thing. */
export function created(c: AppContext, path: string): Response {
  return new Response(null, { status: 201, headers: { Location: urlFor(c, path) } });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** One page of a list, with `X-Next-Page` (full URL) when there is more. Pages count from 0. */
export function paged<T>(c: AppContext, items: T[], pageSize: number, render: (item: T) => unknown): Response {
  const pageParam = c.req.query("page") ?? "0";
  if (!/^\d+$/.test(pageParam)) throw badRequest("page must be a whole number (0 is the first page)");
  const page = Number(pageParam);
  const slice = items.slice(page * pageSize, (page + 1) * pageSize);
  const headers: Record<string, string> = {};
  if ((page + 1) * pageSize < items.length) {
    const next = new URL(c.req.url);
    next.searchParams.set("page", String(page + 1));
    headers["X-Next-Page"] = next.toString();
  }
  return jsonResponse(200, slice.map(render), headers);
}

// ---------------------------------------------------------------------------------------------
// Reading JSON bodies: small, exact validators with messages a developer can act on.

export type JsonObject = Record<string, unknown>;

export function bodyObject(body: unknown): JsonObject {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("The body must be a JSON object");
  return body as JsonObject;
}

export function has(body: JsonObject, key: string): boolean {
  return Object.hasOwn(body, key) && body[key] !== undefined;
}

export function readString(body: JsonObject, key: string): string | null | undefined {
  if (!has(body, key)) return undefined;
  const value = body[key];
  if (value === null) return null;
  if (typeof value !== "string") throw badRequest(`${key} must be a string`);
  return value;
}

export function readNumber(body: JsonObject, key: string): number | undefined {
  if (!has(body, key)) return undefined;
  const value = body[key];
  if (typeof value !== "number" || !Number.isFinite(value)) throw badRequest(`${key} must be a number`);
  return value;
}

/** An id: a JSON number (a whole one) or a string of digits. */
export function readId(body: JsonObject, key: string): string | null | undefined {
  if (!has(body, key)) return undefined;
  const value = body[key];
  if (value === null) return null;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return value;
  throw badRequest(`${key} must be an id (a number or a string of digits)`);
}

/** Path ids: digits only (anything else, like an unreplaced `{order_id}`, names nothing). */
export function pathId(value: string | undefined, what: string): string {
  if (value === undefined || !/^\d+$/.test(value)) throw notFound(`${what} ${value ?? ""}`);
  return value;
}
