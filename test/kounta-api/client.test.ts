import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { retryAfterMs } from "../../src/kounta-api/client";
import { KountaApiError } from "../../src/kounta-api/errors";
import { kountaConnections } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { kounta, KOUNTA_ORIGIN } from "../kounta-harness";
import { testKountaClient, type ClientOptions } from "./client-harness";

const client = (companyId: string, options: ClientOptions = {}) => testKountaClient(companyId, "client", options);

describe("Kounta API client", () => {
  it("asks for JSON with a .json path and Accept header, with the company's Bearer token", async () => {
    const company = await seedCompany();
    const order = await client(company.id).getOrder("42");
    expect(order).toMatchObject({ id: "42", status: "SUBMITTED" });
    expect(order.lines.length).toBeGreaterThan(0);
    const [call] = await kounta.calls(company.id);
    expect(call).toMatchObject({ method: "GET", path: `/v1/companies/${company.id}/orders/42.json`, auth: "bearer", status: 200 });
  });

  it("refreshes ahead of expiry, storing the newest tokens", async () => {
    const company = await seedCompany();
    await db.update(kountaConnections).set({ accessTokenExpiresAt: Date.now() + 30_000 }).where(eq(kountaConnections.companyId, company.id));
    await client(company.id).getOrder("43");
    const calls = await kounta.calls(company.id);
    expect(calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(["POST /v1/token 200", `GET /v1/companies/${company.id}/orders/43.json 200`]);
    const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, company.id));
    expect(row!.accessTokenExpiresAt).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it("never lets two refreshes race for one company", async () => {
    const company = await seedCompany();
    await kounta.fault(company.id, "expired_token");
    const clients = Array.from({ length: 6 }, () => client(company.id));
    const orders = await Promise.all(clients.map((c, i) => c.getOrder(String(100 + i))));
    expect(orders.map((o) => o.status)).toEqual(Array(6).fill("SUBMITTED"));
    const tokenCalls = (await kounta.calls(company.id)).filter((c) => c.path === "/v1/token");
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.status).toBe(200);
  });

  it("gives up when the deadline has passed instead of waiting: nothing was sent", async () => {
    const company = await seedCompany();
    await expect(client(company.id, { deadline: Date.now() - 1 }).getOrder("44")).rejects.toMatchObject({ failure: "not_sent" });
    expect(await kounta.apiCalls(company.id)).toEqual([]);
  });

  it("bounds every call by its own time limit", async () => {
    const company = await seedCompany();
    await kounta.fault(company.id, "slow", { delay_ms: 3000 });
    const started = Date.now();
    const err = await client(company.id, { perCallTimeoutMs: 500 }).getOrder("45").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KountaApiError);
    expect((err as KountaApiError).failure).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("follows a redirect keeping the Authorization header", async () => {
    const company = await seedCompany();
    const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, company.id));
    // The stand-in answers a customer search by email with a 302 to the record, as Kounta does.
    const res = await client(company.id).request("GET", `/companies/${company.id}/customers?email=john.smith%40example.com`);
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ email: "john.smith@example.com", reference_id: "mem_8f3k2" });
    const calls = await kounta.calls(company.id);
    expect(calls.map((c) => [c.status, c.auth])).toEqual([[302, "bearer"], [200, "bearer"]]);
    expect(row!.accessToken).toBeTruthy();
  });

  /**
   * The fetch the client uses, recording every URL, whether it carried our token and whether fetch
   * itself was to follow redirects (the harness's fetch never does); another host answers 200.
   */
  function recordingFetch() {
    const sent: { url: string; auth: boolean; redirect: Request["redirect"] }[] = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      sent.push({ url: request.url, auth: request.headers.has("authorization"), redirect: request.redirect });
      if (!request.url.startsWith(KOUNTA_ORIGIN)) return Response.json({ id: 1, status: "SUBMITTED", lines: [] });
      return fetch(input, init);
    };
    return { sent, fetchImpl };
  }

  it("refuses a redirect to another host: our token goes nowhere else", async () => {
    const company = await seedCompany();
    await kounta.fault(company.id, "redirect", { location: "https://elsewhere.example/v1/orders/46.json" });
    const { sent, fetchImpl } = recordingFetch();
    await expect(client(company.id, { fetch: fetchImpl }).getOrder("46")).rejects.toMatchObject({ failure: "refused" });
    expect(sent).toEqual([{ url: `${KOUNTA_ORIGIN}/v1/companies/${company.id}/orders/46.json`, auth: true, redirect: "manual" }]);
  });

  it("never follows a redirect answered to a change: its outcome is unknown", async () => {
    const company = await seedCompany();
    const path = `/companies/${company.id}/orders/47/lines`;
    await kounta.fault(company.id, "redirect", { location: `${KOUNTA_ORIGIN}/v1${path}.json` });
    const { sent, fetchImpl } = recordingFetch();
    await expect(client(company.id, { fetch: fetchImpl }).request("POST", path, { product_id: "2001" })).rejects.toMatchObject({ failure: "uncertain", status: 307 });
    expect(sent).toHaveLength(1);
    expect((await kounta.calls(company.id)).map((c) => `${c.method} ${c.status}`)).toEqual(["POST 307"]);
  });

  it("a lost connection: nothing changed by a read, a change's outcome unknown", async () => {
    const company = await seedCompany();
    await kounta.fault(company.id, "connection_lost", { times: 2 });
    await expect(client(company.id).getOrder("48")).rejects.toMatchObject({ failure: "network" });
    await expect(client(company.id).addLine("48", { product_id: "2001" })).rejects.toMatchObject({ failure: "uncertain" });
    expect((await kounta.order(company.id, "48")).lines).toHaveLength(3);
  });

  it("a token refresh that cannot be done in time: not_sent, and the order never called", async () => {
    const company = await seedCompany();
    // Another request holds the refresh lease and does not finish before our deadline.
    await db
      .update(kountaConnections)
      .set({ accessTokenExpiresAt: Date.now() - 1000, refreshLockUntil: Date.now() + 60_000 })
      .where(eq(kountaConnections.companyId, company.id));
    const started = Date.now();
    await expect(client(company.id, { deadline: Date.now() + 500 }).getOrder("49")).rejects.toMatchObject({ failure: "not_sent" });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await kounta.calls(company.id)).toEqual([]);
  });

  it("never follows a redirect from the token endpoint: the form carries our secret", async () => {
    const company = await seedCompany();
    await db.update(kountaConnections).set({ accessTokenExpiresAt: Date.now() - 1000 }).where(eq(kountaConnections.companyId, company.id));
    await kounta.fault(company.id, "redirect");
    const { sent, fetchImpl } = recordingFetch();
    await expect(client(company.id, { fetch: fetchImpl }).getOrder("50")).rejects.toMatchObject({ failure: "not_sent" });
    expect(sent.map((c) => [c.url, c.redirect])).toEqual([[`${KOUNTA_ORIGIN}/v1/token`, "manual"]]);
  });

  const now = 1_700_000_000_000;
  it.each([
    [{ "retry-after": "3" }, 3000],
    [{ "retry-after": "0" }, 0],
    [{ "retry-after": new Date(now + 5_000).toUTCString() }, 5000],
    [{ "x-ratelimit-reset": "7" }, 7000],
    [{ "x-ratelimit-reset": "1700000009" }, 9000],
    [{}, null],
  ])("reads the wait from %j", (headers, expected) => {
    expect(retryAfterMs(new Headers(headers as Record<string, string>), now)).toBe(expected);
  });
});

describe("listOrders (the catch-up job's read)", () => {
  /** A completed sale (or one of `status`) made in the stand-in. */
  const sale = (companyId: string, status = "COMPLETE") => kounta.api(companyId, "POST", "orders", { status, lines: [{ product_id: "2001" }] });

  it("lists a company's orders by filter, then page by page through X-Next-Page, on Kounta's origin only", async () => {
    const company = await seedCompany();
    for (let i = 0; i < 27; i++) await sale(company.id);
    await sale(company.id, "SUBMITTED");
    const c = client(company.id);
    const first = await c.listOrders({ status: "COMPLETE" });
    expect((first.data as unknown[]).length).toBe(25);
    expect(first.next).toMatch(new RegExp(`^${KOUNTA_ORIGIN}/v1/companies/${company.id}/orders\\.json\\?`));
    const second = await c.listOrders(first.next!);
    expect((second.data as unknown[]).length).toBe(2);
    expect(second.next).toBeNull();
    await expect(c.listOrders("https://elsewhere.example/v1/companies/1/orders.json?page=1")).rejects.toMatchObject({ failure: "refused" });
  });
});
