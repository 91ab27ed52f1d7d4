import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dashboardSessions } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { page, post, sessionsOf, signedIn } from "../dashboard-harness";
import { call, db, ORIGIN, seedCompany } from "../harness";

// Sessions end when they should (idle, too old, signed out, disconnected), and a change is only
// accepted from one of our own pages.

const HOUR = 3600_000;

describe("dashboard sessions", () => {
  it("a signed-in browser sees its company's overview with the dashboard's headers", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const { status, html, res } = await page(browser, "/dashboard");
    expect(status).toBe(200);
    expect(html).toContain(`Test Café ${company.id}`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it("without a session every page sends the visitor to sign in", async () => {
    for (const path of ["/dashboard", "/dashboard/members", "/dashboard/rewards", "/dashboard/activity", "/dashboard/nowhere"]) {
      const { status, res } = await page(null, path);
      expect(status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe("/dashboard/sign-in");
    }
    const unknown = await page({ companyId: "x", cookie: "loyalty_session=not-a-session", csrf: "", idHash: "" }, "/dashboard");
    expect(unknown.status).toBe(303);
    expect(unknown.res.headers.get("location")).toBe("/dashboard/sign-in?ended=1");
    expect(unknown.res.headers.getSetCookie()[0]).toBe("loyalty_session=; Path=/dashboard; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
  });

  it("ends after 12 hours without a request, and 7 days after sign-in however active", async () => {
    const company = await seedCompany();
    const idle = await signedIn(company.id, Date.now() - 12 * HOUR - 1000);
    expect((await page(idle, "/dashboard")).res.headers.get("location")).toBe("/dashboard/sign-in?ended=1");

    const recent = await signedIn(company.id, Date.now() - 11 * HOUR);
    expect((await page(recent, "/dashboard")).status).toBe(200);
    const [touched] = await db.select().from(dashboardSessions).where(eq(dashboardSessions.idHash, recent.idHash));
    expect(Date.now() - touched!.lastSeenAt).toBeLessThan(60_000);

    const old = await signedIn(company.id, Date.now() - 7 * 24 * HOUR - 1000);
    await db.update(dashboardSessions).set({ lastSeenAt: Date.now() }).where(eq(dashboardSessions.idHash, old.idHash));
    expect((await page(old, "/dashboard")).res.headers.get("location")).toBe("/dashboard/sign-in?ended=1");
  });

  it("signing out ends this session only", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const other = await signedIn(company.id);
    const out = await post(browser, "/dashboard/sign-out", {});
    expect(out.status).toBe(303);
    expect(out.location).toBe("/dashboard/sign-in?out=1");
    expect(out.res.headers.get("set-cookie")).toContain("loyalty_session=; Path=/dashboard; Max-Age=0");
    expect((await page(browser, "/dashboard")).status).toBe(303);
    expect((await page(other, "/dashboard")).status).toBe(200);
    expect(await sessionsOf(company.id)).toBe(1);
    expect((await page(null, "/dashboard/sign-in?out=1")).html).toContain("You are signed out.");
  });

  it("disconnecting the company ends every one of its sessions", async () => {
    const company = await seedCompany();
    const neighbour = await seedCompany();
    const a = await signedIn(company.id);
    const b = await signedIn(company.id);
    const kept = await signedIn(neighbour.id);
    const res = await admin(await adminKey(company.id), "POST", "/connection/disconnect");
    expect(res.status).toBe(200);
    expect(await sessionsOf(company.id)).toBe(0);
    expect((await page(a, "/dashboard")).status).toBe(303);
    expect((await page(b, "/dashboard")).status).toBe(303);
    expect((await page(kept, "/dashboard")).status).toBe(200);
  });

  it("a forged post changes nothing: no token, a wrong token, another origin, not a form", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const forgeries = [
      { csrf: null },
      { csrf: "wrong-token" },
      { origin: "https://evil.example", secFetchSite: "cross-site" },
      { origin: null, secFetchSite: null },
    ];
    for (const forged of forgeries) {
      const res = await post(browser, "/dashboard/sign-out", {}, forged);
      expect(res.status, JSON.stringify(forged)).toBe(403);
      expect(res.html).toContain("Nothing was changed");
    }
    // The token of another session is not this session's.
    const other = await signedIn(company.id);
    expect((await post(browser, "/dashboard/sign-out", {}, { csrf: other.csrf })).status).toBe(403);
    expect(await sessionsOf(company.id)).toBe(2);
    expect((await page(browser, "/dashboard")).status).toBe(200);
  });
});

describe("the dashboard's stylesheet and script", () => {
  it("every page links them, and they are served without a session, cached for a year", async () => {
    const { html } = await page(null, "/dashboard/sign-in");
    const css = /<link rel="stylesheet" href="(\/dashboard\/assets\/dashboard\.[0-9a-z]+\.css)"/.exec(html)?.[1];
    const js = /<script src="(\/dashboard\/assets\/dashboard\.[0-9a-z]+\.js)" defer/.exec(html)?.[1];
    expect(css).toBeDefined();
    expect(js).toBeDefined();
    const sheet = await page(null, css!);
    expect(sheet.status).toBe(200);
    expect(sheet.res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(sheet.res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(sheet.html).toContain("nav.main");
    const script = await page(null, js!);
    expect(script.status).toBe(200);
    expect(script.res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.html).toContain("data-confirm");
  });
});

describe("a post that is no readable form", () => {
  it("answers 400 and changes nothing (a multipart without its boundary)", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const res = await call(`${ORIGIN}/dashboard/sign-out`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: browser.cookie, origin: ORIGIN, "sec-fetch-site": "same-origin", "content-type": "multipart/form-data" },
      body: "_csrf=x",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Nothing was changed");
    expect(await sessionsOf(company.id)).toBe(1);
  });
});
