import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { scheduledJobs } from "../../src/jobs/scheduled";
import { WEBHOOK_SECRET_HEADER } from "../../src/connect/webhook-secret";
import { Logger } from "../../src/lib/logger";
import { ADDON_KEY, ORIGIN, seedCompany } from "../harness";
import { adminKey } from "../admin-harness";
import { signedIn } from "../dashboard-harness";
import { linkFor } from "../member-pages/card-fixtures";
import { recordingD1 } from "./d1-recording";

// Which D1 session each route and job opens (docs/read-replicas.md): the constraint or bookmark
// handed to the Sessions API, seen through a D1 binding that records it, and the bookmark's round
// trip through the admin API's header and the dashboard's cookie.

/** The app against a D1 binding that records every withSession() it is asked for. */
async function fetchRecording(request: Request): Promise<{ res: Response; sessions: (string | undefined)[] }> {
  const sessions: (string | undefined)[] = [];
  const DB = recordingD1(sessions);
  const ctx = createExecutionContext();
  const res = await createApp().fetch(request, { ...env, DB }, ctx);
  await waitOnExecutionContext(ctx);
  return { res, sessions };
}

const get = (path: string, headers: Record<string, string> = {}) => fetchRecording(new Request(`${ORIGIN}${path}`, { headers, redirect: "manual" }));
const session = (res: Response) => /session=(\w+) primary_trips=(\d+)/.exec(res.headers.get("server-timing") ?? "")?.slice(1);
const BOOKMARK = /^[0-9a-f]+(-[0-9a-f]+)+$/;

