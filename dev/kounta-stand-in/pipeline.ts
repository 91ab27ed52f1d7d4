// What every /v1 call goes through before its route: the calls log, faults, format negotiation (406),
// body content type (400), credentials (401) and the company the credentials reach (403).
import type { MiddlewareHandler } from "hono";
import { applyFault, type FaultEffect } from "./faults.ts";
import { errorResponse, type AppEnv, type CallInfo } from "./http.ts";
import { authenticate, readCredentials, tokenRequestCompany } from "./oauth.ts";
import { CONNECTION_LOST_HEADER, recordCall, type StandInState } from "./state.ts";
import { waitUntilOf } from "./webhooks.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const SECRET_KEYS = new Set(["client_secret", "refresh_token", "access_token", "code", "password"]);

/** A copy of a logged body with secrets replaced by "***". */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k.toLowerCase()) && v !== null ? "***" : maskSecrets(v)]));
  }
  return value;
}

function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    query[key] = all.length === 1 ? all[0]! : all;
  }
  return query;
}

type ParsedBody = { kind: "none" } | { kind: "json"; value: unknown } | { kind: "form"; value: Record<string, string> } | { kind: "bad"; raw: string };

function parseBody(raw: string, contentType: string): ParsedBody {
  if (raw === "") {
    if (contentType === "application/json") return { kind: "bad", raw };
    if (contentType === "application/x-www-form-urlencoded") return { kind: "form", value: {} };
    return { kind: "none" };
  }
  if (contentType === "application/json") {
    try {
      return { kind: "json", value: JSON.parse(raw) as unknown };
    } catch {
      return { kind: "bad", raw };
    }
  }
  if (contentType === "application/x-www-form-urlencoded") return { kind: "form", value: Object.fromEntries(new URLSearchParams(raw)) };
  return { kind: "bad", raw };
}

export function v1Pipeline(state: StandInState): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const method = c.req.method;
    const isToken = c.req.path === "/v1/token";
    const jsonSuffix = url.pathname.endsWith(".json");
    const contentType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    // Bytes, then UTF-8: workerd warns when text() reads a form body.
    const raw = method === "GET" || method === "HEAD" ? "" : new TextDecoder().decode(await c.req.arrayBuffer());
    const body = parseBody(raw, contentType);
    const credentials = readCredentials(c.req.header("authorization"));
    const pathCompany = /^\/v1\/companies\/(\d+)(?:\/|$)/.exec(c.req.path)?.[1] ?? null;

    // Whose call is this? The token endpoint: the company of its code or refresh token. Elsewhere: the
    // company the credentials name, else the one in the path.
    const auth = isToken ? null : authenticate(state, credentials);
    let companyId = isToken ? tokenRequestCompany(state, body.kind === "form" ? body.value : {}) : auth!.companyId;
    if (companyId === null && pathCompany !== null && state.companies.has(pathCompany)) companyId = pathCompany;
    const company = companyId === null ? null : (state.companies.get(companyId) ?? null);

    const logged = body.kind === "json" || body.kind === "form" ? maskSecrets(body.value) : body.kind === "bad" && body.raw !== "" ? `(not parsed: ${contentType || "no content type"})` : null;
    const { record, answer } = recordCall(state, {
      companyId: company?.id ?? null,
      method,
      path: url.pathname,
      query: queryObject(url),
      body: logged,
      auth: credentials.kind,
    });

    let after: FaultEffect | null = null;
    if (company) {
      after = await applyFault(state, company, waitUntilOf(c), url);
      if (after?.kind === "answer") return answer(after.response);
      // Nothing is carried out and no answer ever comes (the call stays in the log without a status):
      // the caller gives up when its own time limit is reached (the Node server holds the socket until then).
      if (after?.kind === "no_answer") return new Promise<never>(() => {});
    }

    const accept = c.req.header("accept") ?? "";
    if (!jsonSuffix && !/application\/json/i.test(accept)) {
      return answer(errorResponse(406, "not_acceptable", "Ask for JSON: end the path in .json or send Accept: application/json"));
    }

    if (method === "POST" || method === "PUT") {
      if (isToken && body.kind !== "form") {
        return answer(errorResponse(400, "invalid_request", "Send the token request form-encoded (Content-Type: application/x-www-form-urlencoded)"));
      }
      if (!isToken && body.kind !== "json") {
        return answer(
          errorResponse(400, "invalid_request", contentType === "application/json" ? "The body is not valid JSON" : "Send the body as JSON with Content-Type: application/json"),
        );
      }
    }

    let reached = null;
    if (!isToken) {
      // Again: a fault may just have expired the token.
      const { companyId: authorised, error } = authenticate(state, credentials);
      if (error) return answer(errorResponse(error.status, error.code, error.message, error.headers));
      reached = state.companies.get(authorised!) ?? null;
      if (!reached) return answer(errorResponse(401, "invalid_token", "The access token provided is invalid"));
      const named = /^\/v1\/companies\/([^/]+)(?:\/|$)/.exec(c.req.path)?.[1];
      if (named !== undefined && named !== "me" && named !== reached.id) {
        return answer(errorResponse(403, "forbidden", `This access token cannot reach company ${named}`));
      }
    }

    const info: CallInfo = {
      state,
      company: reached,
      body: body.kind === "json" || body.kind === "form" ? body.value : undefined,
      jsonSuffix,
      record,
    };
    c.set("call", info);
    await next();
    record.status = c.res.status;
    // Carried out, but the answer never reaches the caller: the Node server resets the connection, the
    // tests' in-isolate fetch fails instead.
    if (after?.kind === "lose_answer") c.header(CONNECTION_LOST_HEADER, "connection_lost");
    // Carried out at once, answered only after the wait (by then the caller has usually given up).
    if (after?.kind === "late_answer") await sleep(after.delayMs);
    // Carried out, but what the caller gets is a gateway's page (gateway_error), none of the route's
    // headers (a Location) kept: the log says what the caller got.
    if (after?.kind === "replace_answer") {
      await c.res.body?.cancel();
      c.res = undefined;
      c.res = after.response;
      record.status = after.response.status;
    }
  };
}
