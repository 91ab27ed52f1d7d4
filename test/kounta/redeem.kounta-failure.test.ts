import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { TokenCipher } from "../../src/lib/token-crypto";
import { tokenContext } from "../../src/storage/kounta-connections";
import { describe, expect, it } from "vitest";
import { orderStatusMessage, redeemMessages } from "../../src/loyalty/cashier-messages";
import { kountaConnections } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta, standIn } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, refuseNegativeLine, seedRedemption } from "../redeem-harness";

// Kounta slow, rate limiting, failing, with an expired token or a finished order: each ends in a
// correct success or in success:false with the balance back where it was.

describe("redemption when Kounta misbehaves", () => {
  it("slow but within the time limit: succeeds", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "slow", { delay_ms: 1500 });
    const started = Date.now();
    expect(await redeem(await redeemUrl(s, "coffee", "8001"))).toEqual({ success: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(await balanceOf(s)).toBe(750);
  });

  it("too slow: answers within 8 seconds and leaves the redemption pending for the settling job", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "slow", { delay_ms: 5000 });
    const started = Date.now();
    expect(await redeem(await redeemUrl(s, "coffee", "8002"))).toEqual({ success: false, error: redeemMessages.unconfirmed });
    expect(Date.now() - started).toBeLessThan(8000);
    // Nothing is guessed: the points stay reserved until the order says what happened.
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await balanceOf(s)).toBe(750);
  }, 15_000);

  it("429 with a short Retry-After: waits, retries once, succeeds", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "rate_limit", { retry_after: "1" });
    expect(await redeem(await redeemUrl(s, "coffee", "8003"))).toEqual({ success: true });
    const calls = await kounta.calls(s.company.id);
    expect(calls.map((c) => c.status)).toEqual([429, 201]);
    expect(await balanceOf(s)).toBe(750);
  });

  it("429 with a Retry-After past the time limit: gives the points back", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "rate_limit", { retry_after: "30" });
    expect(await redeem(await redeemUrl(s, "coffee", "8004"))).toEqual({ success: false, error: redeemMessages.busy });
    expect(await balanceOf(s)).toBe(1250);
    const [redemption] = await redemptionsOf(s);
    expect(redemption).toMatchObject({ status: "failed", failureReason: redeemMessages.busy });
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500], ["reversal", 500]]);
  });

  it("500: reads the order, finds nothing of ours, gives the points back", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "server_error");
    expect(await redeem(await redeemUrl(s, "coffee", "8005"))).toEqual({ success: false, error: redeemMessages.kountaFailed });
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `POST /v1/companies/${s.company.id}/orders/8005/lines.json`,
      `GET /v1/companies/${s.company.id}/orders/8005.json`,
    ]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a failed redemption can be tried again with the same link", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "8006");
    await kounta.fault(s.company.id, "server_error");
    expect((await redeem(url)).success).toBe(false);
    expect(await redeem(url)).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed", "applied"]);
  });

  it("an expired token: refreshes once, stores the newest refresh token, succeeds", async () => {
    const s = await seedRedemption();
    const [before] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, s.company.id));
    await kounta.fault(s.company.id, "expired_token");

    expect(await redeem(await redeemUrl(s, "coffee", "8007"))).toEqual({ success: true });

    const calls = await kounta.calls(s.company.id);
    expect(calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      `POST /v1/companies/${s.company.id}/orders/8007/lines.json 401`,
      "POST /v1/token 200",
      `POST /v1/companies/${s.company.id}/orders/8007/lines.json 201`,
    ]);
    expect(calls[1]!.body).toMatchObject({ grant_type: "refresh_token", client_id: "test-client-id", client_secret: "***" });
    const [after] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, s.company.id));
    // Written back encrypted only: the plaintext columns of the harness's row are cleared.
    expect(after!.accessToken).toBeNull();
    expect(after!.refreshToken).toBeNull();
    expect(after!.refreshLockUntil).toBeNull();
    const cipher = TokenCipher.fromSecret(loadConfig(env).TOKEN_ENCRYPTION_KEYS);
    const storedRefresh = await cipher.decrypt(after!.refreshTokenCiphertext!, tokenContext(s.company.id, "refresh_token"));
    const storedAccess = await cipher.decrypt(after!.accessTokenCiphertext!, tokenContext(s.company.id, "access_token"));
    expect(storedAccess).not.toBe(before!.accessToken);
    expect(storedRefresh).not.toBe(before!.refreshToken);
    // The stored refresh token is the live one in Kounta (it rotates).
    const live = [...standIn.state.refreshTokens.values()].filter((t) => t.companyId === s.company.id && t.active).map((t) => t.token);
    expect(live).toEqual([storedRefresh]);
    expect(await balanceOf(s)).toBe(750);
  });

  it("an order already completed: Kounta refuses the line, the order says why, the points come back", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "order_completed", { order_id: "8008" });
    expect(await redeem(await redeemUrl(s, "coffee", "8008"))).toEqual({ success: false, error: orderStatusMessage("COMPLETE") });
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `POST /v1/companies/${s.company.id}/orders/8008/lines.json`,
      `GET /v1/companies/${s.company.id}/orders/8008.json`,
    ]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("percent off on a completed order: refused before any line changes", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "order_completed", { order_id: "8009" });
    expect(await redeem(await redeemUrl(s, "pct", "8009"))).toEqual({ success: false, error: orderStatusMessage("COMPLETE") });
    expect((await kounta.apiCalls(s.company.id)).filter((c) => c.startsWith("PUT"))).toEqual([]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a company whose refresh token Kounta no longer accepts: asks for a reconnection", async () => {
    const s = await seedRedemption();
    await db.update(kountaConnections).set({ refreshToken: "revoked-refresh-token", accessTokenExpiresAt: Date.now() - 1000 }).where(eq(kountaConnections.companyId, s.company.id));
    expect(await redeem(await redeemUrl(s, "coffee", "8010"))).toEqual({ success: false, error: redeemMessages.reconnect });
    expect(await balanceOf(s)).toBe(1250);
  });
});

