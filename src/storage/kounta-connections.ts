import { sql, type SQL } from "drizzle-orm";
import type { Database } from "./db";
import { all, batch, query, type Query } from "./sql";

// A company's Kounta connection (src/storage/schema/connections.ts): every statement on the table is
// here. Other modules' statements that must read it inside their own D1 batch (the same transaction)
// join it through the fragments below, which name the table and its columns so nothing else does.
//
// The tokens are stored encrypted (src/lib/token-crypto.ts) in the *_ciphertext columns. Rows written
// before encryption (and test fixtures) hold plaintext in access_token / refresh_token: they are read
// as they are (storedToken), and the first refresh or reconnect replaces them with ciphertext.

/** A company's connection as read. The tokens are as stored: ciphertext, or a legacy row's plaintext. */
export interface KountaConnection {
  company_id: string;
  status: "connected" | "disconnected";
  access_token: string | null;
  refresh_token: string | null;
  access_token_expires_at: number | null;
  webhook_id: string | null;
  webhook_secret_hash: string | null;
  connected_at: number;
  disconnected_at: number | null;
}

/** The access token columns of a connection, as a caller that read them may hand them on (to save a read). */
export type ConnectionToken = Pick<KountaConnection, "access_token" | "access_token_expires_at">;

/** The status column of a joined connection (connectionJoinSql): null when the company never connected. */
export interface ConnectionStatusColumn {
  connection_status: KountaConnection["status"] | null;
}

type TokenColumn = "access_token" | "refresh_token";

/** What a stored token is bound to (the AES-GCM additional data): its company and column. */
export function tokenContext(companyId: string, column: TokenColumn): string {
  return `kounta_connections/${companyId}/${column}`;
}

/** A token as stored: the ciphertext, else the plaintext of a row written before encryption. */
function storedToken(alias: string, column: TokenColumn): SQL {
  const c = alias ? `${alias}.` : "";
  return sql.raw(`coalesce(${c}${column}_ciphertext, ${c}${column})`);
}

// ---------------------------------------------------------------------------------------------
// Fragments for other modules' statements

/** `LEFT JOIN` of the company's connection under `alias`, `companyId` being a column or a value. */
export function connectionJoinSql(alias: string, companyId: SQL | string): SQL {
  return sql`LEFT JOIN kounta_connections ${sql.raw(alias)} ON ${sql.raw(alias)}.company_id = ${companyId}`;
}

/** The joined connection's status, as `connection_status` (ConnectionStatusColumn). */
export function connectionStatusColumnSql(alias: string): SQL {
  return sql.raw(`${alias}.status AS connection_status`);
}

/** The joined connection's access token as stored and its expiry, as `access_token`, `access_token_expires_at` (ConnectionToken). */
export function connectionTokenColumnsSql(alias: string): SQL {
  return sql`${storedToken(alias, "access_token")} AS access_token, ${sql.raw(alias)}.access_token_expires_at`;
}

/** Whether the company (a column or a value) is connected, as an SQL condition. */
export function isConnectedSql(companyId: SQL | string): SQL {
  return sql`EXISTS (SELECT 1 FROM kounta_connections k WHERE k.company_id = ${companyId} AND k.status = 'connected')`;
}

// ---------------------------------------------------------------------------------------------
// Reads

/** The company's connection, as one statement (for a D1 batch). */
export function connectionStatement(companyId: string): Query<KountaConnection> {
  return query<KountaConnection>(sql`
    SELECT company_id, status, ${storedToken("", "access_token")} AS access_token, ${storedToken("", "refresh_token")} AS refresh_token,
      access_token_expires_at, webhook_id, webhook_secret_hash, connected_at, disconnected_at
    FROM kounta_connections WHERE company_id = ${companyId}`);
}

export async function readKountaConnection(db: Database, companyId: string): Promise<KountaConnection | null> {
  const [row] = await all(db, connectionStatement(companyId));
  return row ?? null;
}

/** Every connected company, by id. */
export async function connectedCompanyIds(db: Database): Promise<string[]> {
  const rows = await all(db, query<{ company_id: string }>(sql`
    SELECT company_id FROM kounta_connections WHERE status = 'connected' ORDER BY company_id`));
  return rows.map((r) => r.company_id);
}

