import type { Logger } from "../lib/logger";
import { KountaApiError, kountaErrorText } from "./errors";
import { fetchKounta } from "./http";
import { tokenResponseSchema } from "./types";

// One refresh-token grant at Kounta's token endpoint and how its answer is classified. The caller
// (tokens.ts) runs it on its own time limit, longer than an API call's, kept alive after the request
// that needed it stopped waiting: Kounta rotates the refresh token, so once the grant is sent the old
// one may be spent, and the answer is the only copy of the new one.

export interface GrantedTokens {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

export interface GrantOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  companyId: string;
  logger: Logger;
  fetch: typeof fetch;
  /** How long the whole exchange (sending, the answer and its body) may take. */
  timeoutMs: number;
}

/**
 * Exchanges the refresh token for new tokens. Failures:
 * - no answer, a lost connection, a redirect, 5xx: `not_sent` (try again later);
 * - 429: `rate_limited`;
 * - any other 4xx: `unauthorized` (Kounta refused the refresh token: the merchant must reconnect);
 * - a 2xx whose body cannot be read (not JSON, lost while arriving, no access_token): `not_sent`, not
 *   `unauthorized`. Assumption: Kounta issued tokens we could not read, so the refresh token sent may
 *   already be spent; nothing is stored (there is nothing to store), the old refresh token is kept and
 *   tried again on the next refresh. Should Kounta refuse it then, that refresh says `unauthorized`.
 *   Logged as an error, without the body (it may hold tokens).
 */
export async function grantRefreshToken(refreshToken: string, options: GrantOptions): Promise<GrantedTokens> {
  const { baseUrl, clientId, clientSecret, companyId, logger } = options;
  let res: Response;
  try {
    res = await fetchKounta(
      options.fetch,
      `${baseUrl}/token`,
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
        // The form carries our client secret and the refresh token: never re-sent anywhere.
        redirect: "manual",
      },
      options.timeoutMs,
    );
  } catch (err) {
    if (!(err instanceof KountaApiError)) throw err;
    throw new KountaApiError("not_sent", `Could not refresh the Kounta tokens: ${err.message}`);
  }

  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    throw new KountaApiError("not_sent", `Could not refresh the Kounta tokens: Kounta answered ${res.status}`, res.status);
  }
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    if (res.status === 429) throw new KountaApiError("rate_limited", kountaErrorText(body) || "Token refresh rate limited", 429);
    if (res.status >= 500) {
      throw new KountaApiError("not_sent", `Could not refresh the Kounta tokens: ${kountaErrorText(body) || `Kounta answered ${res.status}`}`, res.status);
    }
    throw new KountaApiError("unauthorized", kountaErrorText(body) || "Kounta refused the refresh token", res.status);
  }

  // A success: Kounta has (probably) issued new tokens and spent the refresh token we sent.
  const body: unknown = await res.json().catch(() => undefined);
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    logger.error("kounta token answer unreadable: the refresh token sent may be spent", {
      company_id: companyId,
      status: res.status,
      reason: body === undefined ? "body not JSON or lost while arriving" : "no access_token in the body",
    });
    throw new KountaApiError("not_sent", `Kounta's answer to the token refresh (${res.status}) could not be read`, res.status);
  }
  return parsed.data;
}
