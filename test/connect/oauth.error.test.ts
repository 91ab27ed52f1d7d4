import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { apiKeys, companies, kountaConnections, oauthStates } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { authorizeAt, connectMerchant, kountaMerchant, openCallback, startConnect, webhooksOf } from "./oauth-flow";

/** Nothing of the merchant was written here, and Kounta holds no webhook of ours. */
async function expectNothingWritten(companyId: string) {
  expect(await db.select().from(companies).where(eq(companies.id, companyId))).toEqual([]);
  expect(await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, companyId))).toEqual([]);
  expect(await db.select().from(apiKeys).where(eq(apiKeys.companyId, companyId))).toEqual([]);
  expect(webhooksOf(companyId)).toEqual([]);
}

async function tokenCalls(companyId: string) {
  return (await kounta.calls(companyId)).filter((c) => c.path.startsWith("/v1/token")).map((c) => c.status);
}

function withParam(url: URL, name: string, value: string | null): URL {
  const copy = new URL(url);
  if (value === null) copy.searchParams.delete(name);
  else copy.searchParams.set(name, value);
  return copy;
}

describe("OAuth callback: the state", () => {
  const cases: [string, (callback: URL) => Promise<URL>, string][] = [
    ["missing", async (cb) => withParam(cb, "state", null), "This address has no state"],
    ["forged", async (cb) => withParam(cb, "state", "x".repeat(43)), "This connection request was not started in this browser"],
    [
      "expired",
      async (cb) => {
        await db.update(oauthStates).set({ expiresAt: Date.now() - 1 }).where(eq(oauthStates.state, cb.searchParams.get("state")!));
        return cb;
      },
      "This request to Kounta has expired: it is valid for 10 minutes.",
    ],
  ];

  it.each(cases)("%s: 400 page, nothing written, the code never exchanged", async (_name, tamper, reason) => {
    const merchant = await kountaMerchant();
    const callback = await tamper(await authorizeAt(await startConnect(), { company_id: merchant.id }));
    const { status, html, res } = await openCallback(callback);
    expect(status).toBe(400);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(html).toContain("The connection was not made");
    expect(html).toContain(reason);
    expect(html).not.toMatch(/<script/i);
    await expectNothingWritten(merchant.id);
    expect(await tokenCalls(merchant.id)).toEqual([]);
  });

  it("another browser (no state cookie, or another one): 400, the state left unused", async () => {
    const merchant = await kountaMerchant();
    const callback = await authorizeAt(await startConnect(), { company_id: merchant.id });
    for (const cookie of [null, "loyalty_oauth_state=someone-elses-state"]) {
      const { status, html } = await openCallback(callback, { cookie });
      expect(status).toBe(400);
      expect(html).toContain("This connection request was not started in this browser");
    }
    await expectNothingWritten(merchant.id);
    // The merchant's own browser can still finish.
    expect((await openCallback(callback)).status).toBe(200);
  });

  it("reused: the second visit of the same callback is refused and changes nothing", async () => {
    const merchant = await kountaMerchant();
    const first = await connectMerchant(merchant.id);
    expect(first.status).toBe(200);
    const [before] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, merchant.id));

    const again = await openCallback(first.callback);
    expect(again.status).toBe(400);
    expect(again.html).toContain("This request to Kounta has already been used.");
    expect(await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, merchant.id))).toEqual([before]);
    expect(await tokenCalls(merchant.id)).toEqual([200]);
  });

  it("two visits racing with one state: exactly one connects", async () => {
    const merchant = await kountaMerchant();
    const callback = await authorizeAt(await startConnect(), { company_id: merchant.id });
    const pages = await Promise.all([openCallback(callback), openCallback(callback), openCallback(callback)]);
    expect(pages.map((p) => p.status).sort()).toEqual([200, 400, 400]);
    expect(await db.select().from(apiKeys).where(eq(apiKeys.companyId, merchant.id))).toHaveLength(1);
    expect(webhooksOf(merchant.id)).toHaveLength(1);
  });
});

describe("OAuth callback: Kounta refusing", () => {
  it("the merchant declines at Kounta (error=access_denied): nothing written", async () => {
    const merchant = await kountaMerchant();
    const callback = await authorizeAt(await startConnect(), { company_id: merchant.id, approve: "no" });
    expect(callback.searchParams.get("error")).toBe("access_denied");
    const { status, html } = await openCallback(callback);
    expect(status).toBe(400);
    expect(html).toContain("Kounta did not give this service access to your account.");
    await expectNothingWritten(merchant.id);
  });

  it("a code already used: Kounta refuses the second exchange, nothing more written", async () => {
    const merchant = await kountaMerchant();
    const first = await connectMerchant(merchant.id);
    const [before] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, merchant.id));
    // A fresh state of ours, with the code Kounta already exchanged.
    const fresh = (await startConnect()).searchParams.get("state")!;
    const { status, html } = await openCallback(withParam(first.callback, "state", fresh));

    expect(status).toBe(400);
    expect(html).toContain("Kounta did not accept this connection request");
    expect(await tokenCalls(merchant.id)).toEqual([200, 400]);
    expect(await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, merchant.id))).toEqual([before]);
    expect(await db.select().from(apiKeys).where(eq(apiKeys.companyId, merchant.id))).toHaveLength(1);
    expect(webhooksOf(merchant.id)).toHaveLength(1);
  });

  it("the token endpoint answering 400: nothing written", async () => {
    const merchant = await kountaMerchant();
    const callback = await authorizeAt(await startConnect(), { company_id: merchant.id });
    await kounta.fault(merchant.id, "bad_request");
    const { status, html } = await openCallback(callback);
    expect(status).toBe(400);
    expect(html).toContain("Kounta did not accept this connection request");
    await expectNothingWritten(merchant.id);
  });

  it("Kounta failing (500) or not answering: a 502 page, nothing written", async () => {
    const merchant = await kountaMerchant();
    const callback = await authorizeAt(await startConnect(), { company_id: merchant.id });
    await kounta.fault(merchant.id, "server_error");
    const { status, html } = await openCallback(callback);
    expect(status).toBe(502);
    expect(html).toContain("Kounta could not be reached just now.");
    await expectNothingWritten(merchant.id);
  });

  it("no code and no error from Kounta: a 400 page", async () => {
    const merchant = await kountaMerchant();
    const callback = withParam(await authorizeAt(await startConnect(), { company_id: merchant.id }), "code", null);
    const { status, html } = await openCallback(callback);
    expect(status).toBe(400);
    expect(html).toContain("Kounta sent no authorization code.");
    await expectNothingWritten(merchant.id);
  });

  it("escapes what it shows", async () => {
    const merchant = await kountaMerchant('<script>alert("x")</script>');
    const { status, html } = await connectMerchant(merchant.id);
    expect(status).toBe(200);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });
});
