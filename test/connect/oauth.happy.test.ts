import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { hashWebhookSecret } from "../../src/connect/webhook-secret";
import { TokenCipher } from "../../src/lib/token-crypto";
import { tokenContext } from "../../src/storage/kounta-connections";
import { companies, kountaConnections, oauthStates } from "../../src/storage/schema";
import { admin } from "../admin-harness";
import { companyAddonKey } from "../../src/kounta/addon-key";
import { ADDON_KEY, db, ORIGIN } from "../harness";
import { kounta, KOUNTA_ORIGIN } from "../kounta-harness";
import { testKountaClient } from "../kounta-api/client-harness";
import { connectMerchant, kountaMerchant, kountaTokensOf, startConnect, webhooksOf } from "./oauth-flow";

const cipher = TokenCipher.fromSecret(loadConfig(env).TOKEN_ENCRYPTION_KEYS);

async function connectionRow(companyId: string) {
  const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, companyId));
  return row!;
}

const kountaClient = (companyId: string, knownToken?: { accessToken: string | null; expiresAt: number | null }) =>
  testKountaClient(companyId, "connect", { knownToken });

describe("connecting through Kounta OAuth", () => {
  it("GET /connect sends the merchant to Kounta's authorize page with a single-use state kept 10 minutes", async () => {
    const before = Date.now();
    const authorize = await startConnect();
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${KOUNTA_ORIGIN}/authorize`);
    const state = authorize.searchParams.get("state")!;
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: "test-client-id",
      redirect_uri: `${ORIGIN}/oauth/callback`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      response_type: "code",
    });
    const [row] = await db.select().from(oauthStates).where(eq(oauthStates.state, state));
    expect(row!.usedAt).toBeNull();
    expect(row!.expiresAt - row!.createdAt).toBe(10 * 60_000);
    expect(row!.createdAt).toBeGreaterThanOrEqual(before);
    expect((await startConnect()).searchParams.get("state")).not.toBe(state);
  });

  it("creates the company, shows its first API key once and the Loyalty tab URLs", async () => {
    const merchant = await kountaMerchant();
    const { status, html, res, apiKey } = await connectMerchant(merchant.id);

    expect(status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`${merchant.name} is now connected`);
    // The company's own URLs, never the add-on key (which opens every company).
    const companyKey = await companyAddonKey(ADDON_KEY, merchant.id);
    expect(companyKey).toMatch(new RegExp(`^${merchant.id}\\.[A-Za-z0-9_-]{43}$`));
    expect(html).toContain(`<code>${ORIGIN}/kounta/${companyKey}/customer-search</code>`);
    expect(html).toContain(`<code>${ORIGIN}/kounta/${companyKey}/reward-lookup</code>`);
    expect(html).not.toContain(ADDON_KEY);
    expect(apiKey).toMatch(/^lk_/);

    const keys = await admin(apiKey, "GET", "/api-keys");
    expect(keys.status).toBe(200);
    // The owner's first key is a manager's (only a manager's key makes another, or changes the limits).
    expect(keys.body.data.map((k: { name: string; manager: boolean }) => [k.name, k.manager])).toEqual([["Created when connecting Kounta", true]]);
    const [company] = await db.select().from(companies).where(eq(companies.id, merchant.id));
    expect(company).toMatchObject({ id: merchant.id, name: merchant.name });

    const connection = await admin(apiKey, "GET", "/connection");
    expect(connection.body).toEqual({
      company_id: merchant.id,
      name: merchant.name,
      status: "connected",
      connected_at: expect.any(String),
      disconnected_at: null,
      webhook_registered: true,
      loyalty_urls: {
        customer_search: `${ORIGIN}/kounta/${companyKey}/customer-search`,
        reward_lookup: `${ORIGIN}/kounta/${companyKey}/reward-lookup`,
      },
    });
  });

  it("stores the tokens encrypted: plaintext columns empty, ciphertext readable only with the key", async () => {
    const merchant = await kountaMerchant();
    await connectMerchant(merchant.id);
    const row = await connectionRow(merchant.id);
    const issued = kountaTokensOf(merchant.id);

    expect(row.status).toBe("connected");
    expect(row.accessToken).toBeNull();
    expect(row.refreshToken).toBeNull();
    expect(row.accessTokenCiphertext).toMatch(/^test-2\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(row.refreshTokenCiphertext).toMatch(/^test-2\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(row.accessTokenExpiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    const everything = JSON.stringify(await db.all(sql`SELECT * FROM kounta_connections WHERE company_id = ${merchant.id}`));
    for (const token of issued.all) expect(everything).not.toContain(token);

    // With the key (and only for this company and column) they are Kounta's tokens.
    expect(await cipher.decrypt(row.accessTokenCiphertext!, tokenContext(merchant.id, "access_token"))).toBe(issued.latestAccess);
    expect(await cipher.decrypt(row.refreshTokenCiphertext!, tokenContext(merchant.id, "refresh_token"))).toBe(issued.latestRefresh);
    await expect(cipher.decrypt(row.accessTokenCiphertext!, tokenContext("1", "access_token"))).rejects.toThrow("does not decrypt");
    await expect(cipher.decrypt(row.accessTokenCiphertext!, tokenContext(merchant.id, "refresh_token"))).rejects.toThrow("does not decrypt");
    const otherKey = TokenCipher.fromSecret(`test-2:${btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))}`);
    await expect(otherKey.decrypt(row.accessTokenCiphertext!, tokenContext(merchant.id, "access_token"))).rejects.toThrow("does not decrypt");
  });

  it("the Kounta client works with the encrypted tokens, from D1 or as read by the caller, and refreshes into ciphertext", async () => {
    const merchant = await kountaMerchant();
    await connectMerchant(merchant.id);
    const row = await connectionRow(merchant.id);

    expect((await kountaClient(merchant.id).getOrder("51")).status).toBe("SUBMITTED");
    const known = { accessToken: row.accessTokenCiphertext, expiresAt: row.accessTokenExpiresAt };
    expect((await kountaClient(merchant.id, known).getOrder("52")).status).toBe("SUBMITTED");

    await kounta.fault(merchant.id, "expired_token");
    expect((await kountaClient(merchant.id).getOrder("53")).status).toBe("SUBMITTED");
    const refreshed = await connectionRow(merchant.id);
    expect(refreshed.accessToken).toBeNull();
    expect(refreshed.refreshToken).toBeNull();
    expect(refreshed.accessTokenCiphertext).not.toBe(row.accessTokenCiphertext);
    expect(await cipher.decrypt(refreshed.refreshTokenCiphertext!, tokenContext(merchant.id, "refresh_token"))).toBe(
      kountaTokensOf(merchant.id).latestRefresh,
    );
  });

  it("registers the orders/completed webhook with our secret header, storing only its hash", async () => {
    const merchant = await kountaMerchant();
    await connectMerchant(merchant.id);
    const hooks = webhooksOf(merchant.id);
    expect(hooks).toEqual([
      {
        id: expect.any(String),
        topic: "orders/completed",
        address: `${ORIGIN}/kounta/webhooks/orders`,
        format: "json",
        filter: null,
        headers: { "X-Loyalty-Webhook-Secret": expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
        createdAt: expect.any(Number),
      },
    ]);
    const row = await connectionRow(merchant.id);
    const secret = hooks[0]!.headers["X-Loyalty-Webhook-Secret"]!;
    expect(row.webhookId).toBe(hooks[0]!.id);
    expect(row.webhookSecretHash).toBe(await hashWebhookSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("reconnecting keeps the company's keys (no new key shown) and replaces the webhook", async () => {
    const merchant = await kountaMerchant();
    const first = await connectMerchant(merchant.id);
    const firstHook = webhooksOf(merchant.id)[0]!;

    const second = await connectMerchant(merchant.id);
    expect(second.status).toBe(200);
    expect(second.apiKey).toBeNull();
    expect(second.html).toContain("Your existing admin API keys keep working");
    expect((await admin(first.apiKey, "GET", "/api-keys")).body.data).toHaveLength(1);

    await expect.poll(() => webhooksOf(merchant.id).map((h) => h.id)).not.toContain(firstHook.id);
    const hooks = webhooksOf(merchant.id);
    expect(hooks).toHaveLength(1);
    expect((await connectionRow(merchant.id)).webhookId).toBe(hooks[0]!.id);
  });
});
