import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { kountaConnections, members } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { enrolMember } from "../../src/loyalty/members/enrol";
import { companyAddonKey } from "../../src/kounta/addon-key";
import { ADDON_KEY, db, expectBalanceMatchesLedger, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";
import { kounta } from "../kounta-harness";
import { connectMerchant, kountaMerchant, webhooksOf } from "../connect/oauth-flow";

const search = (companyId: string) => getJson(kountaUrl("customer-search", { keyword: "ada", company_id: companyId }));

describe("admin: the Kounta connection", () => {
  it("GET /connection describes it, with the company's own Loyalty-tab URLs", async () => {
    const company = await seedCompany();
    const member = await company.addMember({ firstName: "Ada" });
    const key = await adminKey(company.id);
    const res = await admin(key, "GET", "/connection");
    expect(res.status).toBe(200);
    const companyKey = await companyAddonKey(ADDON_KEY, company.id);
    expect(res.body).toEqual({
      company_id: company.id,
      name: `Test Café ${company.id}`,
      status: "connected",
      connected_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      disconnected_at: null,
      webhook_registered: false,
      loyalty_urls: {
        customer_search: `${ORIGIN}/kounta/${companyKey}/customer-search`,
        reward_lookup: `${ORIGIN}/kounta/${companyKey}/reward-lookup`,
      },
    });
    // They work for this company, and only for it.
    const own = await getJson(`${res.body.loyalty_urls.customer_search}?keyword=ada&company_id=${company.id}`);
    expect(Object.keys(own.body.members)).toEqual([member]);
    const other = await seedCompany();
    const foreign = await getJson(`${res.body.loyalty_urls.customer_search}?keyword=ada&company_id=${other.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ error: "Not found" });
  });

  it("disconnecting erases the tokens, removes the webhook, revokes every key and stops the POS; data stays", async () => {
    const merchant = await kountaMerchant();
    const { apiKey } = await connectMerchant(merchant.id);
    const other = await admin(apiKey, "POST", "/api-keys", { name: "Back office" });
    const memberId = await enrolMember(db, { companyId: merchant.id, actor: "test", firstName: "Ada", openingPoints: 50 }, { countryCode: "61" });
    // Warm the POS path (and this isolate's memory of the programme) before disconnecting.
    expect(Object.keys((await search(merchant.id)).body.members)).toEqual([memberId]);
    expect(webhooksOf(merchant.id)).toHaveLength(1);

    const res = await admin(apiKey, "POST", "/connection/disconnect");

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      company_id: merchant.id,
      name: merchant.name,
      status: "disconnected",
      connected_at: expect.any(String),
      disconnected_at: expect.any(String),
      webhook_registered: false,
      loyalty_urls: expect.any(Object),
    });
    const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, merchant.id));
    expect(row).toMatchObject({
      status: "disconnected",
      accessToken: null,
      refreshToken: null,
      accessTokenCiphertext: null,
      refreshTokenCiphertext: null,
      accessTokenExpiresAt: null,
      webhookId: null,
      webhookSecretHash: null,
      disconnectedAt: expect.any(Number),
    });
    expect(webhooksOf(merchant.id)).toEqual([]);
    expect((await admin(apiKey, "GET", "/api-keys")).status).toBe(401);
    expect((await admin(other.body.key, "GET", "/api-keys")).status).toBe(401);
    const pos = await search(merchant.id);
    expect(pos.status).toBe(404);
    expect(pos.body).toEqual({ error: "This business is not connected to the loyalty programme." });
    expect(await db.select({ id: members.id, points: members.points }).from(members).where(eq(members.companyId, merchant.id))).toEqual([
      { id: memberId, points: 50 },
    ]);
    await expectBalanceMatchesLedger(merchant.id);
  });

  it("disconnects even when Kounta cannot remove the webhook", async () => {
    const merchant = await kountaMerchant();
    const { apiKey } = await connectMerchant(merchant.id);
    await kounta.fault(merchant.id, "server_error");

    const res = await admin(apiKey, "POST", "/connection/disconnect");

    expect(res.status).toBe(200);
    expect(res.body.status).toBe("disconnected");
    expect((await kounta.calls(merchant.id)).at(-1)).toMatchObject({ method: "DELETE", status: 500 });
    const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, merchant.id));
    expect(row!.accessTokenCiphertext).toBeNull();
  });

  it("connecting again after a disconnect restores the programme with a new key", async () => {
    const merchant = await kountaMerchant();
    const first = await connectMerchant(merchant.id);
    await admin(first.apiKey, "POST", "/connection/disconnect");

    const again = await connectMerchant(merchant.id);
    expect(again.status).toBe(200);
    expect(again.apiKey).toMatch(/^lk_/);
    const res = await admin(again.apiKey, "GET", "/connection");
    expect(res.body).toMatchObject({ status: "connected", disconnected_at: null, webhook_registered: true });
    expect((await search(merchant.id)).status).toBe(200);
  });
});