describe("amount off when Kounta refuses a negative price (its docs do not say)", () => {
  it("reads the order again, then takes the amount off as a loyalty payment instead", async () => {
    const s = await seedRedemption();
    await refuseNegativeLine(s);
    expect(await redeem(await redeemUrl(s, "five", "8101"))).toEqual({ success: true });
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `GET /v1/companies/${s.company.id}/orders/8101.json`,
      `POST /v1/companies/${s.company.id}/orders/8101/lines.json`,
      `GET /v1/companies/${s.company.id}/orders/8101.json`,
      `POST /v1/companies/${s.company.id}/orders/8101/payments.json`,
    ]);
    const [redemption] = await redemptionsOf(s);
    const order = await kounta.order(s.company.id, "8101");
    expect(order.lines.filter((l: { unit_price: number }) => l.unit_price < 0)).toEqual([]);
    expect(order.payments).toEqual([expect.objectContaining({ amount: 5, ref: redemption!.id })]);
    expect(redemption).toMatchObject({ status: "applied", kountaRef: expect.stringMatching(/^payment:/) });
    expect(await balanceOf(s)).toBe(250);
  });

  it("but not on an order that can no longer change: found so by the first read, nothing sent", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "order_completed", { order_id: "8102" });
    expect(await redeem(await redeemUrl(s, "five", "8102"))).toEqual({ success: false, error: orderStatusMessage("COMPLETE") });
    expect(await kounta.apiCalls(s.company.id)).toEqual([`GET /v1/companies/${s.company.id}/orders/8102.json`]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("nor on one completed between the read and the line (Kounta refuses the line): read again, no payment", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "slow", { delay_ms: 0 });
    await kounta.fault(s.company.id, "order_completed", { order_id: "8103" });
    expect(await redeem(await redeemUrl(s, "five", "8103"))).toEqual({ success: false, error: orderStatusMessage("COMPLETE") });
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `GET /v1/companies/${s.company.id}/orders/8103.json`,
      `POST /v1/companies/${s.company.id}/orders/8103/lines.json`,
      `GET /v1/companies/${s.company.id}/orders/8103.json`,
    ]);
    const order = await kounta.order(s.company.id, "8103");
    expect([order.status, order.payments, order.lines.filter((l: { unit_price: number }) => l.unit_price < 0)]).toEqual(["COMPLETE", [], []]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -1000], ["reversal", 1000]]);
  });
});
