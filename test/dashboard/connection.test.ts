import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { companyAddonKey } from "../../src/kounta/addon-key";
import { sha256Base64Url } from "../../src/lib/crypto";
import { apiKeys, kountaConnections } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { page, post, sessionsOf, signedIn } from "../dashboard-harness";
import { ADDON_KEY, db, getJson, ORIGIN, seedCompany } from "../harness";

// Connection: the Loyalty-tab addresses, the connection, API keys (made and shown once, revoked)
// and disconnecting (only with the box ticked).

const text = (html: string, id: string) => new RegExp(`<code id="${id}" class="copy-value">([^<]*)</code>`).exec(html)?.[1] ?? null;
const errorOf = (html: string, id: string) => new RegExp(`id="${id}-error">([^<]*)<`).exec(html)?.[1] ?? null;

async function keysOf(companyId: string) {
  return db.select().from(apiKeys).where(eq(apiKeys.companyId, companyId));
}

async function connectionStatus(companyId: string) {
  const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, companyId));
  return row!.status;
}

describe("dashboard connection", () => {
  it("shows the company's own Loyalty-tab addresses, the connection and the keys", async () => {
    const company = await seedCompany();
    await db.update(kountaConnections).set({ webhookId: "wh_1" }).where(eq(kountaConnections.companyId, company.id));
    const key = await adminKey(company.id, "Back office");
    const { status, html } = await page(await signedIn(company.id), "/dashboard/connection");

    expect(status).toBe(200);
    const companyKey = await companyAddonKey(ADDON_KEY, company.id);
    expect(text(html, "url-customer-search")).toBe(`${ORIGIN}/kounta/${companyKey}/customer-search`);
    expect(text(html, "url-reward-lookup")).toBe(`${ORIGIN}/kounta/${companyKey}/reward-lookup`);
    // The same addresses as the admin API gives.
    const api = await admin(key, "GET", "/connection");
    expect(api.body.loyalty_urls).toEqual({ customer_search: text(html, "url-customer-search"), reward_lookup: text(html, "url-reward-lookup") });
    expect(html).toContain('data-copy="url-customer-search"');
    expect(html).toContain('data-figure="connection-status">Connected</span>');
    expect(html).toContain("Kounta sends us every completed sale");
    const [row] = await keysOf(company.id);
    expect(html).toContain(`<tr data-key="${row!.id}"><td>Back office</td><td><code>${key.slice(0, 10)}…</code></td>`);
    expect(html).not.toContain(key);
  });

  it("makes a key: shown on the answer once, working on the admin API, only its hash in D1", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);

    const res = await post(browser, "/dashboard/connection/keys", { name: "  Website  " });

    expect(res.status).toBe(200);
    expect(res.res.headers.get("cache-control")).toBe("no-store");
    const key = text(res.html, "new-api-key");
    expect(key).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);
    expect(res.html).toContain("The key “Website” is ready. Copy it now");
    const rows = await keysOf(company.id);
    expect(rows).toEqual([
      { id: expect.stringMatching(/^key_/), companyId: company.id, name: "Website", prefix: key!.slice(0, 10), keyHash: await sha256Base64Url(key!), manager: false, createdAt: expect.any(Number), lastUsedAt: null, revokedAt: null },
    ]);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect((await admin(key!, "GET", "/connection")).status).toBe(200);
    // Never shown again.
    const later = await page(browser, "/dashboard/connection");
    expect(later.html).not.toContain(key);
    expect(later.html).toContain(`<td>Website</td><td><code>${key!.slice(0, 10)}…</code></td>`);
  });

  it("refuses a key name the admin API refuses: 400, the message next to the field, nothing made", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const blank = await post(browser, "/dashboard/connection/keys", { name: "   " });
    expect(blank.status).toBe(400);
    expect(errorOf(blank.html, "key-name")).toBe("Too small: expected string to have &gt;=1 characters");
    const long = await post(browser, "/dashboard/connection/keys", { name: "x".repeat(101) });
    expect(long.status).toBe(400);
    expect(errorOf(long.html, "key-name")).toBe("Too big: expected string to have &lt;=100 characters");
    expect(long.html).toContain(`name="name" type="text" value="${"x".repeat(101)}"`);
    expect(long.html).not.toContain('id="new-api-key"');
    expect(await keysOf(company.id)).toEqual([]);
  });

  it("revokes a key: the admin API refuses it from then on", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id, "Till PC");
    const [row] = await keysOf(company.id);
    const browser = await signedIn(company.id);

    const res = await post(browser, `/dashboard/connection/keys/${row!.id}/revoke`, {});

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/connection?done=revoked");
    expect((await admin(key, "GET", "/connection")).status).toBe(401);
    const [revoked] = await keysOf(company.id);
    expect(revoked!.revokedAt).toEqual(expect.any(Number));
    const after = await page(browser, res.location!);
    expect(after.html).toContain("The API key was revoked: it no longer opens the admin API.");
    expect(after.html).toContain('<span class="badge inactive">Revoked ');
    expect(after.html).not.toContain(`/dashboard/connection/keys/${row!.id}/revoke`);
  });

  it("another company's key id (or none at all) answers the 404 page and revokes nothing", async () => {
    const company = await seedCompany();
    const neighbour = await seedCompany();
    const theirs = await adminKey(neighbour.id);
    const [theirRow] = await keysOf(neighbour.id);
    const browser = await signedIn(company.id);

    for (const id of [theirRow!.id, "key_nosuchkey", "x".repeat(65)]) {
      const res = await post(browser, `/dashboard/connection/keys/${id}/revoke`, {});
      expect(res.status, id).toBe(404);
      expect(res.html).toContain("There is no such API key. Nothing was changed.");
    }
    expect((await admin(theirs, "GET", "/connection")).status).toBe(200);
    expect((await keysOf(neighbour.id))[0]!.revokedAt).toBeNull();
  });

  it("disconnects only with the box ticked: sessions end, keys stop, the browser goes to sign in", async () => {
    const company = await seedCompany();
    const neighbour = await seedCompany();
    const key = await adminKey(company.id);
    const browser = await signedIn(company.id);
    const other = await signedIn(company.id);
    const kept = await signedIn(neighbour.id);

    const unticked = await post(browser, "/dashboard/connection/disconnect", { confirm: "false" });
    expect(unticked.status).toBe(400);
    expect(errorOf(unticked.html, "disconnect-confirm")).toBe("Tick this box to disconnect: nothing changes until you do.");
    expect(unticked.html).toContain('data-confirm="Disconnect from Kounta now? The till stops the programme at once."');
    expect((await post(browser, "/dashboard/connection/disconnect", {})).status).toBe(400);
    expect(await connectionStatus(company.id)).toBe("connected");
    expect(await sessionsOf(company.id)).toBe(2);
    expect((await admin(key, "GET", "/connection")).status).toBe(200);

    const companyKey = await companyAddonKey(ADDON_KEY, company.id);
    const till = () => getJson(`${ORIGIN}/kounta/${companyKey}/customer-search?keyword=ada&company_id=${company.id}`);
    expect((await till()).status).toBe(200);

    // As the page sends a ticked box: the hidden "false", then "true".
    const ticked = await post(browser, "/dashboard/connection/disconnect", { confirm: ["false", "true"] });
    expect(ticked.status).toBe(303);
    expect(ticked.location).toBe("/dashboard/sign-in?disconnected=1");
    expect((await page(null, "/dashboard/sign-in?disconnected=1")).html).toContain("is disconnected from Kounta");
    expect(ticked.res.headers.getSetCookie()[0]).toBe("loyalty_session=; Path=/dashboard; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
    expect(await connectionStatus(company.id)).toBe("disconnected");
    expect(await sessionsOf(company.id)).toBe(0);
    expect((await page(other, "/dashboard")).status).toBe(303);
    expect((await admin(key, "GET", "/connection")).status).toBe(401);
    const rows = await keysOf(company.id);
    expect(rows.every((r) => r.revokedAt !== null)).toBe(true);
    // The till no longer answers for the company; the neighbour is untouched.
    expect((await till()).status).toBe(404);
    expect(await connectionStatus(neighbour.id)).toBe("connected");
    expect((await page(kept, "/dashboard/connection")).status).toBe(200);
  });

  it("forged posts change nothing", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const [row] = await keysOf(company.id);
    const browser = await signedIn(company.id);
    const forged = [{ csrf: "wrong" }, { csrf: null }, { origin: "https://evil.example", secFetchSite: "cross-site" }];
    for (const overrides of forged) {
      const tag = JSON.stringify(overrides);
      expect((await post(browser, "/dashboard/connection/keys", { name: "Evil" }, overrides)).status, tag).toBe(403);
      expect((await post(browser, `/dashboard/connection/keys/${row!.id}/revoke`, {}, overrides)).status, tag).toBe(403);
      expect((await post(browser, "/dashboard/connection/disconnect", { confirm: "true" }, overrides)).status, tag).toBe(403);
    }
    expect((await keysOf(company.id)).map((k) => [k.name, k.revokedAt])).toEqual([["Test key", null]]);
    expect((await admin(key, "GET", "/connection")).status).toBe(200);
    expect(await connectionStatus(company.id)).toBe("connected");
    expect(await sessionsOf(company.id)).toBe(1);
  });
});
