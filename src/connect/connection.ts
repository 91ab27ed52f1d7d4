import { sql } from "drizzle-orm";
import { revokeAllApiKeys } from "../storage/api-keys";
import { closeCompanySessions } from "../storage/dashboard-sessions";
import type { KountaClientFactory } from "../kounta-api/client";
import { KountaApiError } from "../kounta-api/errors";
import type { Logger } from "../lib/logger";
import type { LoyaltyCache } from "../loyalty/cache";
import type { Database } from "../storage/db";
import { connectionStatement, markDisconnected, type KountaConnection } from "../storage/kounta-connections";
import { batch, query } from "../storage/sql";

const WEBHOOK_DELETE_BUDGET_MS = 5_000;

export interface ConnectionStatus {
  company_id: string;
  name: string;
  status: "connected" | "disconnected";
  connected_at: string | null;
  disconnected_at: string | null;
  webhook_registered: boolean;
}

/** The company and its connection (none until it first connects), in one batch; null for an unknown company. */
async function readRow(db: Database, companyId: string): Promise<{ id: string; name: string; connection: KountaConnection | null } | null> {
  const [[company], [connection]] = await batch(db, [
    query<{ id: string; name: string }>(sql`SELECT id, name FROM companies WHERE id = ${companyId}`),
    connectionStatement(companyId),
  ]);
  return company ? { ...company, connection: connection ?? null } : null;
}

function toStatus(row: { id: string; name: string; connection: KountaConnection | null }): ConnectionStatus {
  const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());
  const k = row.connection;
  return {
    company_id: row.id,
    name: row.name,
    status: k?.status === "connected" ? "connected" : "disconnected",
    connected_at: iso(k?.connected_at),
    disconnected_at: iso(k?.disconnected_at),
    webhook_registered: k?.status === "connected" && k.webhook_id !== null,
  };
}

export async function readConnection(db: Database, companyId: string): Promise<ConnectionStatus | null> {
  const row = await readRow(db, companyId);
  return row && toStatus(row);
}

export interface DisconnectDeps {
  db: Database;
  cache: LoyaltyCache;
  logger: Logger;
  kountaClient: KountaClientFactory;
}

/**
 * Ends a company's connection: its webhook is removed from Kounta (best effort: Kounta may be down,
 * or the merchant may have removed the add-on already), its tokens are erased, every API key is
 * revoked, every dashboard session ends and the POS stops answering for it. Its members, rewards and history stay.
 */
export async function disconnectCompany(deps: DisconnectDeps, companyId: string, now = Date.now()): Promise<ConnectionStatus | null> {
  const { db, cache, logger } = deps;
  const row = await readRow(db, companyId);
  if (!row) return null;
  const webhookId = row.connection?.status === "connected" ? row.connection.webhook_id : null;
  if (webhookId) {
    const client = deps.kountaClient(companyId, { logger, deadline: now + WEBHOOK_DELETE_BUDGET_MS });
    try {
      await client.request("DELETE", `/companies/${encodeURIComponent(companyId)}/webhooks/${encodeURIComponent(webhookId)}`);
    } catch (err) {
      if (!(err instanceof KountaApiError && err.failure === "not_found")) {
        logger.warn("kounta webhook not removed on disconnect", {
          company_id: companyId,
          webhook_id: webhookId,
          failure: err instanceof KountaApiError ? err.failure : "unexpected",
        });
      }
    }
  }
  await markDisconnected(db, companyId, now);
  await revokeAllApiKeys(db, companyId, now);
  await closeCompanySessions(db, companyId);
  await cache.deleteCatalogue(companyId);
  logger.info("company disconnected", { company_id: companyId });
  return readConnection(db, companyId);
}