describe("the D1 session of each route", () => {
  it("POS search and lookup read from the nearest copy; a redeem decides on the primary", async () => {
    const company = await seedCompany({ rewards: [{ id: "coffee", title: "Free coffee", pointsRequired: 100, productId: "2001" }] });
    const memberId = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: 500 });

    const search = await get(`/kounta/${ADDON_KEY}/customer-search?keyword=John&company_id=${company.id}&site_id=${company.siteId}&order_id=1`);
    expect(search.res.status).toBe(200);
    expect(search.sessions).toEqual(["first-unconstrained"]);
    expect(session(search.res)).toEqual(["replica", "0"]);

    const lookupUrl = `/kounta/${ADDON_KEY}/reward-lookup?reference_id=${memberId}&customer_id=789&company_id=${company.id}&site_id=${company.siteId}&order_id=111`;
    const first = await get(lookupUrl);
    expect(first.sessions).toEqual(["first-unconstrained"]);
    // The first lookup of this member and customer writes their link: that round trip is the primary's.
    expect(session(first.res)).toEqual(["replica", "1"]);

    const redeemUrl = ((await first.res.json()) as { rewards: { redeem_url: string }[] }).rewards[0]!.redeem_url.replace("order_id=111", "order_id=7001");
    const redeem = await fetchRecording(new Request(redeemUrl));
    expect(await redeem.res.json()).toEqual({ success: true });
    expect(redeem.sessions).toEqual(["first-primary"]);
    expect(session(redeem.res)).toEqual(["primary", "2"]);
  });

  it("the card page reads from the nearest copy; /ready and the OAuth callback use the primary", async () => {
    const company = await seedCompany();
    const memberId = await company.addMember({ firstName: "Grace", email: "grace@example.com" });
    const card = await get(`/card/${await linkFor(company.id, memberId)}`);
    expect(card.res.status).toBe(200);
    expect(card.sessions).toEqual(["first-unconstrained"]);

    expect((await get("/ready")).sessions).toEqual(["first-primary"]);
    const callback = await get("/oauth/callback?state=nope&code=x");
    expect(callback.res.status).toBe(400);
    // It read nothing here (the state cookie is missing), so it opened no session.
    expect(callback.sessions.every((s) => s === "first-primary")).toBe(true);
  });

  it("Kounta's webhook and the join page decide on the primary; an icon is served from KV without D1", async () => {
    const company = await seedCompany();
    // A delivery with a wrong secret is refused (401) after the company's connection is read: on the primary.
    const hook = await fetchRecording(
      new Request(`${ORIGIN}/kounta/webhooks/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", [WEBHOOK_SECRET_HEADER]: "not-the-secret" },
        body: JSON.stringify({ id: "1", company_id: company.id }),
      }),
    );
    expect(hook.res.status).toBe(401);
    expect(hook.sessions).toEqual(["first-primary"]);

    const join = await get(`/join/${company.id}`);
    expect(join.res.status).toBe(200);
    expect(join.sessions).toEqual(["first-primary"]);

    const icon = await get(`/icons/${company.id}/mem_none?v=1`);
    expect(icon.res.status).toBe(404);
    expect(icon.sessions.every((s) => s === "first-unconstrained")).toBe(true);
  });

  it("the admin API: a read starts from the client's bookmark (or anywhere), a change on the primary, and every answer hands a bookmark back", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };

    const created = await fetchRecording(
      new Request(`${ORIGIN}/admin/v1/members`, { method: "POST", headers: auth, body: JSON.stringify({ first_name: "Ann", email: "ann@example.com" }) }),
    );
    expect(created.res.status).toBe(201);
    expect(created.sessions).toEqual(["first-primary"]);
    const bookmark = created.res.headers.get("x-d1-bookmark")!;
    expect(bookmark).toMatch(BOOKMARK);

    const read = await get(`/admin/v1/members/${((await created.res.json()) as { id: string }).id}`, { ...auth, "x-d1-bookmark": bookmark });
    expect(read.res.status).toBe(200);
    expect(read.sessions).toEqual([bookmark]);
    expect(read.res.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
    expect((await read.res.json()) as { first_name: string }).toMatchObject({ first_name: "Ann" });

    // No bookmark, or one that is not a bookmark: the nearest copy.
    expect((await get("/admin/v1/members", auth)).sessions).toEqual(["first-unconstrained"]);
    expect((await get("/admin/v1/members", { ...auth, "x-d1-bookmark": "'; DROP TABLE members" })).sessions).toEqual(["first-unconstrained"]);
  });

  it("the dashboard: pages from the bookmark cookie's copy, posts on the primary, the cookie renewed", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const first = await get("/dashboard/members", { cookie: browser.cookie });
    expect(first.res.status).toBe(200);
    expect(first.sessions).toEqual(["first-unconstrained"]);
    const cookie = first.res.headers.getSetCookie().find((c) => c.startsWith("loyalty_d1="))!;
    expect(cookie).toMatch(/^loyalty_d1=[0-9a-f-]+; Path=\/dashboard; Max-Age=3600; HttpOnly; Secure; SameSite=Lax$/);
    const bookmark = cookie.split(";")[0]!.slice("loyalty_d1=".length);

    const next = await get("/dashboard/members", { cookie: `${browser.cookie}; loyalty_d1=${bookmark}` });
    expect(next.sessions).toEqual([bookmark]);

    const form = new URLSearchParams({ _csrf: browser.csrf, first_name: "Bea", email: "bea@example.com" });
    const posted = await fetchRecording(
      new Request(`${ORIGIN}/dashboard/members`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie: `${browser.cookie}; loyalty_d1=${bookmark}`, origin: ORIGIN, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      }),
    );
    expect(posted.res.status).toBe(303);
    expect(posted.sessions).toEqual(["first-primary"]);
    expect(posted.res.headers.getSetCookie().some((c) => c.startsWith("loyalty_d1="))).toBe(true);
  });
});

describe("the D1 session of each job", () => {
  it("every cron job works on the primary", async () => {
    for (const job of scheduledJobs) {
      const sessions: (string | undefined)[] = [];
      const DB = new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "withSession") {
            return (constraint?: string) => {
              sessions.push(constraint);
              return target.withSession(constraint);
            };
          }
          if (prop === "prepare" || prop === "batch") throw new Error(`${job.name} queried the binding outside a session`);
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      // The first minutes of an hour, so the hourly expiry runs too.
      await job.run({ ...env, DB }, new Logger({ test: "sessions" }), Date.UTC(2026, 11, 3, 10, 1));
      expect(sessions.length, job.name).toBeGreaterThan(0);
      expect(new Set(sessions), job.name).toEqual(new Set(["first-primary"]));
    }
  });
});

describe("what a replica read leaves in KV", () => {
  it("a card and a catalogue read from a copy are kept a minute; a card refreshed after a change on the primary, an hour", async () => {
    const company = await seedCompany({ rewards: [{ id: "coffee", title: "Free coffee", pointsRequired: 100, productId: "2001" }] });
    const memberId = await company.addMember({ firstName: "John", openingPoints: 500 });
    const expiresIn = async (key: string) => {
      const listed = await env.CACHE.list({ prefix: key });
      const expiration = listed.keys.find((k) => k.name === key)?.expiration;
      return expiration === undefined ? null : expiration - Math.floor(Date.now() / 1000);
    };

    const lookup = await get(`/kounta/${ADDON_KEY}/reward-lookup?reference_id=${memberId}&company_id=${company.id}&order_id=1`);
    expect(lookup.res.status).toBe(200);
    const card = `v1:card:${company.id}:${memberId}`;
    expect(await expiresIn(card)).toBeGreaterThanOrEqual(55);
    expect(await expiresIn(card)).toBeLessThanOrEqual(60);
    expect(await expiresIn(`v1:catalogue:${company.id}`)).toBeLessThanOrEqual(60);

    // An adjustment (the admin API, on the primary) refreshes the card from the primary: an hour.
    const key = await adminKey(company.id);
    const adjusted = await fetchRecording(
      new Request(`${ORIGIN}/admin/v1/members/${memberId}/adjustments`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ points: 10, reason: "Welcome back" }),
      }),
    );
    expect(adjusted.res.status).toBe(201);
    expect(await expiresIn(card)).toBeGreaterThan(3500);
  });
});
