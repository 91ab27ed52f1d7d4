import { sql } from "drizzle-orm";
import { openSession } from "../src/storage/dashboard-sessions";
import { all, query } from "../src/storage/sql";
import { call, db, ORIGIN } from "./harness";

// The merchant's browser in the dashboard: a session cookie, and forms posted from our own pages
// (Origin and Sec-Fetch-Site as Chromium sends them, the session's CSRF token in the form).

export interface Browser {
  companyId: string;
  cookie: string;
  csrf: string;
  idHash: string;
}

/** A signed-in browser for the company, without the OAuth round trip (test/dashboard/sign-in.test.ts walks that). */
export async function signedIn(companyId: string, now = Date.now()): Promise<Browser> {
  const { id, session } = await openSession(db, companyId, now);
  return { companyId, cookie: `loyalty_session=${id}`, csrf: session.csrfToken, idHash: session.idHash };
}

export async function page(browser: Browser | null, path: string): Promise<{ status: number; html: string; res: Response }> {
  const res = await call(`${ORIGIN}${path}`, { redirect: "manual", headers: browser ? { cookie: browser.cookie } : {} });
  return { status: res.status, html: await res.text(), res };
}

type FormValue = string | File | Array<string | File>;

/** A form post as the dashboard's own page sends it; `overrides` forge parts of it. */
export async function post(
  browser: Browser | null,
  path: string,
  fields: Record<string, FormValue>,
  overrides: { csrf?: string | null; origin?: string | null; secFetchSite?: string | null; multipart?: boolean } = {},
): Promise<{ status: number; html: string; res: Response; location: string | null }> {
  const token = overrides.csrf === undefined ? browser?.csrf : overrides.csrf;
  const entries: Array<[string, string | File]> = [];
  if (token !== null && token !== undefined) entries.push(["_csrf", token]);
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) entries.push([k, one]);
  const multipart = overrides.multipart ?? entries.some(([, v]) => typeof v !== "string");
  let body: BodyInit;
  const headers: Record<string, string> = {};
  if (multipart) {
    const form = new FormData();
    for (const [k, v] of entries) form.append(k, v);
    body = form;
  } else {
    body = new URLSearchParams(entries as Array<[string, string]>).toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  }
  const origin = overrides.origin === undefined ? ORIGIN : overrides.origin;
  if (origin !== null) headers.origin = origin;
  const site = overrides.secFetchSite === undefined ? "same-origin" : overrides.secFetchSite;
  if (site !== null) headers["sec-fetch-site"] = site;
  if (browser) headers.cookie = browser.cookie;
  const res = await call(`${ORIGIN}${path}`, { method: "POST", redirect: "manual", headers, body });
  return { status: res.status, html: await res.text(), res, location: res.headers.get("location") };
}

/** The text of an element found by a CSS-like data attribute, e.g. figure(html, "members-total"). */
export function figure(html: string, name: string): string | null {
  const match = new RegExp(`data-figure="${name}"[^>]*>([^<]*)<`).exec(html);
  return match ? match[1]!.trim() : null;
}

export async function sessionsOf(companyId: string): Promise<number> {
  const [row] = await all<{ n: number }>(db, query(sql`SELECT count(*) AS n FROM dashboard_sessions WHERE company_id = ${companyId}`));
  return row!.n;
}
