// OAuth 2: the authorize page (my.kounta.com/authorize, auto-approved), the token endpoint, and reading
// the credentials of API calls.
import type { Hono } from "hono";
import { ApiError, callOf, errorResponse, jsonResponse, type AppEnv } from "./http.ts";
import { AUTH_CODE_LIFETIME_MS, DEMO_COMPANY_ID, issueTokens, randomToken, recordCall, type StandInState } from "./state.ts";

export type Credentials =
  | { kind: "bearer"; token: string }
  | { kind: "basic"; clientId: string; clientSecret: string }
  | { kind: "none" };

export function readCredentials(header: string | undefined): Credentials {
  if (!header) return { kind: "none" };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return { kind: "bearer", token: bearer[1]! };
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) {
    try {
      const decoded = atob(basic[1]!);
      const colon = decoded.indexOf(":");
      if (colon >= 0) return { kind: "basic", clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
    } catch {
      // not base64: no usable credentials
    }
  }
  return { kind: "none" };
}

export function clientMatches(state: StandInState, clientId: string | undefined, clientSecret: string | undefined): boolean {
  return clientId === state.clientId && clientSecret === state.clientSecret;
}

/**
 * The company the credentials of an API call reach, or the 401 to answer. An expired token still names its
 * company (for the calls log and faults) but answers "has expired".
 */
export function authenticate(state: StandInState, credentials: Credentials): { companyId: string | null; error: ApiError | null } {
  const bearerChallenge = { "WWW-Authenticate": 'Bearer realm="kounta", error="invalid_token"' };
  switch (credentials.kind) {
    case "bearer": {
      const record = state.accessTokens.get(credentials.token);
      if (!record) return { companyId: null, error: new ApiError(401, "invalid_token", "The access token provided is invalid", bearerChallenge) };
      if (record.expiresAt <= state.now()) {
        return { companyId: record.companyId, error: new ApiError(401, "invalid_token", "The access token provided has expired", bearerChallenge) };
      }
      return { companyId: record.companyId, error: null };
    }
    case "basic": {
      if (!clientMatches(state, credentials.clientId, credentials.clientSecret)) {
        return { companyId: null, error: new ApiError(401, "invalid_client", "Client authentication failed") };
      }
      if (!state.companies.has(state.developerCompanyId)) {
        return { companyId: null, error: new ApiError(401, "invalid_client", `Basic auth reaches only the developer's own company (${state.developerCompanyId}), which does not exist here`) };
      }
      return { companyId: state.developerCompanyId, error: null };
    }
    case "none":
      return {
        companyId: null,
        error: new ApiError(401, "invalid_request", "Send Authorization: Bearer <access token>", { "WWW-Authenticate": 'Bearer realm="kounta"' }),
      };
  }
}

/** The company a token request is for (by its code or refresh token), for the calls log and faults. */
export function tokenRequestCompany(state: StandInState, form: Record<string, string>): string | null {
  if (form.grant_type === "authorization_code" && form.code) return state.codes.get(form.code)?.companyId ?? null;
  if (form.grant_type === "refresh_token" && form.refresh_token) return state.refreshTokens.get(form.refresh_token)?.companyId ?? null;
  return null;
}

function redirectWith(redirectUri: string, params: Record<string, string | undefined>): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { Location: url.toString() } });
}

export function registerOAuthRoutes(app: Hono<AppEnv>, state: StandInState): void {
  // my.kounta.com/authorize: the merchant "approves" at once. Extra parameters of the stand-in:
  // company_id (default 456) picks the merchant; approve=no answers as if the merchant declined.
  app.get("/authorize", (c) => {
    const q = (name: string) => c.req.query(name);
    const clientId = q("client_id");
    const redirectUri = q("redirect_uri");
    const companyId = q("company_id") ?? DEMO_COMPANY_ID;
    const url = new URL(c.req.url);
    const { answer } = recordCall(state, {
      companyId: state.companies.has(companyId) ? companyId : null,
      method: "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: null,
      auth: "none",
    });
    if (clientId !== state.clientId) return answer(errorResponse(400, "invalid_client", "Unknown client_id"));
    let validRedirect = false;
    try {
      validRedirect = redirectUri !== undefined && /^https?:$/.test(new URL(redirectUri).protocol);
    } catch {
      validRedirect = false;
    }
    if (!validRedirect) return answer(errorResponse(400, "invalid_request", "redirect_uri must be an absolute http(s) URL"));
    const stateParam = q("state");
    if (q("response_type") !== "code") return answer(redirectWith(redirectUri!, { error: "unsupported_response_type", state: stateParam }));
    if (!state.companies.has(companyId) || q("approve") === "no") return answer(redirectWith(redirectUri!, { error: "access_denied", state: stateParam }));
    const code = randomToken("code_");
    state.codes.set(code, { code, companyId, clientId, redirectUri: redirectUri!, expiresAt: state.now() + AUTH_CODE_LIFETIME_MS, used: false });
    return answer(redirectWith(redirectUri!, { code, state: stateParam }));
  });

  app.post("/v1/token", (c) => {
    const form = callOf(c).body as Record<string, string>;
    // Client credentials in the form, or as Basic auth (RFC 6749 allows both).
    const basic = readCredentials(c.req.header("authorization"));
    const clientId = form.client_id ?? (basic.kind === "basic" ? basic.clientId : undefined);
    const clientSecret = form.client_secret ?? (basic.kind === "basic" ? basic.clientSecret : undefined);
    const grantType = form.grant_type;
    if (!grantType) return errorResponse(400, "invalid_request", "grant_type is required");
    if (grantType !== "authorization_code" && grantType !== "refresh_token") {
      return errorResponse(400, "unsupported_grant_type", `Grant type ${grantType} is not supported`);
    }
    if (!clientMatches(state, clientId, clientSecret)) return errorResponse(401, "invalid_client", "Client authentication failed");

    let companyId: string;
    if (grantType === "authorization_code") {
      if (!form.code) return errorResponse(400, "invalid_request", "code is required");
      const code = state.codes.get(form.code);
      if (!code || code.clientId !== clientId) return errorResponse(400, "invalid_grant", "The authorization code is invalid");
      if (code.used) return errorResponse(400, "invalid_grant", "The authorization code has already been used");
      if (code.expiresAt <= state.now()) return errorResponse(400, "invalid_grant", "The authorization code has expired");
      if (form.redirect_uri !== code.redirectUri) return errorResponse(400, "invalid_grant", "The redirect_uri does not match the one the code was issued for");
      code.used = true;
      companyId = code.companyId;
    } else {
      if (!form.refresh_token) return errorResponse(400, "invalid_request", "refresh_token is required");
      const refresh = state.refreshTokens.get(form.refresh_token);
      if (!refresh || !refresh.active) return errorResponse(400, "invalid_grant", "The refresh token is invalid");
      // Refresh tokens rotate: this one is spent, the answer carries the next.
      refresh.active = false;
      companyId = refresh.companyId;
    }
    const issued = issueTokens(state, companyId);
    return jsonResponse(
      200,
      { access_token: issued.accessToken, refresh_token: issued.refreshToken, token_type: "bearer", expires_in: issued.expiresIn },
      { "Cache-Control": "no-store", Pragma: "no-cache" },
    );
  });
}
