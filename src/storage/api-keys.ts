import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { base64Url, sha256Base64Url, newId } from "../lib/crypto";
import type { Database } from "./db";
import { apiKeys } from "./schema";

// Admin API keys: "lk_" + 32 random bytes (base64url). Only a SHA-256 hash is stored, so a key is
// shown once, when it is made. Each key belongs to one company.

export type ApiKey = typeof apiKeys.$inferSelect;

const LAST_USED_EVERY_MS = 60_000;

/** A key's stored hash (as a webhook secret's: src/lib/crypto.ts sha256Base64Url). */
export const hashApiKey = sha256Base64Url;

/** Makes a key; the only time its secret is known. A fixed `key` is for local development seeds. */
export async function createApiKey(
  db: Database,
  input: { companyId: string; name: string; manager?: boolean; key?: string; now?: number },
): Promise<ApiKey & { key: string }> {
  const key = input.key ?? `lk_${base64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const row = {
    id: newId("key"),
    companyId: input.companyId,
    name: input.name,
    prefix: key.slice(0, 10),
    keyHash: await hashApiKey(key),
    manager: input.manager ?? false,
    createdAt: input.now ?? Date.now(),
  };
  await db.insert(apiKeys).values(row);
  return { ...row, lastUsedAt: null, revokedAt: null, key };
}

/** The company and key a Bearer key belongs to, or null (unknown or revoked). */
export async function authenticateApiKey(
  db: Database,
  key: string,
): Promise<{ keyId: string; companyId: string; manager: boolean; lastUsedAt: number | null } | null> {
  const [row] = await db
    .select({ keyId: apiKeys.id, companyId: apiKeys.companyId, manager: apiKeys.manager, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, await hashApiKey(key)), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

/** Records use, at most once a minute per key (a write per request would cost more than it tells). */
export async function touchApiKey(db: Database, keyId: string, lastUsedAt: number | null, now = Date.now()): Promise<void> {
  if (lastUsedAt !== null && now - lastUsedAt < LAST_USED_EVERY_MS) return;
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, keyId));
}

export async function listApiKeys(db: Database, companyId: string): Promise<ApiKey[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.companyId, companyId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** A key of this company by id; null when it has none. */
export async function findApiKey(db: Database, companyId: string, keyId: string): Promise<ApiKey | null> {
  const [row] = await db.select().from(apiKeys).where(and(eq(apiKeys.companyId, companyId), eq(apiKeys.id, keyId)));
  return row ?? null;
}

/** Revokes a key of this company; null when the company has no such key. */
export async function revokeApiKey(db: Database, companyId: string, keyId: string, now = Date.now()): Promise<ApiKey | null> {
  await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${now})` })
    .where(and(eq(apiKeys.companyId, companyId), eq(apiKeys.id, keyId)));
  const [row] = await db.select().from(apiKeys).where(and(eq(apiKeys.companyId, companyId), eq(apiKeys.id, keyId)));
  return row ?? null;
}

/** Revokes every key of a company (disconnecting). */
export async function revokeAllApiKeys(db: Database, companyId: string, now = Date.now()): Promise<void> {
  await db.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.companyId, companyId), isNull(apiKeys.revokedAt)));
}
