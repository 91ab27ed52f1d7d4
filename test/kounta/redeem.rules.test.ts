import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { parseOrderId } from "../../src/kounta-api/ids";
import { orderSchema } from "../../src/kounta-api/types";
import { readOrderSummaries } from "../../src/jobs/catch-up";
import { orderTakesReward } from "../../src/loyalty/redemption/order-status";
import { orderStatusMessage, redeemLinkMessages as messages, redeemMessages } from "../../src/loyalty/cashier-messages";
import { customerLinks } from "../../src/storage/schema";
import { call, db, kountaUrl } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// The redemption's rules at the edges: what counts as a retry, which methods redeem, what an order
// id is, and which orders take which reward.

describe("a quantity is part of a redemption only for a variable-quantity reward", () => {
  it("a fixed-price reward's link tried again with &quantity= appended is the same redemption", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9401");
    expect(await redeem(url)).toEqual({ success: true });
    expect(await redeem(`${url}&quantity=1`)).toEqual({ success: true });
    expect(await redeem(`${url}&quantity=7`)).toEqual({ success: true });
    // Meaningless for this reward, so not even checked.
    expect(await redeem(`${url}&quantity=abc`)).toEqual({ success: true });

    expect((await redemptionsOf(s)).map((r) => [r.status, r.points, r.idempotencyKey])).toEqual([
      ["applied", 500, expect.stringMatching(/^redeem:9401:[A-Za-z0-9_-]+$/)],
    ]);
    expect(await balanceOf(s)).toBe(750);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500]]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([`POST /v1/companies/${s.company.id}/orders/9401/lines.json`]);
  });

  it("a fixed-price reward's first call with a quantity, then without: still one redemption", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "five", "9402");
    expect(await redeem(`${url}&quantity=1`)).toEqual({ success: true });
    expect(await redeem(url)).toEqual({ success: true });
    expect(await redemptionsOf(s)).toHaveLength(1);
    expect(await balanceOf(s)).toBe(250);
  });

  it("a variable reward: the same quantity again is a retry, another quantity another redemption (keys say so)", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "pay", "9403");
    expect(await redeem(`${url}&quantity=100`)).toEqual({ success: true });
    expect(await redeem(`${url}&quantity=100`)).toEqual({ success: true });
    expect(await redeem(`${url}&quantity=150`)).toEqual({ success: true });
    expect((await redemptionsOf(s)).map((r) => [r.points, r.idempotencyKey.replace(/:[A-Za-z0-9_-]{20,}:/, ":<sig>:")])).toEqual([
      [100, "redeem:9403:<sig>:100"],
      [150, "redeem:9403:<sig>:150"],
    ]);
    expect(await balanceOf(s)).toBe(1000);
  });
});

describe("a variable reward's repeat while Kounta has not confirmed the first", () => {
  it("says that the same number of points on the same reward and order is the same redemption", async () => {
    const s = await seedRedemption();
    const url = `${await redeemUrl(s, "pay", "9404")}&quantity=100`;
    // The order read answers, the payment's does not in time: pending.
    await kounta.fault(s.company.id, "slow", { delay_ms: 0 });
    await kounta.fault(s.company.id, "slow", { delay_ms: 9_000 });
    expect(await redeem(url)).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await redeem(url)).toEqual({ success: false, error: redeemMessages.sameQuantityUnconfirmed });
    expect((await redemptionsOf(s)).map((r) => [r.status, r.points])).toEqual([["pending", 100]]);
    expect(await balanceOf(s)).toBe(1150);
  }, 40_000);
});

