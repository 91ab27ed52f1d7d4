import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { clearedSessionCookie, SESSION_COOKIE } from "../connect/sign-in";
import { publicOrigin } from "../kounta/origin";
import { secretsEqual } from "../lib/crypto";
import { readSession } from "../storage/dashboard-sessions";
import type { DashboardEnv } from "./env";

// Who is signed in, and that a change really comes from one of our own pages.

/** No session (none, expired, signed out): to the sign-in page, and nothing else runs. */
export const requireSession = createMiddleware<DashboardEnv>(async (c, next) => {
  const id = getCookie(c, SESSION_COOKIE);
  const session = id ? await readSession(c.get("services").db, id) : null;
  if (!session) {
    const headers: Record<string, string> = { Location: id ? "/dashboard/sign-in?ended=1" : "/dashboard/sign-in", "Cache-Control": "no-store" };
    if (id) headers["Set-Cookie"] = clearedSessionCookie();
    return c.body(null, 303, headers);
  }
  c.set("session", session);
  c.set("companyName", session.companyName);
  await next();
});

export class ForgedRequest extends Error {}

const sameOrigin = csrf({ origin: (origin, c) => origin === publicOrigin(c as Context<DashboardEnv>) });

/**
 * Every change (any method but GET and HEAD) must come from one of our pages: the browser says it
 * was sent from our origin (Hono's csrf: Origin or Sec-Fetch-Site) and the form carries this
 * session's token. A forged post answers 403 and changes nothing.
 */
export const requireSameOriginForm = createMiddleware<DashboardEnv>(async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  await sameOrigin(c, async () => undefined);
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) throw new ForgedRequest("not a form");
  // Hono keeps the parsed body: the handler's parseBody reads the same one. A body that is no
  // readable form (a multipart without its boundary, cut short) is refused as unreadable.
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw new HTTPException(400, { message: "unreadable form" });
  }
  const token = typeof body._csrf === "string" ? body._csrf : "";
  if (!(await secretsEqual(token, c.get("session").csrfToken))) throw new ForgedRequest("wrong token");
  await next();
});

/** Who made a change from the dashboard, as the ledger and import rows record it ("dashboard:<session>"). */
export function dashboardActor(c: Context<DashboardEnv>): string {
  return `dashboard:${c.get("session").idHash.slice(0, 12)}`;
}
