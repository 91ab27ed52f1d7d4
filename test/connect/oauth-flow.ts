import { expect } from "vitest";
import { call, ORIGIN } from "../harness";
import { KOUNTA_ORIGIN, standIn } from "../kounta-harness";

// Walks the OAuth flow hop by hop (redirect: "manual"): our /connect, the stand-in's /authorize
// (reached through kounta-harness's fetch), our /oauth/callback.

let nextId = 7_000_000 + Math.floor(Math.random() * 1000) * 1000;

/** A merchant company that exists in Kounta (the stand-in) and not yet here. */
export async function kountaMerchant(name = "Harbour Espresso"): Promise<{ id: string; name: string }> {
  const id = String(nextId++);
  const res = await standIn.app.fetch(
    new Request(`${KOUNTA_ORIGIN}/_stand-in/companies`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id, siteId: `${id}1`, name: `${name} ${id}` }),
    }),
  );
  expect(res.status).toBe(201);
  return { id, name: `${name} ${id}` };
}

/** The merchant's browser: the state cookie /connect set, sent back with the callback. */
let browserCookie: string | null = null;

/** GET /connect: the authorize URL it redirects to (and the cookie it sets, kept for the callback). */
export async function startConnect(): Promise<URL> {
  const res = await call(`${ORIGIN}/connect`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const setCookie = res.headers.get("set-cookie") ?? "";
  expect(setCookie).toMatch(/^loyalty_oauth_state=[A-Za-z0-9_-]+; Path=\/oauth; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
  browserCookie = setCookie.split(";")[0]!;
  return new URL(res.headers.get("location")!);
}

/** The merchant at Kounta's authorize page: the callback URL Kounta sends them back to. */
export async function authorizeAt(authorize: URL, params: Record<string, string>): Promise<URL> {
  const url = new URL(authorize);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!);
}

export async function openCallback(
  callback: URL | string,
  options: { cookie?: string | null } = {},
): Promise<{ status: number; html: string; res: Response }> {
  const cookie = options.cookie === undefined ? browserCookie : options.cookie;
  const res = await call(String(callback), { redirect: "manual", headers: cookie ? { cookie } : {} });
  return { status: res.status, html: await res.text(), res };
}

/** The API key a connected page shows, if it shows one. */
export function shownKey(html: string): string | null {
  return /<code>(lk_[A-Za-z0-9_-]{43})<\/code>/.exec(html)?.[1] ?? null;
}

/** The whole flow for one merchant, approved. */
export async function connectMerchant(companyId: string) {
  const callback = await authorizeAt(await startConnect(), { company_id: companyId });
  const page = await openCallback(callback);
  return { ...page, callback, apiKey: shownKey(page.html) };
}

export function webhooksOf(companyId: string) {
  return [...standIn.state.companies.get(companyId)!.webhooks.values()];
}

/** Every token the stand-in has issued for the company, and the latest (the one OAuth just granted). */
export function kountaTokensOf(companyId: string) {
  const access = [...standIn.state.accessTokens.values()].filter((t) => t.companyId === companyId).map((t) => t.token);
  const refresh = [...standIn.state.refreshTokens.values()].filter((t) => t.companyId === companyId).map((t) => t.token);
  return { all: [...access, ...refresh], latestAccess: access.at(-1), latestRefresh: refresh.at(-1) };
}