describe("HEAD and OPTIONS change nothing", () => {
  it("HEAD on a redeem_url: 405, no points taken, Kounta not called; the link still works afterwards", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9501");
    const res = await call(url, { method: "HEAD" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
    expect(await res.text()).toBe("");
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await balanceOf(s)).toBe(1250);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);

    expect(await redeem(url)).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
  });

  it("OPTIONS on a redeem_url: 204 with the methods it takes, nothing redeemed", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "9502");
    const res = await call(url, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("allow")).toBe("GET, POST");
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("HEAD on a reward lookup records no customer link", async () => {
    const s = await seedRedemption();
    const res = await call(kountaUrl("reward-lookup", { company_id: s.company.id, reference_id: s.memberId, customer_id: "9999", order_id: "1" }), {
      method: "HEAD",
    });
    expect(res.status).toBe(405);
    expect(await db.select().from(customerLinks).where(eq(customerLinks.companyId, s.company.id))).toEqual([]);
  });
});

describe("an order id is one order however it is written", () => {
  it.each([
    ["4001432", "4001432"],
    ["04001432", "4001432"],
    [" 4001432 ", "4001432"],
    ["0004001432", "4001432"],
    ["18446744073709551615", "18446744073709551615"],
    ["+4001432", null],
    ["-4001432", null],
    ["4001432.0", null],
    ["0", null],
    ["000", null],
    ["", null],
    ["4 001 432", null],
    ["123456789012345678901", null],
    ["{order_id}", null],
  ])("%j is %j", (raw, expected) => {
    expect(parseOrderId(raw)).toBe(expected);
  });

  it.each([
    [4001432, "4001432"],
    [0, null],
    [-1, null],
    [1.5, null],
    [2 ** 60, null],
  ])("the JSON number %j is %j", (raw, expected) => {
    expect(parseOrderId(raw)).toBe(expected);
  });

  it("04001432 after 4001432 is a retry of the same redemption, on the same Kounta order", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "4001432");
    expect(await redeem(url)).toEqual({ success: true });
    expect(await redeem(url.replace("order_id=4001432", "order_id=04001432"))).toEqual({ success: true });
    expect(await redeem(url.replace("order_id=4001432", "order_id=%204001432%20"))).toEqual({ success: true });

    expect((await redemptionsOf(s)).map((r) => [r.orderId, r.status])).toEqual([["4001432", "applied"]]);
    expect(await balanceOf(s)).toBe(750);
    expect(await kounta.apiCalls(s.company.id)).toEqual([`POST /v1/companies/${s.company.id}/orders/4001432/lines.json`]);
  });

  it("a leading zero on the first call: stored and sent to Kounta without it", async () => {
    const s = await seedRedemption();
    expect(await redeem(await redeemUrl(s, "coffee", "0009404"))).toEqual({ success: true });
    expect((await redemptionsOf(s)).map((r) => r.orderId)).toEqual(["9404"]);
    expect((await ledgerOf(s)).map((l) => l.orderId)).toEqual([null, "9404"]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([`POST /v1/companies/${s.company.id}/orders/9404/lines.json`]);
  });

  it.each(["+9405", "-9405", "9405.0", "0", "9 405"])("order_id=%s is refused and changes nothing", async (orderId) => {
    const s = await seedRedemption();
    const url = (await redeemUrl(s, "coffee", "9405")).replace("order_id=9405", `order_id=${encodeURIComponent(orderId)}`);
    expect(await redeem(url)).toEqual({ success: false, error: messages.noOrder });
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await balanceOf(s)).toBe(1250);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("an order Kounta sends, read or listed, has its id written the one way", () => {
    expect(orderSchema.parse({ id: 9406, status: "COMPLETE" }).id).toBe("9406");
    expect(orderSchema.parse({ id: 1, id_str: "009406", status: "COMPLETE" }).id).toBe("9406");
    expect(readOrderSummaries([{ id: "0009406", status: "COMPLETE" }, { id: "-1", status: "COMPLETE" }]).map((o) => o.id)).toEqual(["9406"]);
  });
});

