import { sql } from "drizzle-orm";
import { createApiKey } from "../storage/api-keys";
import { tokenContext, type TokenCipher } from "../lib/token-crypto";
import type { Database } from "../storage/db";
import { batch, query } from "../storage/sql";

export interface Connection {
  company: { id: string; name: string };
  tokens: { accessToken: string; refreshToken: string | null; expiresAt: number | null };
  webhook: { id: string; secretHash: string };
}

export interface Connected {
  /** The first admin API key, when the company had no active one: shown once. */
  apiKey: string | null;
  /** The orders/completed webhook of an earlier connection, now replaced. */
  replacedWebhookId: string | null;
}

/**
 * Creates or updates the company and its connection in one batch: the tokens encrypted (the
 * plaintext columns emptied), the webhook remembered by id and secret hash. Members, rewards and
 * history of a company that reconnects are kept. Then its first API key, if it has none active.
 */
export async function connectCompany(db: Database, cipher: TokenCipher, c: Connection, now = Date.now()): Promise<Connected> {
  const [accessStored, refreshStored] = await Promise.all([
    cipher.encrypt(c.tokens.accessToken, tokenContext(c.company.id, "access_token")),
    c.tokens.refreshToken === null ? null : cipher.encrypt(c.tokens.refreshToken, tokenContext(c.company.id, "refresh_token")),
  ]);
  const [, [previous], , [keys]] = await batch(db, [
    query(sql`
      INSERT INTO companies (id, name, created_at, updated_at) VALUES (${c.company.id}, ${c.company.name}, ${now}, ${now})
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`),
    query<{ webhook_id: string | null }>(sql`SELECT webhook_id FROM kounta_connections WHERE company_id = ${c.company.id}`),
    query(sql`
      INSERT INTO kounta_connections (company_id, status, access_token, refresh_token, access_token_ciphertext,
        refresh_token_ciphertext, access_token_expires_at, webhook_id, webhook_secret_hash, connected_at, updated_at)
      VALUES (${c.company.id}, 'connected', NULL, NULL, ${accessStored}, ${refreshStored}, ${c.tokens.expiresAt},
        ${c.webhook.id}, ${c.webhook.secretHash}, ${now}, ${now})
      ON CONFLICT (company_id) DO UPDATE SET
        status = 'connected', access_token = NULL, refresh_token = NULL,
        access_token_ciphertext = excluded.access_token_ciphertext, refresh_token_ciphertext = excluded.refresh_token_ciphertext,
        access_token_expires_at = excluded.access_token_expires_at, refresh_lock_until = NULL,
        webhook_id = excluded.webhook_id, webhook_secret_hash = excluded.webhook_secret_hash,
        disconnected_at = NULL, connected_at = excluded.connected_at, updated_at = excluded.updated_at`),
    query<{ active: number }>(sql`SELECT count(*) AS active FROM api_keys WHERE company_id = ${c.company.id} AND revoked_at IS NULL`),
  ]);
  const apiKey = keys?.active
    ? null
    : (await createApiKey(db, { companyId: c.company.id, name: "Created when connecting Kounta", now })).key;
  const replaced = previous?.webhook_id ?? null;
  return { apiKey, replacedWebhookId: replaced !== c.webhook.id ? replaced : null };
}
