import { sql } from "drizzle-orm";
import type { Database } from "../storage/db";
import { all, batch, query } from "../storage/sql";
import { KountaApiError, kountaErrorText } from "./errors";
import { tokenResponseSchema } from "./types";
import type { Logger } from "../lib/logger";

const REFRESH_AHEAD_MS = 60_000;
const LEASE_MS = 10_000;
const WAIT_STEP_MS = 150;

interface ConnectionRow {
  access_token: string | null;
  refresh_token: string | null;
  access_token_expires_at: number | null;
  status: string;
}

export interface TokenStoreOptions {
  db: Database;
  companyId: string;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  fetch: typeof fetch;
  /** Time-bound fetch shared with the client (the whole call must end by the deadline). */
  timedFetch: (url: string, init: RequestInit) => Promise<Response>;
  now?: () => number;
  /** The access token as already read from D1 by the caller, to save a read. */
  known?: { accessToken: string | null; expiresAt: number | null };
}

/**
 * A company's OAuth tokens, kept in D1. Refreshes ahead of expiry and on an expired-token answer,
 * always storing the newest refresh token (Kounta may rotate it). Only one request refreshes a
 * company at a time: it takes a short lease in D1; the others wait for the new token.
 */
export class KountaTokenStore {
  private current: string | null = null;

  constructor(private readonly options: TokenStoreOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async accessToken(): Promise<string> {
    if (this.current) return this.current;
    const known = this.options.known;
    if (known?.accessToken && this.fresh(known.expiresAt)) return (this.current = known.accessToken);
    const row = await this.read();
    if (row.access_token && this.fresh(row.access_token_expires_at)) {
      this.current = row.access_token;
      return row.access_token;
    }
    return this.refresh(row.access_token);
  }

  private fresh(expiresAt: number | null): boolean {
    return (expiresAt ?? Infinity) - this.now() > REFRESH_AHEAD_MS;
  }

  /** Refreshes unless another request already replaced `staleToken`; answers the newest token. */
  async refresh(staleToken: string | null, deadline = this.now() + LEASE_MS): Promise<string> {
    const { db, companyId } = this.options;
    const now = this.now();
    const [, leaseRows] = await batch(db, [
      query(sql`
        UPDATE kounta_connections SET refresh_lock_until = ${now + LEASE_MS}
        WHERE company_id = ${companyId} AND status = 'connected'
          AND (refresh_lock_until IS NULL OR refresh_lock_until < ${now})
          AND access_token IS ${staleToken}`),
      query<{ held: number }>(sql`SELECT changes() AS held`),
    ]);
    if (leaseRows[0]?.held !== 1) return this.waitForNewToken(staleToken, deadline);

    try {
      const row = await this.read();
      if (!row.refresh_token) throw new KountaApiError("unauthorized", "No refresh token stored for this company");
      const tokens = await this.grant(row.refresh_token);
      const expiresAt = tokens.expires_in ? now + tokens.expires_in * 1000 : null;
      await all(
        db,
        query(sql`
          UPDATE kounta_connections
          SET access_token = ${tokens.access_token},
              refresh_token = ${tokens.refresh_token ?? row.refresh_token},
              access_token_expires_at = ${expiresAt},
              refresh_lock_until = NULL,
              updated_at = ${this.now()}
          WHERE company_id = ${companyId}`),
      );
      this.options.logger.info("kounta tokens refreshed", { company_id: companyId, rotated: !!tokens.refresh_token });
      this.current = tokens.access_token;
      return tokens.access_token;
    } catch (err) {
      await all(db, query(sql`UPDATE kounta_connections SET refresh_lock_until = NULL WHERE company_id = ${companyId}`));
      throw err;
    }
  }

  private async grant(refreshToken: string) {
    const { baseUrl, clientId, clientSecret, timedFetch } = this.options;
    const res = await timedFetch(`${baseUrl}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
    });
    const body = await res.json().catch(() => null);
    if (res.status === 429 || res.status >= 500) {
      throw new KountaApiError(res.status === 429 ? "rate_limited" : "server_error", kountaErrorText(body) || "Token refresh failed", res.status);
    }
    const parsed = tokenResponseSchema.safeParse(body);
    if (!res.ok || !parsed.success) {
      throw new KountaApiError("unauthorized", kountaErrorText(body) || "Kounta refused the refresh token", res.status);
    }
    return parsed.data;
  }

  private async waitForNewToken(staleToken: string | null, deadline: number): Promise<string> {
    while (this.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      const row = await this.read();
      if (row.access_token && row.access_token !== staleToken) {
        this.current = row.access_token;
        return row.access_token;
      }
    }
    throw new KountaApiError("timeout", "Waited too long for another request to refresh the Kounta tokens");
  }

  private async read(): Promise<ConnectionRow> {
    const { db, companyId } = this.options;
    const [row] = await all(
      db,
      query<ConnectionRow>(sql`
        SELECT access_token, refresh_token, access_token_expires_at, status
        FROM kounta_connections WHERE company_id = ${companyId}`),
    );
    if (!row || row.status !== "connected") throw new KountaApiError("unauthorized", "This company is not connected to Kounta");
    return row;
  }
}
