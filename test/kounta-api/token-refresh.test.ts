import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { kountaConnections } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { kounta } from "../kounta-harness";
import {
  background,
  callsOf,
  captureLogs,
  client,
  expireKountaAccessTokens,
  failingTokenStores,
  kountaTokens,
  rowOf,
  storedTokens,
} from "./token-harness";

// Kounta rotates the refresh token: once a refresh is sent the old one may be spent, and the answer
// is the only copy of the new one. So a refresh is never given up with its caller: it runs on its own
// time limit, kept alive by waitUntil, and its tokens are stored whenever they arrive
// (src/kounta-api/tokens.ts, docs/redemption.md).

/** A connected company whose stored access token has expired: the next call refreshes first. */
async function expiredCompany() {
  const company = await seedCompany();
  await db.update(kountaConnections).set({ accessTokenExpiresAt: Date.now() - 1000 }).where(eq(kountaConnections.companyId, company.id));
  const before = await storedTokens(company.id);
  return { company, before, kountaBefore: kountaTokens(company.id) };
}

describe("a token refresh answered after its caller stopped waiting", () => {
  it("is stored when the answer comes, and the next call works on the new tokens", async () => {
    const { company, before, kountaBefore } = await expiredCompany();
    const logs = captureLogs();
    await kounta.fault(company.id, "late_answer", { delay_ms: 2_500 });
    const bg = background();

    const started = Date.now();
    await expect(client(company.id, { deadline: Date.now() + 800, waitUntil: bg.waitUntil }).getOrder("70")).rejects.toMatchObject({ failure: "not_sent" });
    // Given up at its own deadline, not at the answer.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(bg.handed).toHaveLength(1);

    // The refresh goes on under its lease, long enough that no other request sends the refresh token meanwhile.
    const during = await storedTokens(company.id);
    expect(during).toMatchObject({ access: before.access, refresh: before.refresh, encrypted: false });
    expect(during.leaseUntil).toBeGreaterThan(Date.now() + 20_000);
    // Another request meanwhile waits for it (and runs out of time here) instead of refreshing again.
    await expect(client(company.id, { deadline: Date.now() + 400 }).getOrder("71")).rejects.toMatchObject({ failure: "not_sent" });
    expect(await callsOf(company.id)).toEqual(["POST /v1/token 200"]);

    await bg.settled();

    // Kounta spent the old refresh token and issued a new one: that one is stored, encrypted.
    const live = kountaTokens(company.id);
    expect(live.activeRefresh).toHaveLength(1);
    expect(live.activeRefresh).not.toContain(before.refresh);
    const after = await storedTokens(company.id);
    expect(after).toMatchObject({ access: live.newestAccess, refresh: live.activeRefresh[0], encrypted: true, leaseUntil: null });
    expect(after.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    const row = await rowOf(company.id);
    expect([row.accessToken, row.refreshToken]).toEqual([null, null]);

    // The next call uses the new access token (Kounta refuses the earlier ones now) and refreshes nothing.
    expireKountaAccessTokens(company.id, kountaBefore.allAccess);
    expect(await client(company.id).getOrder("72")).toMatchObject({ id: "72" });
    expect(await callsOf(company.id)).toEqual(["POST /v1/token 200", "GET 72.json 200"]);

    expect(logs.messages().filter((m) => m.msg === "kounta tokens refreshed")).toEqual([
      expect.objectContaining({ company_id: company.id, rotated: true, store_attempts: 1 }),
    ]);
    logs.expectNone([before.access, before.refresh, live.newestAccess, ...live.allRefresh]);
  });

  it("a refresh over its own time limit: not_sent, the lease dropped, the stored tokens untouched", async () => {
    const { company, before } = await expiredCompany();
    await kounta.fault(company.id, "no_answer");
    const bg = background();
    await expect(client(company.id, { refreshTimeoutMs: 300, waitUntil: bg.waitUntil }).getOrder("73")).rejects.toMatchObject({ failure: "not_sent" });
    await bg.settled();
    expect(await storedTokens(company.id)).toEqual({ ...before, leaseUntil: null });
    expect(await callsOf(company.id)).toEqual(["POST /v1/token null"]);
  });
});

describe("a 200 from the token endpoint whose body cannot be read", () => {
  /** The client's fetch: the token call reaches Kounta (which rotates), its answer's body replaced. */
  const unreadableTokenAnswer = (body: () => BodyInit) =>
    (async (input, init) => {
      const res = await fetch(input, init);
      if (!new Request(input, init).url.endsWith("/v1/token")) return res;
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      return new Response(body(), { status: 200, headers: { "Content-Type": "application/json" } });
    }) as typeof fetch;

  it.each([
    ["not JSON (cut short)", (): BodyInit => '{"access_token": "at_', "body not JSON or lost while arriving"],
    ["lost while arriving", (): BodyInit => new ReadableStream<Uint8Array>({ start: (c: ReadableStreamDefaultController<Uint8Array>) => c.error(new Error("Network connection lost.")) }), "body not JSON or lost while arriving"],
    ["JSON without an access token", (): BodyInit => '{"token_type": "bearer", "expires_in": 3600}', "no access_token in the body"],
  ] as const)("%s: not_sent (retry later), not a connection to renew; nothing stored, the lease dropped", async (_, body, reason) => {
    const { company, before } = await expiredCompany();
    const logs = captureLogs();
    const bg = background();

    const err = await client(company.id, { fetch: unreadableTokenAnswer(body), waitUntil: bg.waitUntil }).getOrder("74").catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: "not_sent", status: 200 });
    await bg.settled();

    // The token call went out (and the order call did not); what we hold is what we held before.
    expect(await callsOf(company.id)).toEqual(["POST /v1/token 200"]);
    expect(await storedTokens(company.id)).toEqual({ ...before, leaseUntil: null });
    expect(logs.messages().filter((m) => m.level === "error")).toEqual([
      expect.objectContaining({ msg: "kounta token answer unreadable: the refresh token sent may be spent", company_id: company.id, status: 200, reason }),
    ]);
    const live = kountaTokens(company.id);
    logs.expectNone([before.access, before.refresh, live.newestAccess, ...live.allRefresh]);
  });
});

