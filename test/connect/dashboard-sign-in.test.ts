import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sha256Base64Url } from "../../src/lib/crypto";
import { dashboardSessions, kountaConnections, oauthStates } from "../../src/storage/schema";
import { call, db, ORIGIN, seedCompany } from "../harness";
import { kounta, KOUNTA_ORIGIN } from "../kounta-harness";
import { authorizeAt, kountaMerchant, kountaTokensOf, openCallback } from "./oauth-flow";
import { env } from "cloudflare:test";
import { loadConfig } from "../../src/config";
import { TokenCipher } from "../../src/lib/token-crypto";
import { tokenContext } from "../../src/storage/kounta-connections";

const cipher = TokenCipher.fromSecret(loadConfig(env).TOKEN_ENCRYPTION_KEYS);

// Signing in to the dashboard with Kounta: GET /oauth/sign-in, Kounta's authorize page (the
// stand-in approves at once), /oauth/callback, then a session for the company Kounta names.

let stateCookie: string | null = null;

async function startSignIn(): Promise<URL> {
  const res = await call(`${ORIGIN}/oauth/sign-in`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const setCookie = res.headers.get("set-cookie") ?? "";
  expect(setCookie).toMatch(/^loyalty_oauth_state=[A-Za-z0-9_-]+; Path=\/oauth; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
  stateCookie = setCookie.split(";")[0]!;
  return new URL(res.headers.get("location")!);
}

async function signIn(companyId: string) {
  const callback = await authorizeAt(await startSignIn(), { company_id: companyId });
  return openCallback(callback, { cookie: stateCookie });
}

describe("signing in to the dashboard with Kounta", () => {
  it("the sign-in page's one button starts Kounta's OAuth with a state marked for signing in", async () => {
    const res = await call(`${ORIGIN}/dashboard`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/sign-in");

    const signInPage = await call(`${ORIGIN}/dashboard/sign-in`);
    expect(signInPage.status).toBe(200);
    const html = await signInPage.text();
    expect(html).toContain('<a class="button" href="/oauth/sign-in">Sign in with Kounta</a>');
    expect(signInPage.headers.get("content-security-policy")).toContain("script-src 'self'");

    const authorize = await startSignIn();
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${KOUNTA_ORIGIN}/authorize`);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/oauth/callback`);
    const [state] = await db.select().from(oauthStates).where(eq(oauthStates.state, authorize.searchParams.get("state")!));
    expect(state!.purpose).toBe("sign_in");
  });

  it("opens a session for the company Kounta names: only the id's hash in D1, the cookie scoped to /dashboard", async () => {
    const company = await seedCompany();
    const [before] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, company.id));
    const { status, res } = await signIn(company.id);
    expect(status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    const [setCookie, bookmark] = res.headers.getSetCookie();
    expect(setCookie).toMatch(/^loyalty_session=[A-Za-z0-9_-]{43}; Path=\/dashboard; Max-Age=604800; HttpOnly; Secure; SameSite=Lax$/);
    // And the D1 bookmark of the session's write, so the first page reads a copy that has the session.
    expect(bookmark).toMatch(/^loyalty_d1=[0-9a-f-]+; Path=\/dashboard; Max-Age=3600; HttpOnly; Secure; SameSite=Lax$/);
    const id = /^loyalty_session=([^;]+)/.exec(setCookie!)![1]!;

    const rows = await db.select().from(dashboardSessions).where(eq(dashboardSessions.companyId, company.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idHash).toBe(await sha256Base64Url(id));
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(rows[0]!.expiresAt - rows[0]!.createdAt).toBe(7 * 24 * 3600_000);

    const overview = await call(`${ORIGIN}/dashboard`, { redirect: "manual", headers: { cookie: `loyalty_session=${id}` } });
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain(`Test Café ${company.id}`);

    // Signing in registers no webhook. Its tokens (Kounta's newest grant) replace the stored ones,
    // encrypted, whether or not Kounta ended the earlier ones; nothing else of the connection changes.
    const calls = await kounta.apiCalls(company.id);
    expect(calls.filter((c) => c.includes("webhooks"))).toEqual([]);
    const [after] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, company.id));
    const latest = kountaTokensOf(company.id);
    expect(await cipher.decrypt(after!.accessTokenCiphertext!, tokenContext(company.id, "access_token"))).toBe(latest.latestAccess);
    expect(await cipher.decrypt(after!.refreshTokenCiphertext!, tokenContext(company.id, "refresh_token"))).toBe(latest.latestRefresh);
    expect({ ...after, accessTokenCiphertext: null, refreshTokenCiphertext: null, accessTokenExpiresAt: null, updatedAt: null, accessToken: null, refreshToken: null }).toEqual({
      ...before,
      accessTokenCiphertext: null,
      refreshTokenCiphertext: null,
      accessTokenExpiresAt: null,
      updatedAt: null,
      accessToken: null,
      refreshToken: null,
    });
  });

  it("a company that has never connected is offered the connect flow, and no session opens", async () => {
    const merchant = await kountaMerchant("Never Connected");
    const { status, html, res } = await signIn(merchant.id);
    expect(status).toBe(403);
    // No session cookie (only the D1 bookmark every callback hands the dashboard).
    expect(res.headers.getSetCookie().map((c) => c.split("=")[0])).toEqual(["loyalty_d1"]);
    expect(html).toContain("Connect Kounta first");
    expect(html).toContain('<a href="/connect">');
    expect(await db.select().from(dashboardSessions).where(eq(dashboardSessions.companyId, merchant.id))).toEqual([]);
  });

  it("a disconnected company is offered the connect flow too", async () => {
    const company = await seedCompany();
    await db.update(kountaConnections).set({ status: "disconnected" }).where(eq(kountaConnections.companyId, company.id));
    const { status, html } = await signIn(company.id);
    expect(status).toBe(403);
    expect(html).toContain("is not connected to the loyalty programme");
  });

  it("a spent sign-in state cannot sign in again, and a declined sign-in opens nothing", async () => {
    const company = await seedCompany();
    const callback = await authorizeAt(await startSignIn(), { company_id: company.id });
    expect((await openCallback(callback, { cookie: stateCookie })).status).toBe(303);
    const again = await openCallback(callback, { cookie: stateCookie });
    expect(again.status).toBe(400);
    expect(again.html).toContain("already been used");
    expect(again.html).toContain('href="/dashboard/sign-in"');

    const declined = await authorizeAt(await startSignIn(), { company_id: company.id, approve: "no" });
    const refused = await openCallback(declined, { cookie: stateCookie });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain("You are not signed in");
    expect(await db.select().from(dashboardSessions).where(eq(dashboardSessions.companyId, company.id))).toHaveLength(1);
  });
});
