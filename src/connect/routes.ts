import { getCookie } from "hono/cookie";
import { secretsEqual } from "../lib/crypto";
import { Hono, type Context } from "hono";
import { KountaApiError } from "../kounta-api/errors";
import { companyLoyaltyUrls } from "../kounta/addon-key";
import { publicOrigin } from "../kounta/origin";
import { d1Bookmark, type AppEnv } from "../services";
import { dashboardBookmarkCookie } from "./d1-bookmark";
import { clientIp, rateLimitKey, withinRateLimit } from "../lib/rate-limit";
import { TokenCipher } from "../lib/token-crypto";
import { connectCompany } from "./connect-company";
import { deleteWebhook, exchangeCode, readOwnCompany, registerWebhook, type KountaOAuthClient } from "./kounta-oauth";
import { consumeOAuthState, issueOAuthState, type OAuthPurpose, type StateCheck } from "./oauth-states";
import { connectedPage, notConnectedPage, page } from "./pages";
import { signIn, signInFailedPage } from "./sign-in";
import { hashWebhookSecret, newWebhookSecret, WEBHOOK_SECRET_HEADER } from "./webhook-secret";

// A merchant connects their Kounta company: GET /connect sends them to Kounta's authorize page,
// Kounta sends them back to GET /oauth/callback. Signing in to the dashboard (GET /oauth/sign-in)
// goes the same way and ends in ./sign-in.ts. Plain pages, not the admin API's JSON.
export const connectRoutes = new Hono<AppEnv>();

const STATE_COOKIE = "loyalty_oauth_state";

const stateProblems: Record<Exclude<StateCheck, "valid">, string> = {
  unknown: "This request to Kounta was not started here.",
  expired: "This request to Kounta has expired: it is valid for 10 minutes.",
  used: "This request to Kounta has already been used.",
};

/** Sends the visitor to Kounta's authorize page, with a state for `purpose` kept in D1 and in this browser. */
async function authorize(c: Context<AppEnv>, purpose: OAuthPurpose): Promise<Response> {
  const { db, config, logger } = c.get("services");
  // Each start writes a state to D1: a visitor starting over and over is asked to wait a minute.
  if (!(await withinRateLimit(c.env.OAUTH_IP_RATE_LIMITER, "OAUTH_IP_RATE_LIMITER", rateLimitKey(clientIp(c)), logger))) {
    logger.warn("oauth start refused", { purpose, refusal: "ip_limited" });
    const response = page(429, "Please wait a minute", "<p>There have been too many tries from your connection. Please wait a minute, then try again.</p>");
    response.headers.set("Retry-After", "60");
    return response;
  }
  const state = await issueOAuthState(db, purpose);
  const authorize = new URL(config.KOUNTA_AUTHORIZE_URL);
  authorize.searchParams.set("client_id", config.KOUNTA_CLIENT_ID);
  authorize.searchParams.set("redirect_uri", `${publicOrigin(c)}/oauth/callback`);
  authorize.searchParams.set("state", state);
  authorize.searchParams.set("response_type", "code");
  // The state is also kept in this browser, so a callback only completes in the browser that started
  // it (a forged sign-in link sent to a merchant fails).
  const secure = publicOrigin(c).startsWith("https:") ? "; Secure" : "";
  const cookie = `${STATE_COOKIE}=${state}; Path=/oauth; Max-Age=600; HttpOnly; SameSite=Lax${secure}`;
  return new Response(null, {
    status: 302,
    headers: { Location: authorize.toString(), "Cache-Control": "no-store", "Set-Cookie": cookie },
  });
}

// Everything here decides (single-use states, tokens, sessions): the primary. The callback hands the
// dashboard its first bookmark, so the first page after signing in sees the new session.
connectRoutes.use("/oauth/callback", d1Bookmark(dashboardBookmarkCookie, { alwaysPrimary: true }));

connectRoutes.get("/connect", (c) => authorize(c, "connect"));

// The dashboard's "Sign in with Kounta" button (src/dashboard/sign-in-page.tsx).
connectRoutes.get("/oauth/sign-in", (c) => authorize(c, "sign_in"));