describe("D1 failing to store refreshed tokens", () => {
  it("tries again: the rotated tokens are stored on the third attempt", async () => {
    const { company, before } = await expiredCompany();
    const logs = captureLogs();
    const failing = failingTokenStores(2);
    const bg = background();

    expect(await client(company.id, { db: failing.db, waitUntil: bg.waitUntil }).getOrder("75")).toMatchObject({ id: "75" });
    await bg.settled();

    expect(failing.attempts()).toBe(3);
    const live = kountaTokens(company.id);
    expect(await storedTokens(company.id)).toMatchObject({ access: live.newestAccess, refresh: live.activeRefresh[0], encrypted: true, leaseUntil: null });
    expect(live.activeRefresh).toHaveLength(1);
    expect(logs.messages().map((m) => [m.level, m.msg])).toEqual([
      ["warn", "kounta tokens not stored yet, trying again"],
      ["warn", "kounta tokens not stored yet, trying again"],
      ["info", "kounta tokens refreshed"],
    ]);
    logs.expectNone([before.access, before.refresh, live.newestAccess, ...live.allRefresh]);
  });

  it("gives up after three attempts: the call still goes on with the new access token, the loss is logged without a token", async () => {
    const { company, before } = await expiredCompany();
    const logs = captureLogs();
    const failing = failingTokenStores(Infinity);
    const bg = background();

    expect(await client(company.id, { db: failing.db, waitUntil: bg.waitUntil }).getOrder("76")).toMatchObject({ id: "76" });
    await bg.settled();

    expect(failing.attempts()).toBe(3);
    expect(await callsOf(company.id)).toEqual(["POST /v1/token 200", "GET 76.json 200"]);
    // Nothing stored; the lease dropped so that the next request can try (and learn what Kounta says).
    expect(await storedTokens(company.id)).toEqual({ ...before, leaseUntil: null });
    expect(logs.messages().filter((m) => m.level === "error")).toEqual([
      expect.objectContaining({ msg: "kounta tokens lost: refreshed by Kounta but not stored", company_id: company.id, rotated: true, store_attempts: 3 }),
    ]);
    const live = kountaTokens(company.id);
    logs.expectNone([before.access, before.refresh, live.newestAccess, ...live.allRefresh]);
  });
});

describe("the runtime's waitUntil", () => {
  it("is there for a client built without one (the default of src/kounta-api/background.ts)", async () => {
    const workers = await import("cloudflare:workers");
    expect(typeof workers.waitUntil).toBe("function");
  });
});
