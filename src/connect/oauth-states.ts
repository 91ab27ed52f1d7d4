import { sql } from "drizzle-orm";
import { base64Url } from "../lib/crypto";
import type { Database } from "../storage/db";
import { batch, query } from "../storage/sql";

// The OAuth `state`: random, single use, valid ten minutes, and what it was issued for (connecting
// the company, or signing in to the dashboard: both come back through /oauth/callback, the one
// redirect URI registered with Kounta). In D1 rather than KV, because single use needs a read that
// sees the latest write.

export const OAUTH_STATE_LIFETIME_MS = 10 * 60_000;
const KEEP_SPENT_STATES_MS = 24 * 3600_000;

export type OAuthPurpose = "connect" | "sign_in";

export async function issueOAuthState(db: Database, purpose: OAuthPurpose, now = Date.now()): Promise<string> {
  const state = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  await batch(db, [
    query(sql`INSERT INTO oauth_states (state, created_at, expires_at, purpose) VALUES (${state}, ${now}, ${now + OAUTH_STATE_LIFETIME_MS}, ${purpose})`),
    // Housekeeping on the way: states long expired are of no further use.
    query(sql`DELETE FROM oauth_states WHERE expires_at < ${now - KEEP_SPENT_STATES_MS}`),
  ]);
  return state;
}

export type StateCheck = "valid" | "unknown" | "expired" | "used";

/** Spends the state: "valid" for exactly one caller, however many race with the same value. */
export async function consumeOAuthState(db: Database, state: string, now = Date.now()): Promise<{ check: StateCheck; purpose: OAuthPurpose }> {
  const [, [spent], [row]] = await batch(db, [
    query(sql`UPDATE oauth_states SET used_at = ${now} WHERE state = ${state} AND used_at IS NULL AND expires_at > ${now}`),
    query<{ changed: number }>(sql`SELECT changes() AS changed`),
    query<{ used_at: number | null; expires_at: number; purpose: OAuthPurpose }>(
      sql`SELECT used_at, expires_at, purpose FROM oauth_states WHERE state = ${state}`,
    ),
  ]);
  const purpose = row?.purpose ?? "connect";
  if (spent?.changed === 1) return { check: "valid", purpose };
  if (!row) return { check: "unknown", purpose };
  return { check: row.used_at !== null ? "used" : "expired", purpose };
}