connectRoutes.get("/oauth/callback", async (c) => {
  const { db, config, logger } = c.get("services");
  const state = c.req.query("state");
  if (!state) return notConnectedPage(400, "This address has no state: start connecting from this service, not from a bookmark.");
  const started = getCookie(c, STATE_COOKIE) ?? "";
  if (!(await secretsEqual(started, state))) {
    return notConnectedPage(400, "This connection request was not started in this browser: start connecting again from this service.");
  }
  const { check, purpose } = await consumeOAuthState(db, state);
  const refused = purpose === "sign_in" ? signInFailedPage : notConnectedPage;
  if (check !== "valid") return refused(400, stateProblems[check]);

  const refusal = c.req.query("error");
  if (refusal) {
    logger.info("kounta authorization refused", { purpose, error: refusal.slice(0, 64) });
    return refused(400, "Kounta did not give this service access to your account.");
  }
  const code = c.req.query("code");
  if (!code) return refused(400, "Kounta sent no authorization code.");

  const origin = publicOrigin(c);
  const kounta: KountaOAuthClient = {
    baseUrl: config.KOUNTA_API_BASE_URL,
    clientId: config.KOUNTA_CLIENT_ID,
    clientSecret: config.KOUNTA_CLIENT_SECRET,
  };
  if (purpose === "sign_in") {
    const cipher = TokenCipher.fromSecret(config.TOKEN_ENCRYPTION_KEYS);
    return signIn({ db, logger, kounta, cipher }, { code, redirectUri: `${origin}/oauth/callback` });
  }
  let granted: Awaited<ReturnType<typeof grantAndRegister>>;
  try {
    granted = await grantAndRegister(kounta, code, origin);
  } catch (err) {
    if (!(err instanceof KountaApiError)) throw err;
    logger.warn("kounta connection failed", { failure: err.failure, status: err.status, detail: err.message });
    return err.failure === "refused" || err.failure === "unauthorized"
      ? notConnectedPage(400, "Kounta did not accept this connection request (it may have been used already, or have expired).")
      : notConnectedPage(502, "Kounta could not be reached just now. Please try again in a minute.");
  }

  const { tokens, company, webhook } = granted;
  const now = Date.now();
  const connected = await connectCompany(db, TokenCipher.fromSecret(config.TOKEN_ENCRYPTION_KEYS), {
    company,
    tokens: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? null,
      expiresAt: tokens.expires_in ? now + tokens.expires_in * 1000 : null,
    },
    webhook,
  }, now);
  logger.info("company connected", { company_id: company.id, api_key_created: connected.apiKey !== null });

  if (connected.replacedWebhookId) {
    // A reconnect registered a new webhook: the old one would deliver every sale a second time.
    const replaced = connected.replacedWebhookId;
    c.executionCtx.waitUntil(
      deleteWebhook(kounta, tokens.access_token, company.id, replaced).catch((err: unknown) =>
        logger.warn("old kounta webhook not removed", { company_id: company.id, webhook_id: replaced, detail: String(err) }),
      ),
    );
  }
  // The company's own URLs: a merchant never sees the add-on key, which opens every company.
  const urls = await companyLoyaltyUrls(origin, config.KOUNTA_ADDON_KEY, company.id);
  return connectedPage({
    companyName: company.name,
    apiKey: connected.apiKey,
    customerSearchUrl: urls.customer_search,
    rewardLookupUrl: urls.reward_lookup,
  });
});

/** Everything asked of Kounta before anything is written: the tokens, the company, its webhook. */
async function grantAndRegister(kounta: KountaOAuthClient, code: string, origin: string) {
  const tokens = await exchangeCode(kounta, code, `${origin}/oauth/callback`);
  const company = await readOwnCompany(kounta, tokens.access_token);
  const secret = newWebhookSecret();
  const webhookId = await registerWebhook(kounta, tokens.access_token, company.id, {
    topic: "orders/completed",
    address: `${origin}/kounta/webhooks/orders`,
    headers: { [WEBHOOK_SECRET_HEADER]: secret },
  });
  return { tokens, company, webhook: { id: webhookId, secretHash: await hashWebhookSecret(secret) } };
}
