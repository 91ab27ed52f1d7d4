import { isEncryptedToken, TokenCipher, TokenDecryptError } from "../lib/token-crypto";
import type { Database } from "../storage/db";
import {
  dropRefreshLease,
  readKountaConnection,
  storeRefreshedTokens,
  takeRefreshLease,
  tokenContext,
  type KountaConnection,
} from "../storage/kounta-connections";
import { KountaApiError, kountaErrorText } from "./errors";
import { tokenResponseSchema } from "./types";
import type { Logger } from "../lib/logger";

const REFRESH_AHEAD_MS = 60_000;
const LEASE_MS = 10_000;
const WAIT_STEP_MS = 150;

export interface TokenStoreOptions {
  db: Database;
  companyId: string;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  fetch: typeof fetch;
  /** Time-bound fetch shared with the client (the whole call must end by the deadline). */
  timedFetch: (url: string, init: RequestInit, deadline?: number) => Promise<Response>;
  now?: () => number;
  /** The access token as already read from D1 by the caller (encrypted, or a plaintext legacy row), to save a read. */
  known?: { accessToken: string | null; expiresAt: number | null };
  /** TOKEN_ENCRYPTION_KEYS: the tokens are stored encrypted with the first, readable with any. */
  encryptionKeys: string;
}

/**
 * A company's OAuth tokens, kept in D1. Refreshes ahead of expiry and on an expired-token answer,
 * always storing the newest refresh token (Kounta may rotate it). Only one request refreshes a
 * company at a time: it takes a short lease in D1; the others wait for the new token.
 *
 * A refresh happens before the call that needs it is sent, so when it cannot be done in time (the
 * token endpoint slow, down or unreachable, or another request's refresh not over by the deadline)
 * the failure is `not_sent`: the call it was for never left. Kounta refusing the refresh token stays
 * `unauthorized` (the merchant must reconnect) and a 429 stays `rate_limited`.
 */
export class KountaTokenStore {
  /** The access token in use, and its stored form (ciphertext differs at every write, so rows compare by it). */
  private current: { token: string; stored: string } | null = null;
  private cipherInstance?: TokenCipher;

  constructor(private readonly options: TokenStoreOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private get cipher(): TokenCipher {
    return (this.cipherInstance ??= TokenCipher.fromSecret(this.options.encryptionKeys));
  }

  /** The access token to call with, refreshed first if it expires soon (by `deadline` at the latest). */
  async accessToken(deadline = this.now() + LEASE_MS): Promise<string> {
    if (this.current) return this.current.token;
    const known = this.options.known;
    if (known?.accessToken && this.fresh(known.expiresAt)) return this.use(known.accessToken);
    const row = await this.read();
    if (row.access_token && this.fresh(row.access_token_expires_at)) return this.use(row.access_token);
    return this.refreshFrom(row.access_token, deadline);
  }

  private async use(stored: string): Promise<string> {
    const token = await this.reveal(stored, "access_token");
    this.current = { token, stored };
    return token;
  }

  private async reveal(stored: string, column: "access_token" | "refresh_token"): Promise<string> {
    if (!isEncryptedToken(stored)) return stored;
    try {
      return await this.cipher.decrypt(stored, tokenContext(this.options.companyId, column));
    } catch (err) {
      if (!(err instanceof TokenDecryptError)) throw err;
      this.options.logger.error("kounta tokens cannot be decrypted", { company_id: this.options.companyId, detail: err.message });
      throw new KountaApiError("unauthorized", "The stored Kounta tokens cannot be decrypted");
    }
  }

  private seal(token: string, column: "access_token" | "refresh_token"): Promise<string> {
    return this.cipher.encrypt(token, tokenContext(this.options.companyId, column));
  }

  private fresh(expiresAt: number | null): boolean {
    return (expiresAt ?? Infinity) - this.now() > REFRESH_AHEAD_MS;
  }

  /** Refreshes unless another request already replaced `staleToken`; answers the newest token. */
  refresh(staleToken: string | null, deadline = this.now() + LEASE_MS): Promise<string> {
    return this.refreshFrom(this.current && this.current.token === staleToken ? this.current.stored : null, deadline);
  }

  private async refreshFrom(staleStored: string | null, deadline = this.now() + LEASE_MS): Promise<string> {
    const { db, companyId } = this.options;
    const now = this.now();
    if (!(await takeRefreshLease(db, companyId, { staleStored, now, until: now + LEASE_MS }))) {
      return this.waitForNewToken(staleStored, deadline);
    }

    try {
      const row = await this.read();
      if (!row.refresh_token) throw new KountaApiError("unauthorized", "No refresh token stored for this company");
      const refreshToken = await this.reveal(row.refresh_token, "refresh_token");
      const tokens = await this.grant(refreshToken, deadline);
      const expiresAt = tokens.expires_in ? now + tokens.expires_in * 1000 : null;
      const [accessStored, refreshStored] = await Promise.all([
        this.seal(tokens.access_token, "access_token"),
        this.seal(tokens.refresh_token ?? refreshToken, "refresh_token"),
      ]);
      // Only while still connected: a disconnect during the refresh must not get tokens back.
      await storeRefreshedTokens(db, companyId, { accessStored, refreshStored, expiresAt, now: this.now() });
      this.options.logger.info("kounta tokens refreshed", { company_id: companyId, rotated: !!tokens.refresh_token });
      this.current = { token: tokens.access_token, stored: accessStored };
      return tokens.access_token;
    } catch (err) {
      await dropRefreshLease(db, companyId);
      throw err;
    }
  }

  private async grant(refreshToken: string, deadline: number) {
    const { baseUrl, clientId, clientSecret, timedFetch } = this.options;
    let res: Response;
    try {
      res = await timedFetch(
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
        deadline,
      );
    } catch (err) {
      if (!(err instanceof KountaApiError)) throw err;
      throw new KountaApiError("not_sent", `Could not refresh the Kounta tokens: ${err.message}`);
    }
    const body = await res.json().catch(() => null);
    if (res.status === 429) throw new KountaApiError("rate_limited", kountaErrorText(body) || "Token refresh rate limited", 429);
    if (res.status >= 500 || (res.status >= 300 && res.status < 400)) {
      throw new KountaApiError("not_sent", `Could not refresh the Kounta tokens: ${kountaErrorText(body) || `Kounta answered ${res.status}`}`, res.status);
    }
    const parsed = tokenResponseSchema.safeParse(body);
    if (!res.ok || !parsed.success) {
      throw new KountaApiError("unauthorized", kountaErrorText(body) || "Kounta refused the refresh token", res.status);
    }
    return parsed.data;
  }

  private async waitForNewToken(staleStored: string | null, deadline: number): Promise<string> {
    while (this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_STEP_MS, Math.max(0, deadline - this.now()))));
      const row = await this.read();
      if (row.access_token && row.access_token !== staleStored) return this.use(row.access_token);
    }
    throw new KountaApiError("not_sent", "Waited too long for another request to refresh the Kounta tokens");
  }

  private async read(): Promise<KountaConnection> {
    const row = await readKountaConnection(this.options.db, this.options.companyId);
    if (!row || row.status !== "connected") throw new KountaApiError("unauthorized", "This company is not connected to Kounta");
    return row;
  }
}