// ---------------------------------------------------------------------------------------------
// Writes

export interface NewConnection {
  companyId: string;
  /** The tokens encrypted (the plaintext columns are emptied). */
  accessStored: string;
  refreshStored: string | null;
  expiresAt: number | null;
  webhookId: string;
  webhookSecretHash: string;
  now: number;
}

/** Connects (or reconnects) the company, as one statement (for the connecting batch): the refresh lease and any disconnection cleared. */
export function upsertConnectionStatement(c: NewConnection): Query<never> {
  return query(sql`
    INSERT INTO kounta_connections (company_id, status, access_token, refresh_token, access_token_ciphertext,
      refresh_token_ciphertext, access_token_expires_at, webhook_id, webhook_secret_hash, connected_at, updated_at)
    VALUES (${c.companyId}, 'connected', NULL, NULL, ${c.accessStored}, ${c.refreshStored}, ${c.expiresAt},
      ${c.webhookId}, ${c.webhookSecretHash}, ${c.now}, ${c.now})
    ON CONFLICT (company_id) DO UPDATE SET
      status = 'connected', access_token = NULL, refresh_token = NULL,
      access_token_ciphertext = excluded.access_token_ciphertext, refresh_token_ciphertext = excluded.refresh_token_ciphertext,
      access_token_expires_at = excluded.access_token_expires_at, refresh_lock_until = NULL,
      webhook_id = excluded.webhook_id, webhook_secret_hash = excluded.webhook_secret_hash,
      disconnected_at = NULL, connected_at = excluded.connected_at, updated_at = excluded.updated_at`);
}

/**
 * Takes the company's refresh lease until `until`: only while connected, no other lease is held and
 * the stored access token is still `staleStored` (another request has not refreshed it already).
 */
export async function takeRefreshLease(
  db: Database,
  companyId: string,
  lease: { staleStored: string | null; now: number; until: number },
): Promise<boolean> {
  const [, rows] = await batch(db, [
    query(sql`
      UPDATE kounta_connections SET refresh_lock_until = ${lease.until}
      WHERE company_id = ${companyId} AND status = 'connected'
        AND (refresh_lock_until IS NULL OR refresh_lock_until < ${lease.now})
        AND ${storedToken("", "access_token")} IS ${lease.staleStored}`),
    query<{ held: number }>(sql`SELECT changes() AS held`),
  ]);
  return rows[0]?.held === 1;
}

/** Stores refreshed tokens (encrypted) and ends the lease; only while still connected: a disconnect during the refresh must not get tokens back. */
export async function storeRefreshedTokens(
  db: Database,
  companyId: string,
  tokens: { accessStored: string; refreshStored: string; expiresAt: number | null; now: number },
): Promise<void> {
  await all(
    db,
    query(sql`
      UPDATE kounta_connections
      SET access_token_ciphertext = ${tokens.accessStored},
          refresh_token_ciphertext = ${tokens.refreshStored},
          access_token = NULL,
          refresh_token = NULL,
          access_token_expires_at = ${tokens.expiresAt},
          refresh_lock_until = NULL,
          updated_at = ${tokens.now}
      WHERE company_id = ${companyId} AND status = 'connected'`),
  );
}

export async function dropRefreshLease(db: Database, companyId: string): Promise<void> {
  await all(db, query(sql`UPDATE kounta_connections SET refresh_lock_until = NULL WHERE company_id = ${companyId}`));
}

/** Ends the connection: its tokens and webhook erased, the first disconnection's time kept. */
export async function markDisconnected(db: Database, companyId: string, now: number): Promise<void> {
  await all(
    db,
    query(sql`
      UPDATE kounta_connections SET status = 'disconnected',
        access_token = NULL, refresh_token = NULL, access_token_ciphertext = NULL, refresh_token_ciphertext = NULL,
        access_token_expires_at = NULL, refresh_lock_until = NULL, webhook_id = NULL, webhook_secret_hash = NULL,
        disconnected_at = coalesce(disconnected_at, ${now}), updated_at = ${now}
      WHERE company_id = ${companyId}`),
  );
}
