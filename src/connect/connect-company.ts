import { sql } from "drizzle-orm";
import { createApiKey } from "../storage/api-keys";
import type { TokenCipher } from "../lib/token-crypto";
import type { Database } from "../storage/db";
import { connectionStatement, tokenContext, upsertConnectionStatement } from "../storage/kounta-connections";
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
    connectionStatement(c.company.id),
    upsertConnectionStatement({
      companyId: c.company.id,
      accessStored,
      refreshStored,
      expiresAt: c.tokens.expiresAt,
      webhookId: c.webhook.id,
      webhookSecretHash: c.webhook.secretHash,
      now,
    }),
    query<{ active: number }>(sql`SELECT count(*) AS active FROM api_keys WHERE company_id = ${c.company.id} AND revoked_at IS NULL`),
  ]);
  // The owner's first key is a manager's: only a manager's key makes another one.
  const apiKey = keys?.active
    ? null
    : (await createApiKey(db, { companyId: c.company.id, name: "Created when connecting Kounta", manager: true, now })).key;
  const replaced = previous?.webhook_id ?? null;
  return { apiKey, replacedWebhookId: replaced !== c.webhook.id ? replaced : null };
}
