import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, expect, vi } from "vitest";
import { loadConfig } from "../../src/config";
import { TokenCipher } from "../../src/lib/token-crypto";
import { openDatabase } from "../../src/storage/db";
import { tokenContext } from "../../src/storage/kounta-connections";
import { kountaConnections } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta, standIn } from "../kounta-harness";
import { testKountaClient, type ClientOptions } from "./client-harness";

// What the token refresh tests share: the company's row as stored (tokens decrypted), the tokens
// Kounta (the stand-in) holds for it, every log line written, a D1 that fails to store tokens.

const cipher = TokenCipher.fromSecret(loadConfig(env).TOKEN_ENCRYPTION_KEYS);

export const client = (companyId: string, options: ClientOptions = {}) => testKountaClient(companyId, "token-refresh", options);

/** A waitUntil that keeps what it was handed, to wait for it. */
export function background() {
  const handed: Promise<unknown>[] = [];
  return { waitUntil: (p: Promise<unknown>) => void handed.push(p), handed, settled: () => Promise.all(handed) };
}

export async function rowOf(companyId: string) {
  const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, companyId));
  return row!;
}

/** The tokens as the Worker would use them: the ciphertext decrypted, else a plaintext (legacy, seeded) column. */
export async function storedTokens(companyId: string) {
  const row = await rowOf(companyId);
  const open = (stored: string | null, column: "access_token" | "refresh_token") =>
    stored ? cipher.decrypt(stored, tokenContext(companyId, column)) : Promise.resolve(null);
  return {
    access: (await open(row.accessTokenCiphertext, "access_token")) ?? row.accessToken,
    refresh: (await open(row.refreshTokenCiphertext, "refresh_token")) ?? row.refreshToken,
    encrypted: row.accessTokenCiphertext !== null && row.refreshTokenCiphertext !== null,
    expiresAt: row.accessTokenExpiresAt,
    leaseUntil: row.refreshLockUntil,
  };
}

/** The refresh tokens Kounta still accepts for the company, and its newest access token. */
export function kountaTokens(companyId: string) {
  const refresh = [...standIn.state.refreshTokens.values()].filter((t) => t.companyId === companyId);
  const access = [...standIn.state.accessTokens.values()].filter((t) => t.companyId === companyId);
  return { activeRefresh: refresh.filter((t) => t.active).map((t) => t.token), allRefresh: refresh.map((t) => t.token), newestAccess: access.at(-1)!.token, allAccess: access.map((t) => t.token) };
}

/** Makes Kounta refuse the access tokens it issued so far: a call that works afterwards used a newer one. */
export function expireKountaAccessTokens(companyId: string, tokens: string[]) {
  for (const token of tokens) {
    const record = standIn.state.accessTokens.get(token);
    if (record?.companyId === companyId) record.expiresAt = Date.now() - 1;
  }
}

/** Every log line written meanwhile (the Logger writes JSON to console.log/warn/error). */
export function captureLogs() {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(keep);
  return {
    lines,
    messages: () => lines.flatMap((l) => { try { return [JSON.parse(l) as Record<string, unknown>]; } catch { return []; } }),
    /** No line holds any of these tokens. */
    expectNone: (tokens: (string | null)[]) => {
      for (const token of tokens.filter((t): t is string => !!t)) expect(lines.filter((l) => l.includes(token))).toEqual([]);
    },
  };
}
afterEach(() => vi.restoreAllMocks());

/** The test D1 whose statement storing refreshed tokens fails its first `failures` times (everything else works). */
export function failingTokenStores(failures: number) {
  let attempts = 0;
  const failed: D1PreparedStatement = {
    bind: () => failed,
    all: () => Promise.reject(new Error("D1_ERROR: simulated storage failure")),
  } as unknown as D1PreparedStatement;
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") {
        return (sql: string) => {
          if (!/SET access_token_ciphertext/.test(sql)) return target.prepare(sql);
          attempts += 1;
          return attempts <= failures ? failed : target.prepare(sql);
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: openDatabase(d1), attempts: () => attempts };
}

/** The company's stand-in calls as "METHOD path status", order paths cut short. */
export async function callsOf(companyId: string): Promise<string[]> {
  return (await kounta.calls(companyId)).map((c) => `${c.method} ${c.path.replace(`/v1/companies/${companyId}/orders/`, "")} ${c.status}`);
}