describe("which orders take which reward", () => {
  it.each([
    ["SUBMITTED", true, true],
    ["ON_HOLD", true, true],
    ["PENDING", true, true],
    ["ACCEPTED", false, true],
    ["COMPLETE", false, false],
    ["REJECTED", false, false],
    ["SOMETHING_NEW", false, false],
  ])("%s: lines %s, points as payment %s", (status, lines, payment) => {
    for (const kind of ["free_product", "amount_off", "percent_off"] as const) expect(orderTakesReward(kind, status)).toBe(lines);
    expect(orderTakesReward("points_payment", status)).toBe(payment);
  });

  async function orderIn(s: Awaited<ReturnType<typeof seedRedemption>>, orderId: string, status: string) {
    await kounta.api(s.company.id, "GET", `orders/${orderId}`);
    await kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status });
  }

  it.each(["COMPLETE", "REJECTED"])("points as payment on a %s order: refused before any payment, the points back", async (status) => {
    const s = await seedRedemption();
    await orderIn(s, "9601", status);
    const seen = (await kounta.apiCalls(s.company.id)).length;
    expect(await redeem(await redeemUrl(s, "pay", "9601", 300))).toEqual({ success: false, error: orderStatusMessage(status) });
    expect((await kounta.apiCalls(s.company.id)).slice(seen)).toEqual([`GET /v1/companies/${s.company.id}/orders/9601.json`]);
    expect((await kounta.order(s.company.id, "9601")).payments).toEqual([]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", orderStatusMessage(status)]]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -300], ["reversal", 300]]);
  });

  it("points as payment on an ACCEPTED order (not yet paid): taken", async () => {
    const s = await seedRedemption();
    await orderIn(s, "9602", "ACCEPTED");
    expect(await redeem(await redeemUrl(s, "pay", "9602", 300))).toEqual({ success: true });
    expect((await kounta.order(s.company.id, "9602")).payments).toEqual([expect.objectContaining({ amount: 3 })]);
    expect(await balanceOf(s)).toBe(950);
  });

  it.each([
    ["coffee", "ACCEPTED"],
    ["five", "ACCEPTED"],
    ["pct", "ACCEPTED"],
    ["coffee", "COMPLETE"],
    ["pct", "REJECTED"],
  ])("%s on a %s order: refused with the reason, nothing on the order, the points back", async (reward, status) => {
    const s = await seedRedemption();
    await orderIn(s, "9603", status);
    const before = await kounta.order(s.company.id, "9603");
    expect(await redeem(await redeemUrl(s, reward, "9603"))).toEqual({ success: false, error: orderStatusMessage(status) });
    const after = await kounta.order(s.company.id, "9603");
    expect([after.lines, after.payments]).toEqual([before.lines, before.payments]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("the cashier reads why", () => {
    expect(orderStatusMessage("COMPLETE")).toBe("This sale is already complete, so it cannot take a reward.");
    expect(orderStatusMessage("REJECTED")).toBe("This order was cancelled, so it cannot take a reward.");
    expect(orderStatusMessage("ACCEPTED")).toBe("This order has been accepted, so its items can no longer change. The reward was not added.");
  });
});

describe("the number the cashier can act on", () => {
  it("over the balance and over the reward's cap: the balance", async () => {
    const s = await seedRedemption(120);
    const url = await redeemUrl(s, "pay", "9701");
    expect(await redeem(`${url}&quantity=2001`)).toEqual({ success: false, error: "Not enough Points: 120 of 2001" });
    expect(await redeem(`${url}&quantity=121`)).toEqual({ success: false, error: "Not enough Points: 120 of 121" });
    expect(await balanceOf(s)).toBe(120);
  });

  it("within the balance but over the cap: the cap", async () => {
    const s = await seedRedemption(5000);
    expect(await redeem(`${await redeemUrl(s, "pay", "9702")}&quantity=2001`)).toEqual({
      success: false,
      error: "At most 2000 Points can be spent on this reward.",
    });
    expect(await balanceOf(s)).toBe(5000);
  });
});
