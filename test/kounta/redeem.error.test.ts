import { describe, expect, it } from "vitest";
import { buildRedeemUrl } from "../../src/kounta/redeem-url";
import { eq } from "drizzle-orm";
import { rewards } from "../../src/storage/schema";
import { db, getJson, ORIGIN } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

const SIGNING_KEY = "test-redeem-signing-key-0123456789abcdef";

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

describe("redemption: refused with the balance untouched and Kounta never called", () => {
  const invalid = { success: false, error: "This reward link is not valid. Open the customer's rewards again." };

  it.each([
    ["reward_id", "rwd_other"],
    ["reference_id", "mem_someone_else"],
    ["company_id", "1"],
    ["customer_id", "790"],
    ["site_id", "999"],
    ["expires", "9999999999"],
    ["nonce", "AAAAAAAA"],
    ["sig", "x".repeat(43)],
  ])("a tampered %s", async (name, value) => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "7001");
    expect(await redeem(withParam(url, name, value))).toEqual(invalid);
    expect(await balanceOf(s)).toBe(1250);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("a parameter longer than any link we sign: the same plain sentence", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "7012");
    expect(await redeem(withParam(url, "nonce", "n".repeat(201)))).toEqual(invalid);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("a body over 16 KB: HTTP 200 with success false, like every redemption answer", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "7013");
    const res = await getJson(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ padding: "x".repeat(20_000) }).toString(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: false, error: "The request is too large." });
    expect(await balanceOf(s)).toBe(1250);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("a reward whose price changed after the lookup: refused, nothing debited, Kounta never called", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "7014");
    expect(new URL(url).searchParams.get("points")).toBe("500");
    await db.update(rewards).set({ pointsRequired: 800 }).where(eq(rewards.id, s.company.rewardId("coffee")));

    expect(await redeem(url)).toEqual({ success: false, error: "This reward has changed. Open the customer's rewards again." });
    expect(await balanceOf(s)).toBe(1250);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("a variable reward turned into a fixed-price one after the lookup: refused, not charged its new price", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "pay", "7016", 50);
    expect(new URL(url).searchParams.get("max_points")).toBe("1250");
    expect(new URL(url).searchParams.has("points")).toBe(false);
    await db.update(rewards).set({ variableQuantity: false, pointsRequired: 1000 }).where(eq(rewards.id, s.company.rewardId("pay")));

    expect(await redeem(url)).toEqual({ success: false, error: "This reward has changed. Open the customer's rewards again." });
    expect(await balanceOf(s)).toBe(1250);
    expect(await redemptionsOf(s)).toEqual([]);
  });

  it("a fixed-price reward turned into a variable one: refused too", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "7017");
    await db.update(rewards).set({ variableQuantity: true }).where(eq(rewards.id, s.company.rewardId("coffee")));

    expect(await redeem(`${url}&quantity=500`)).toEqual({ success: false, error: "This reward has changed. Open the customer's rewards again." });
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a link from before prices were signed (no points) still redeems at the current price", async () => {
    const s = await seedRedemption();
    const url = await buildRedeemUrl({
      origin: ORIGIN,
      signingKey: SIGNING_KEY,
      ttlSeconds: 600,
      now: Date.now(),
      companyId: s.company.id,
      siteId: s.company.siteId,
      memberId: s.memberId,
      customerId: "789",
      rewardId: s.company.rewardId("coffee"),
      orderPlaceholder: "7015",
    });
    expect(new URL(url).searchParams.has("points")).toBe(false);
    expect(await redeem(url)).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
  });

  it("a missing signature", async () => {
    const s = await seedRedemption();
    const url = new URL(await redeemUrl(s, "coffee", "7002"));
    url.searchParams.delete("sig");
    expect(await redeem(url.toString())).toEqual(invalid);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("an expired URL", async () => {
    const s = await seedRedemption();
    const url = await buildRedeemUrl({
      origin: ORIGIN,
      signingKey: SIGNING_KEY,
      ttlSeconds: 60,
      now: Date.now() - 61_000,
      companyId: s.company.id,
      memberId: s.memberId,
      rewardId: s.company.rewardId("coffee"),
      orderPlaceholder: "7003",
    });
    expect(await redeem(url)).toEqual({ success: false, error: "This reward link has expired. Open the customer's rewards again." });
    expect(await balanceOf(s)).toBe(1250);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("another company's URL with this company's id put in", async () => {
    const mine = await seedRedemption();
    const theirs = await seedRedemption();
    const url = withParam(await redeemUrl(theirs, "coffee", "7004"), "company_id", mine.company.id);
    expect(await redeem(url)).toEqual(invalid);
    expect(await balanceOf(mine)).toBe(1250);
    expect(await balanceOf(theirs)).toBe(1250);
  });

  it("a URL signed with another key", async () => {
    const s = await seedRedemption();
    const url = await buildRedeemUrl({
      origin: ORIGIN,
      signingKey: "some-other-signing-key-0123456789abcdef",
      ttlSeconds: 600,
      now: Date.now(),
      companyId: s.company.id,
      memberId: s.memberId,
      rewardId: s.company.rewardId("coffee"),
      orderPlaceholder: "7005",
    });
    expect(await redeem(url)).toEqual(invalid);
    expect(await balanceOf(s)).toBe(1250);
  });

  it.each([
    ["0", "Choose a whole number of points to spend."],
    ["-5", "Choose a whole number of points to spend."],
    ["2.5", "Choose a whole number of points to spend."],
    ["abc", "Choose a whole number of points to spend."],
    ["1e3", "Choose a whole number of points to spend."],
    ["99999999999999999999", "Choose a whole number of points to spend."],
    ["1300", "Not enough Points: 1250 of 1300"],
    // Over the balance and over the cap: the balance is the number the cashier can act on.
    ["2001", "Not enough Points: 1250 of 2001"],
  ])("a variable quantity of %s", async (quantity, error) => {
    const s = await seedRedemption();
    const url = `${await redeemUrl(s, "pay", "7006")}&quantity=${encodeURIComponent(quantity)}`;
    expect(await redeem(url)).toEqual({ success: false, error });
    expect(await balanceOf(s)).toBe(1250);
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("a variable-quantity reward without a quantity", async () => {
    const s = await seedRedemption();
    expect(await redeem(await redeemUrl(s, "pay", "7007"))).toEqual({ success: false, error: "Choose how many Points to spend." });
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a reward being saved toward: the same reason the lookup gave", async () => {
    const s = await seedRedemption(320);
    expect(await redeem(await redeemUrl(s, "coffee", "7008"))).toEqual({ success: false, error: "Not enough Points: 320 of 500" });
    expect(await balanceOf(s)).toBe(320);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("an order id Kounta has not filled in", async () => {
    const s = await seedRedemption();
    const url = (await redeemUrl(s, "coffee", "7009")).replace("order_id=7009", "order_id={order_id}");
    expect(await redeem(url)).toEqual({ success: false, error: "This order cannot take rewards yet. Try again once it has been started." });
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a reward retired since the lookup", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "7010");
    const { db } = await import("../harness");
    const { rewards } = await import("../../src/storage/schema");
    const { eq } = await import("drizzle-orm");
    await db.update(rewards).set({ active: false }).where(eq(rewards.id, s.company.rewardId("coffee")));
    expect(await redeem(url)).toEqual({ success: false, error: "This reward is no longer available." });
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a quantity on a fixed reward is ignored: it costs its price", async () => {
    const s = await seedRedemption();
    expect(await redeem(`${await redeemUrl(s, "coffee", "7011")}&quantity=1`)).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
  });
});
