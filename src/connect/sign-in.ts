import { sql } from "drizzle-orm";
import { KountaApiError } from "../kounta-api/errors";
import type { Logger } from "../lib/logger";
import type { TokenCipher } from "../lib/token-crypto";
import type { Database } from "../storage/db";
import { openSession, SESSION_MAX_MS } from "../storage/dashboard-sessions";
import { storeRefreshedTokens, tokenContext } from "../storage/kounta-connections";
import { all, query } from "../storage/sql";
import { exchangeCode, readOwnCompany, type KountaOAuthClient } from "./kounta-oauth";
import { escapeHtml, page } from "./pages";

// Signing in to the merchant dashboard with Kounta: the same authorize page and callback as
// connecting (one redirect URI registered with Kounta), then a session for the company Kounta names
// (GET /companies/me). Kounta does not say whether a new grant ends the tokens it gave before
// (docs/kounta/REST-API.md), so the tokens of a sign-in replace the connection's stored ones (the
// webhook and everything else stay): the connection keeps working whichever way Kounta does it.

export const SESSION_COOKIE = "loyalty_session";

/** The session cookie: this browser only (HttpOnly), HTTPS, sent on top-level navigation, /dashboard only. */
export function sessionCookie(id: string, maxAgeSeconds = SESSION_MAX_MS / 1000): string {
  return `${SESSION_COOKIE}=${id}; Path=/dashboard; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Lax`;
}

export const clearedSessionCookie = () => sessionCookie("", 0);

export function signInFailedPage(status: number, reason: string): Response {
  return page(
    status,
    "You are not signed in",
    `<p>${escapeHtml(reason)}</p>
<p>Nothing was changed. <a href="/dashboard/sign-in">Sign in again</a>.</p>`,
  );
}

function notConnectedYetPage(companyName: string): Response {
  return page(
    403,
    "Connect Kounta first",
    `<p>${escapeHtml(companyName)} is not connected to the loyalty programme, so there is no dashboard to open yet.</p>
<p><a href="/connect">Connect your Kounta account</a>: it takes one approval in Kounta, then sign in again.</p>`,
  );
}

export async function signIn(
  deps: { db: Database; logger: Logger; kounta: KountaOAuthClient; cipher: TokenCipher },
  input: { code: string; redirectUri: string },
): Promise<Response> {
  const { db, logger, kounta } = deps;
  let company: { id: string; name: string };
  let tokens: Awaited<ReturnType<typeof exchangeCode>>;
  try {
    tokens = await exchangeCode(kounta, input.code, input.redirectUri);
    company = await readOwnCompany(kounta, tokens.access_token);
  } catch (err) {
    if (!(err instanceof KountaApiError)) throw err;
    logger.warn("dashboard sign-in failed", { failure: err.failure, status: err.status, detail: err.message });
    return err.failure === "refused" || err.failure === "unauthorized"
      ? signInFailedPage(400, "Kounta did not accept this sign-in (it may have been used already, or have expired).")
      : signInFailedPage(502, "Kounta could not be reached just now. Please try again in a minute.");
  }
  const [row] = await all<{ status: string | null }>(
    db,
    query(sql`
      SELECT k.status AS status FROM companies c LEFT JOIN kounta_connections k ON k.company_id = c.id
      WHERE c.id = ${company.id}`),
  );
  if (row?.status !== "connected") {
    logger.info("dashboard sign-in of a company not connected", { company_id: company.id });
    return notConnectedYetPage(company.name);
  }
  if (tokens.refresh_token) {
    // Only while connected (storeRefreshedTokens checks): the newest grant is the one kept.
    const now = Date.now();
    const [accessStored, refreshStored] = await Promise.all([
      deps.cipher.encrypt(tokens.access_token, tokenContext(company.id, "access_token")),
      deps.cipher.encrypt(tokens.refresh_token, tokenContext(company.id, "refresh_token")),
    ]);
    await storeRefreshedTokens(db, company.id, { accessStored, refreshStored, expiresAt: tokens.expires_in ? now + tokens.expires_in * 1000 : null, now });
  }
  const { id } = await openSession(db, company.id);
  logger.info("dashboard signed in", { company_id: company.id });
  return new Response(null, {
    status: 303,
    headers: { Location: "/dashboard", "Cache-Control": "no-store", "Set-Cookie": sessionCookie(id) },
  });
}
