import { sql } from "drizzle-orm";
import { revokeAllApiKeys } from "../storage/api-keys";
import type { Config } from "../config";
import { KountaClient, kountaClientOptions } from "../kounta-api/client";
import { KountaApiError } from "../kounta-api/errors";
import type { Logger } from "../lib/logger";
import type { LoyaltyCache } from "../loyalty/cache";
import type { Database } from "../storage/db";
import { all, query } from "../storage/sql";

const WEBHOOK_DELETE_BUDGET_MS = 5_000;

export interface ConnectionStatus {
  company_id: string;
  name: string;
  status: "connected" | "disconnected";
  connected_at: string | null;
  disconnected_at: string | null;
  webhook_registered: boolean;
}

interface ConnectionRow {
  id: string;
  name: string;
  status: "connected" | "disconnected" | null;
  connected_at: number | null;
  disconnected_at: number | null;
  webhook_id: string | null;
}

async function readRow(db: Database, companyId: string): Promise<ConnectionRow | null> {
  const [row] = await all(
    db,
    query<ConnectionRow>(sql`
      SELECT c.id, c.name, k.status, k.connected_at, k.disconnected_at, k.webhook_id
      FROM companies c LEFT JOIN kounta_connections k ON k.company_id = c.id WHERE c.id = ${companyId}`),
  );
  return row ?? null;
}

function toStatus(row: ConnectionRow): ConnectionStatus {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    company_id: row.id,
    name: row.name,
    status: row.status === "connected" ? "connected" : "disconnected",
    connected_at: iso(row.connected_at),
    disconnected_at: iso(row.disconnected_at),
    webhook_registered: row.status === "connected" && row.webhook_id !== null,
  };
}

export async function readConnection(db: Database, companyId: string): Promise<ConnectionStatus | null> {
  const row = await readRow(db, companyId);
  return row && toStatus(row);
}

export interface DisconnectDeps {
  db: Database;
  cache: LoyaltyCache;
  config: Config;
  logger: Logger;
}

/**
 * Ends a company's connection: its webhook is removed from Kounta (best effort: Kounta may be down,
 * or the merchant may have removed the add-on already), its tokens are erased, every API key is
 * revoked and the POS stops answering for it. Its members, rewards and history stay.
 */
export async function disconnectCompany(deps: DisconnectDeps, companyId: string, now = Date.now()): Promise<ConnectionStatus | null> {
  const { db, cache, config, logger } = deps;
  const row = await readRow(db, companyId);
  if (!row) return null;
  if (row.status === "connected" && row.webhook_id) {
    const client = new KountaClient({
      db,
      companyId,
      ...kountaClientOptions(config),
      logger,
      deadline: now + WEBHOOK_DELETE_BUDGET_MS,
    });
    try {
      await client.request("DELETE", `/companies/${encodeURIComponent(companyId)}/webhooks/${encodeURIComponent(row.webhook_id)}`);
    } catch (err) {
      if (!(err instanceof KountaApiError && err.failure === "not_found")) {
        logger.warn("kounta webhook not removed on disconnect", {
          company_id: companyId,
          webhook_id: row.webhook_id,
          failure: err instanceof KountaApiError ? err.failure : "unexpected",
        });
      }
    }
  }
  await all(
    db,
    query(sql`
      UPDATE kounta_connections SET status = 'disconnected',
        access_token = NULL, refresh_token = NULL, access_token_ciphertext = NULL, refresh_token_ciphertext = NULL,
        access_token_expires_at = NULL, refresh_lock_until = NULL, webhook_id = NULL, webhook_secret_hash = NULL,
        disconnected_at = coalesce(disconnected_at, ${now}), updated_at = ${now}
      WHERE company_id = ${companyId}`),
  );
  await revokeAllApiKeys(db, companyId, now);
  await cache.deleteCatalogue(companyId);
  logger.info("company disconnected", { company_id: companyId });
  return readConnection(db, companyId);
}
