import { exports } from "cloudflare:workers";
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { oauthStates } from "../../src/storage/schema";
import { db, ORIGIN } from "../harness";
import { freshIp, startOfRateWindow } from "../member-pages/join-harness";

// Starting to connect or to sign in with Kounta writes a single-use state to D1: per visitor IP, at
// most 60 starts a minute (OAUTH_IP_RATE_LIMITER in wrangler.toml, simulated locally per minute).

const start = (path: string, ip: string) => exports.default.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual", headers: { "CF-Connecting-IP": ip } }));
const states = async () => (await db.select({ n: count() }).from(oauthStates))[0]!.n;

describe("starting OAuth from one IP", { timeout: 90_000 }, () => {
  it("past 60 starts a minute (connecting and signing in together): 429 with Retry-After, and no state written; another IP still starts", async () => {
    await startOfRateWindow();
    const ip = freshIp();
    for (let i = 0; i < 60; i++) {
      const res = await start(i % 2 === 0 ? "/connect" : "/oauth/sign-in", ip);
      expect(res.status, `start ${i + 1}`).toBe(302);
    }
    const before = await states();

    for (const path of ["/connect", "/oauth/sign-in"]) {
      const res = await start(path, ip);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("60");
      expect(res.headers.get("set-cookie")).toBeNull();
      const html = await res.text();
      expect(html).toContain("<h1>Please wait a minute</h1>");
      expect(html).toContain("There have been too many tries from your connection. Please wait a minute, then try again.");
    }
    expect(await states()).toBe(before);

    const other = await start("/connect", freshIp());
    expect(other.status).toBe(302);
    expect(await states()).toBe(before + 1);
  });
});
