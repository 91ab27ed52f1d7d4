import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { KountaApiError } from "../../src/kounta-api/errors";
import { Logger } from "../../src/lib/logger";
import { redeemMessages } from "../../src/loyalty/cashier-messages";
import { kountaConnections } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { networkFetch } from "../kounta-harness";
import { testKountaClient, type ClientOptions } from "./client-harness";
import { balanceOf, programme, redeemUrl, redemptionsOf } from "../redeem-harness";

// The stand-in's network faults for real: the Worker's Kounta client, in the Workers runtime, talks
// over a real socket to the stand-in served by Node (dev/kounta-stand-in/node-server.ts, started by
// test/global-setup.ts on a free port). There `connection_lost` resets the TCP connection after the
// call was carried out, `no_answer` holds the socket without a word, `late_answer` carries the call out
// and answers after its delay. (The other tests use the in-isolate stand-in of test/kounta-harness.ts,
// where these faults are simulated.)

const NODE_STAND_IN = inject("kountaNetworkUrl");

/** The Node stand-in's control API, over HTTP. */
async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await networkFetch(`${NODE_STAND_IN}/_stand-in/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Node stand-in control ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

const fault = (companyId: string, name: string, extra: Record<string, unknown> = {}) => control("POST", "faults", { company_id: companyId, fault: name, ...extra });
const orderOf = (companyId: string, orderId: string) => control<{ lines: { quantity: number; notes: string; product_id: number }[] }>("GET", `orders/${companyId}/${orderId}`);
const callsOf = async (companyId: string) =>
  (await control<{ method: string; path: string; status: number | null }[]>("GET", `calls?company_id=${companyId}`)).map(
    (c) => `${c.method} ${c.path.replace(`/v1/companies/${companyId}/orders/`, "")} ${c.status}`,
  );

/**
 * A connected company (seedCompany: D1 and the in-isolate stand-in) that the Node stand-in knows too,
 * with the same tokens: what the client sends there works.
 */
async function networkCompany(options: Parameters<typeof seedCompany>[0] = {}) {
  const tokens = { accessToken: `at_net_${crypto.randomUUID()}`, refreshToken: `rt_net_${crypto.randomUUID()}` };
  const company = await seedCompany({ ...options, kountaTokens: tokens });
  await control("POST", "companies", { id: company.id, siteId: company.siteId, ...tokens });
  return company;
}

function client(companyId: string, options: ClientOptions = {}) {
  // Real sockets (the harness's fetch would pass this origin through all the same).
  return testKountaClient(companyId, "client.network", { baseUrl: `${NODE_STAND_IN}/v1`, fetch: networkFetch, ...options });
}

async function failureOf(promise: Promise<unknown>): Promise<KountaApiError> {
  const err = await promise.then(
    () => new Error("expected the call to fail"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KountaApiError);
  return err as KountaApiError;
}

describe("the Kounta client over a real socket", () => {
  it("reaches the Node stand-in: answers, Location on the origin called", async () => {
    const company = await networkCompany();
    const order = await client(company.id).getOrder("60");
    expect(order).toMatchObject({ id: "60", status: "SUBMITTED" });
    const added = await client(company.id).addLine("60", { product_id: "2003" });
    expect(added).toMatchObject({ status: 201, location: `${NODE_STAND_IN}/v1/companies/${company.id}/orders/60/lines/3.json` });
    expect(await callsOf(company.id)).toEqual(["GET 60.json 200", "POST 60/lines.json 201"]);
  });

  it("connection_lost is a reset connection: the runtime's fetch throws, as for any lost connection", async () => {
    const company = await networkCompany();
    await fault(company.id, "connection_lost");
    // (workerd also logs the reset as an "uncaught exception" of its own, though the rejection is handled.)
    const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, company.id));
    const err = await networkFetch(`${NODE_STAND_IN}/v1/companies/${company.id}/orders/66.json`, {
      headers: { Accept: "application/json", Authorization: `Bearer ${row!.accessToken}` },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    // What test/kounta-harness.ts throws for the fault in the isolate.
    expect(err).toMatchObject({ message: "Network connection lost." });
    expect(await callsOf(company.id)).toEqual(["GET 66.json 200"]);
  });

  it("connection_lost on a PUT: the connection is reset, uncertain, and the change did land", async () => {
    const company = await networkCompany();
    await fault(company.id, "connection_lost");
    const err = await failureOf(client(company.id).updateLine("61", 1, { quantity: 5 }));
    expect(err.failure).toBe("uncertain");
    expect(err.message).toContain("PUT");
    // Carried out before the reset: the line has its new quantity.
    expect((await orderOf(company.id, "61")).lines[0]).toMatchObject({ quantity: 5 });
    expect(await callsOf(company.id)).toEqual(["PUT 61/lines/1.json 200"]);
  });

  it("connection_lost on a GET: a read that failed changed nothing (network)", async () => {
    const company = await networkCompany();
    await fault(company.id, "connection_lost");
    expect((await failureOf(client(company.id).getOrder("62"))).failure).toBe("network");
    // The next call gets a fresh connection and its answer.
    expect(await client(company.id).getOrder("62")).toMatchObject({ id: "62" });
  });

  it("no_answer on a GET: timeout, within the per-call time limit", async () => {
    const company = await networkCompany();
    await fault(company.id, "no_answer");
    const started = Date.now();
    const err = await failureOf(client(company.id, { perCallTimeoutMs: 500 }).getOrder("63"));
    const took = Date.now() - started;
    expect(err.failure).toBe("timeout");
    // The per-call limit, not the client's 7 s deadline (a margin for a loaded machine).
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(3_000);
    // Received, never answered (no status), nothing carried out (the order was never opened).
    expect(await callsOf(company.id)).toEqual(["GET 63.json null"]);
    await expect(orderOf(company.id, "63")).rejects.toThrow(/404/);
  });

  it("no_answer on a POST: timeout, and nothing was carried out", async () => {
    const company = await networkCompany();
    await client(company.id).getOrder("64");
    await fault(company.id, "no_answer");
    expect((await failureOf(client(company.id, { perCallTimeoutMs: 500 }).addLine("64", { product_id: "2003" }))).failure).toBe("timeout");
    expect((await orderOf(company.id, "64")).lines).toHaveLength(2);
  });

  it("late_answer on a POST line: timeout, and the line is on the order afterwards", async () => {
    const company = await networkCompany();
    await fault(company.id, "late_answer", { delay_ms: 5_000 });
    const started = Date.now();
    const err = await failureOf(client(company.id, { perCallTimeoutMs: 500 }).addLine("65", { product_id: "2003", notes: "late" }));
    expect(err.failure).toBe("timeout");
    // Given up at the per-call limit, long before the answer.
    expect(Date.now() - started).toBeLessThan(3_000);
    const order = await orderOf(company.id, "65");
    expect(order.lines.map((l) => l.notes)).toEqual(["", "", "late"]);
    expect(await callsOf(company.id)).toEqual(["POST 65/lines.json 201"]);
  });
});

describe("a redemption end to end, the Worker calling the Node stand-in", () => {
  // The Worker as deployed (src/app.ts) with KOUNTA_API_BASE_URL pointing at the Node stand-in; the
  // redeem_url comes from a reward lookup of the usual test Worker (the lookup does not need Kounta's
  // answers to differ).
  // (Env types KOUNTA_API_BASE_URL as the values wrangler.toml sets.)
  const networkEnv = { ...env, KOUNTA_API_BASE_URL: `${NODE_STAND_IN}/v1` } as unknown as Env;
  const worker = createApp();

  async function redeemOverNetwork(url: string): Promise<{ success: boolean; error?: string }> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(url), networkEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    return res.json();
  }

  async function seeded() {
    const company = await networkCompany({ rewards: programme });
    const memberId = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: 1250 });
    return { company, memberId };
  }

  const settleLater = () => settlePendingRedemptions(networkEnv, new Logger({ test: "settle" }), { now: Date.now() + SETTLE_AFTER_MS + 60_000 });
  const oursOn = async (s: Awaited<ReturnType<typeof seeded>>, orderId: string) => {
    const [redemption] = await redemptionsOf(s);
    return (await orderOf(s.company.id, orderId)).lines.filter((l) => l.notes.includes(redemption!.id));
  };

  it("connection_lost on the line: read back, found, confirmed", async () => {
    const s = await seeded();
    const url = await redeemUrl(s, "coffee", "4101");
    await fault(s.company.id, "connection_lost");

    expect(await redeemOverNetwork(url)).toEqual({ success: true });

    expect(await oursOn(s, "4101")).toHaveLength(1);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied"]);
    expect(await balanceOf(s)).toBe(750);
  });

  it("late_answer on the line: no answer in time, left pending; it had landed, so the settling job confirms it", async () => {
    const s = await seeded();
    const url = await redeemUrl(s, "coffee", "4102");
    // Longer than the client's own per-call limit (4 s).
    await fault(s.company.id, "late_answer", { delay_ms: 5_000 });

    expect(await redeemOverNetwork(url)).toEqual({ success: false, error: redeemMessages.unconfirmed });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await oursOn(s, "4102")).toHaveLength(1);

    await settleLater();
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied"]);
    expect(await balanceOf(s)).toBe(750);
  }, 20_000);

  it("no_answer on the line: left pending; it never landed, so the settling job gives the points back", async () => {
    const s = await seeded();
    const url = await redeemUrl(s, "coffee", "4103");
    // The order is open at the POS (nothing of no_answer's call is carried out: it would not be otherwise).
    await client(s.company.id).getOrder("4103");
    await fault(s.company.id, "no_answer");

    expect(await redeemOverNetwork(url)).toEqual({ success: false, error: redeemMessages.unconfirmed });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await oursOn(s, "4103")).toEqual([]);

    await settleLater();
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed"]);
    expect(await balanceOf(s)).toBe(1250);
  }, 20_000);
});
