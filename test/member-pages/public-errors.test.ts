import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ADDON_KEY, ORIGIN } from "../harness";

// The public pages (joining, a card, stopping emails, connecting to Kounta) answer a person's browser
// with a page, when no route answers and when something fails; the POS and the admin API keep JSON.

const get = async (path: string) => {
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual" }));
  return { res, body: await res.text() };
};

describe("pages nobody has", () => {
  it.each(["/join", "/join/", "/unsubscribe/a/b", "/connect/x", "/oauth/elsewhere"])("%s: a 404 page, not JSON", async (path) => {
    const { res, body } = await get(path);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(body).toContain("<h1>Page not found</h1>");
    expect(body).toContain("There is no page at this address. Check the address you were given, or ask at the counter.");
  });

  it("the POS and the admin API still answer JSON", async () => {
    const pos = await get(`/kounta/${ADDON_KEY}/nothing-here`);
    expect(pos.res.status).toBe(404);
    expect(JSON.parse(pos.body)).toEqual({ error: expect.any(String) });
    const elsewhere = await get("/joined");
    expect(elsewhere.res.headers.get("content-type")).toMatch(/^application\/json/);
    // The admin API asks for its key before it says what is there.
    const admin = await get("/admin/v1/nothing-here");
    expect(admin.res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(admin.body)).toMatchObject({ error: { code: expect.any(String) } });
  });
});

describe("a page that fails", () => {
  it("a card page whose database fails: a 500 page that shows nothing of the error", async () => {
    const DB = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === "withSession") {
          return () => {
            throw new Error("D1_ERROR: secret internals at line 42");
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(`${ORIGIN}/card/${"A".repeat(43)}`), { ...env, DB }, ctx);
    await waitOnExecutionContext(ctx);
    const body = await res.text();
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(body).toContain("<h1>Something went wrong</h1>");
    expect(body).toContain("Sorry, this page could not be shown just now. Nothing was changed. Please try again in a moment.");
    expect(body).not.toMatch(/D1_ERROR|secret|line 42|at \w+ \(/);
  });
});
