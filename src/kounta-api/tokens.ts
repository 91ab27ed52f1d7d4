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
import { keepAlive, type WaitUntil } from "./background";
import { KountaApiError } from "./errors";
import { grantRefreshToken, type GrantedTokens } from "./token-grant";
import { describeError, type Logger } from "../lib/logger";

const REFRESH_AHEAD_MS = 60_000;
/** How long one refresh may take at Kounta's token endpoint (sending, the answer and its body): longer than an API call. */
export const REFRESH_TIMEOUT_MS = 15_000;
/** What the lease adds to the refresh's own limit: reading and decrypting before, sealing and storing (retries included) after. */
const LEASE_MARGIN_MS = 10_000;
/** The waits before the second and third attempts to store refreshed tokens (D1 failing): three attempts in all. */
const STORE_RETRY_DELAYS_MS = [250, 1_000];
/** How long a caller without a deadline waits for a refresh. */
const DEFAULT_WAIT_MS = 10_000;
const WAIT_STEP_MS = 150;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface TokenStoreOptions {
  db: Database;
  companyId: string;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** The fetch of the token endpoint (the client's, measured). */
  fetch: typeof fetch;
  /** The refresh's own time limit (default REFRESH_TIMEOUT_MS), whatever the caller's deadline. */
  refreshTimeoutMs?: number;
  /** Keeps a refresh going after its caller stopped waiting (default: the runtime's waitUntil). */
  waitUntil?: WaitUntil;
  now?: () => number;
  /** The access token as already read from D1 by the caller (encrypted, or a plaintext legacy row), to save a read. */
  known?: { accessToken: string | null; expiresAt: number | null };
  /** TOKEN_ENCRYPTION_KEYS: the tokens are stored encrypted with the first, readable with any. */
  encryptionKeys: string;
}

/**
 * A company's OAuth tokens, kept in D1. Refreshes ahead of expiry and on an expired-token answer,
 * always storing the newest refresh token (Kounta rotates it: the one sent is spent). Only one request
 * refreshes a company at a time: it takes a lease in D1; the others wait for the new token.
 *
 * Decision: a refresh is not bound by its caller's deadline. Once the grant is sent Kounta may have
 * spent the old refresh token, and its answer is the only copy of the new one, so giving up on it
 * would cut the company off. The refresh runs on its own limit (REFRESH_TIMEOUT_MS) under a lease
 * that outlasts it, kept alive by waitUntil, and stores whatever Kounta answers whenever it arrives
 * (retrying a failed D1 write). The caller waits only up to its own deadline; past it the failure is
 * `not_sent` (the call the token was for never left) and the refresh goes on without it.
 *
 * A refresh that cannot be done (the token endpoint down, 5xx, a redirect, no answer in time, a 2xx
 * we cannot read, the lease held by another request past the deadline) is `not_sent`. Kounta
 * refusing the refresh token stays `unauthorized` (the merchant must reconnect), a 429 `rate_limited`.
 */
export class KountaTokenStore {
  /** The access token in use, and its stored form (ciphertext differs at every write, so rows compare by it). */
  private current: { token: string; stored: string } | null = null;
  private cipherInstance?: TokenCipher;
  /** This store's refresh under way (callers of one client share it rather than poll D1). */
  private inflight: Promise<string> | null = null;

  constructor(private readonly options: TokenStoreOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private get cipher(): TokenCipher {
    return (this.cipherInstance ??= TokenCipher.fromSecret(this.options.encryptionKeys));
  }

  private get refreshTimeoutMs(): number {
    return this.options.refreshTimeoutMs ?? REFRESH_TIMEOUT_MS;
  }

  /** The access token to call with, refreshed first if it expires soon (waiting until `deadline` at the latest). */
  async accessToken(deadline = this.now() + DEFAULT_WAIT_MS): Promise<string> {
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
  refresh(staleToken: string | null, deadline = this.now() + DEFAULT_WAIT_MS): Promise<string> {
    return this.refreshFrom(this.current && this.current.token === staleToken ? this.current.stored : null, deadline);
  }

  private async refreshFrom(staleStored: string | null, deadline: number): Promise<string> {
    if (!this.inflight) {
      const { db, companyId } = this.options;
      const now = this.now();
      if (now >= deadline) throw new KountaApiError("not_sent", "No time left to refresh the Kounta tokens");
      // The lease outlasts the refresh, stores included: no other request sends the refresh token meanwhile.
      const until = now + this.refreshTimeoutMs + LEASE_MARGIN_MS;
      if (!(await takeRefreshLease(db, companyId, { staleStored, now, until }))) return this.waitForNewToken(staleStored, deadline);
      const job = this.refreshUnderLease(now);
      this.inflight = job;
      const settled = job.then(
        () => undefined,
        () => undefined,
      );
      keepAlive(
        settled.finally(() => {
          if (this.inflight === job) this.inflight = null;
        }),
        this.options.waitUntil,
      );
    }
    return this.waitForRefresh(this.inflight, deadline);
  }

  /** The refresh's outcome if it comes by `deadline`; else `not_sent`, the refresh going on (and storing) without us. */
  private async waitForRefresh(job: Promise<string>, deadline: number): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const outOfTime = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KountaApiError("not_sent", "The Kounta token refresh was not over by the deadline (it goes on without this call)")),
        Math.max(0, deadline - this.now()),
      );
    });
    try {
      return await Promise.race([job, outOfTime]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Holding the lease: one grant at Kounta, its tokens stored (or the lease dropped when there are none). */
  private async refreshUnderLease(leasedAt: number): Promise<string> {
    const { companyId, logger } = this.options;
    let tokens: GrantedTokens;
    let refreshToken: string;
    try {
      const row = await this.read();
      if (!row.refresh_token) throw new KountaApiError("unauthorized", "No refresh token stored for this company");
      refreshToken = await this.reveal(row.refresh_token, "refresh_token");
      tokens = await grantRefreshToken(refreshToken, { ...this.options, timeoutMs: this.refreshTimeoutMs });
    } catch (err) {
      logger.warn("kounta token refresh failed", { company_id: companyId, ...failureFields(err) });
      await this.dropLease();
      throw err;
    }

    // Kounta has issued new tokens, and may have spent the refresh token sent: they are stored if at all possible.
    const rotated = !!tokens.refresh_token;
    const expiresAt = tokens.expires_in ? leasedAt + tokens.expires_in * 1000 : null;
    let accessStored: string | null = null;
    try {
      const [access, refresh] = await Promise.all([
        this.seal(tokens.access_token, "access_token"),
        this.seal(tokens.refresh_token ?? refreshToken, "refresh_token"),
      ]);
      accessStored = access;
      const attempts = await this.store({ accessStored: access, refreshStored: refresh, expiresAt });
      logger.info("kounta tokens refreshed", { company_id: companyId, rotated, took_ms: this.now() - leasedAt, store_attempts: attempts });
    } catch (err) {
      // Never the tokens themselves in a log line: only that they are gone.
      logger.error("kounta tokens lost: refreshed by Kounta but not stored", {
        company_id: companyId,
        rotated,
        store_attempts: STORE_RETRY_DELAYS_MS.length + 1,
        ...describeError(err),
      });
      await this.dropLease();
    }
    // The new access token works whether stored or not: this client goes on with it.
    this.current = { token: tokens.access_token, stored: accessStored ?? "" };
    return tokens.access_token;
  }

  /**
   * Stores refreshed tokens (ending the lease), trying again after a D1 failure: the same values, so a
   * write that did land before failing is simply made again. Answers how many attempts it took.
   */
  private async store(tokens: { accessStored: string; refreshStored: string; expiresAt: number | null }): Promise<number> {
    const { db, companyId, logger } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        // Only while still connected: a disconnect during the refresh must not get tokens back.
        await storeRefreshedTokens(db, companyId, { ...tokens, now: this.now() });
        return attempt;
      } catch (err) {
        const wait = STORE_RETRY_DELAYS_MS[attempt - 1];
        if (wait === undefined) throw err;
        logger.warn("kounta tokens not stored yet, trying again", { company_id: companyId, attempt, ...describeError(err) });
        await sleep(wait);
      }
    }
  }

  private async dropLease(): Promise<void> {
    const { db, companyId, logger } = this.options;
    await dropRefreshLease(db, companyId).catch((err: unknown) =>
      logger.warn("kounta refresh lease not dropped (it runs out by itself)", { company_id: companyId, ...describeError(err) }),
    );
  }

  private async waitForNewToken(staleStored: string | null, deadline: number): Promise<string> {
    while (this.now() < deadline) {
      await sleep(Math.min(WAIT_STEP_MS, Math.max(0, deadline - this.now())));
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

/** What a failed refresh may say in a log: its class and Kounta's words (never a token). */
function failureFields(err: unknown) {
  return err instanceof KountaApiError ? { failure: err.failure, status: err.status, detail: err.message } : describeError(err);
}
