import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { createApp } from "../../src/app";
import { joinFormToken } from "../../src/member-pages/join-form-token";
import { companies, members } from "../../src/storage/schema";
import { all, query } from "../../src/storage/sql";
import { db, ORIGIN } from "../harness";

// A customer's phone on the join pages: each test its own IP (the rate limit per IP is shared by the
// whole run), forms posted as our page posts them (Origin and Sec-Fetch-Site as a browser sends
// them, the page's signed token), and an environment of its own where a test needs one (Turnstile,
// an email sender).

export const SIGNING_KEY = env.REDEEM_SIGNING_KEY;

let ipCounter = Math.floor(Math.random() * 200) * 65_536;

/** An address no other test uses. */
export function freshIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export interface Visit {
  status: number;
  html: string;
  res: Response;
  location: string | null;
}

type Fields = Record<string, string | string[]>;

export interface PostOptions {
  ip?: string;
  /** The token in the form: undefined a fresh one for the company, null none. */
  csrf?: string | null;
  origin?: string | null;
  secFetchSite?: string | null;
  /** Another environment (Turnstile keys, an email sender): the app is run with it. */
  env?: Record<string, unknown>;
}

async function visit(request: Request, envOverride: Record<string, unknown> | undefined): Promise<Visit> {
  let res: Response;
  if (envOverride) {
    const ctx = createExecutionContext();
    res = await createApp().fetch(request, { ...env, ...envOverride } as unknown as Env, ctx);
    await waitOnExecutionContext(ctx);
  } else {
    res = await exports.default.fetch(request);
  }
  return { status: res.status, html: await res.text(), res, location: res.headers.get("location") };
}

export function joinPage(path: string, options: { env?: Record<string, unknown>; ip?: string } = {}): Promise<Visit> {
  return visit(new Request(`${ORIGIN}${path}`, { redirect: "manual", headers: { "CF-Connecting-IP": options.ip ?? freshIp() } }), options.env);
}

/** The company id of a join path: /join/<id> or /join/<id>/send-link. */
const companyOf = (path: string) => decodeURIComponent(path.split("/")[2] ?? "");

export async function joinPost(path: string, fields: Fields, options: PostOptions = {}): Promise<Visit> {
  const token = options.csrf === undefined ? await joinFormToken(SIGNING_KEY, companyOf(path)) : options.csrf;
  const body = new URLSearchParams();
  if (token !== null) body.append("_csrf", token);
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "CF-Connecting-IP": options.ip ?? freshIp() };
  const origin = options.origin === undefined ? ORIGIN : options.origin;
  if (origin !== null) headers.origin = origin;
  const site = options.secFetchSite === undefined ? "same-origin" : options.secFetchSite;
  if (site !== null) headers["sec-fetch-site"] = site;
  return visit(new Request(`${ORIGIN}${path}`, { method: "POST", redirect: "manual", headers, body: body.toString() }), options.env);
}

/** A complete, valid join form (the consent box ticked as the page sends it). */
export function goodForm(overrides: Fields = {}): Fields {
  return { first_name: "Ada", last_name: "Lovelace", email: "Ada.Lovelace@Example.com", phone: "", consent: ["false", "true"], website: "", ...overrides };
}

export async function membersOf(companyId: string) {
  return db.select().from(members).where(eq(members.companyId, companyId)).orderBy(members.pk);
}

export async function cardLinksOf(companyId: string) {
  return all<{ token_hash: string; member_id: string; created_at: number; revoked_at: number | null }>(
    db,
    query(sql`SELECT token_hash, member_id, created_at, revoked_at FROM member_card_links WHERE company_id = ${companyId} ORDER BY created_at, token_hash`),
  );
}

/** What a company has written: its members and card links (nothing, after a refusal). */
export async function writtenBy(companyId: string) {
  return { members: (await membersOf(companyId)).length, links: (await cardLinksOf(companyId)).length };
}

export async function setCompany(companyId: string, values: Partial<typeof companies.$inferInsert>) {
  await db.update(companies).set(values).where(eq(companies.id, companyId));
}

/** A field's message on the page (forms.tsx draws it as <span class="error" id="f-<name>-error">). */
export function fieldError(html: string, name: string): string | null {
  const match = new RegExp(`<span class="error" id="f-${name}-error">([^<]*)</span>`).exec(html);
  return match ? decodeHtml(match[1]!) : null;
}

/** A text field's value on the page. */
export function fieldValue(html: string, name: string): string | null {
  const match = new RegExp(`<input id="f-${name}" name="${name}"[^>]* value="([^"]*)"`).exec(html);
  return match ? decodeHtml(match[1]!) : null;
}

/** The signed token of the page's form. */
export function pageToken(html: string): string {
  const match = /<input type="hidden" name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no form token on the page");
  return match[1]!;
}

export function decodeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * The simulated rate limiter counts per wall-clock minute: a test that fills a window waits, when
 * the minute is nearly over, for the next one to start (else the count would restart half-way).
 */
export async function startOfRateWindow(neededSeconds = 20): Promise<void> {
  const into = (Date.now() % 60_000) / 1000;
  if (into + neededSeconds > 60) await new Promise((resolve) => setTimeout(resolve, (60 - into) * 1000 + 250));
}
