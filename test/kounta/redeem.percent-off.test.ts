import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { Logger } from "../../src/lib/logger";
import { redeemMessages, settleReasons } from "../../src/loyalty/cashier-messages";
import { eq } from "drizzle-orm";
import { rewards } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, reserveOnly, seedRedemption } from "../redeem-harness";

// A percent-off reward discounts every line of the order, one PUT each: all of them or none. The
// stand-in's open order has two lines (2 x Flat white, 1 x Banana bread); "pct" is 20% off for 300.

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

const quiet = new Logger({ test: "percent-off" });
const later = () => Date.now() + SETTLE_AFTER_MS + 60_000;
const pass = { delay_ms: 0 };

/** The calls the stand-in received for the company from the `from`-th on, as "METHOD path status". */
async function callsFrom(s: Seeded, from = 0): Promise<string[]> {
  const calls = await kounta.calls(s.company.id);
  return calls.slice(from).map((c) => `${c.method} ${c.path.replace(`/v1/companies/${s.company.id}/orders/`, "")} ${c.status}`);
}

/** The order's lines as [price_variation, notes]. */
async function linesOf(s: Seeded, orderId: string): Promise<[number, string][]> {
  const order = await kounta.order(s.company.id, orderId);
  return order.lines.map((l: { price_variation: number; notes: string }) => [l.price_variation, l.notes]);
}

const note = (id: string, i: number, n: number, was = 1) => `Loyalty reward ${id} (${i}/${n}, was ${was}): 20% off`;

/** A crash right after reserving a percent-off: points debited, the redemption pending, Kounta never told. */
const reservePercentOff = (s: Seeded, orderId: string) => reserveOnly(s, "pct", orderId);

/** Discounts a line of the order as our redemption does, through Kounta's own API. */
async function discountLine(s: Seeded, orderId: string, line: number, notes: string) {
  await kounta.api(s.company.id, "PUT", `orders/${orderId}/lines/${line}`, { price_variation: 0.8, notes });
}

describe("percent off: a failure part-way puts the changed lines back", () => {
  it("gives the points back when every changed line was put back", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "slow", { ...pass, times: 2 });
    await kounta.fault(s.company.id, "rate_limit", { retry_after: "30" });

    expect(await redeem(await redeemUrl(s, "pct", "6001"))).toEqual({ success: false, error: redeemMessages.busy });

    expect(await callsFrom(s)).toEqual(["GET 6001.json 200", "PUT 6001/lines/1.json 200", "PUT 6001/lines/2.json 429", "PUT 6001/lines/1.json 200"]);
    expect(await linesOf(s, "6001")).toEqual([[1, ""], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", redeemMessages.busy]]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("keeps the points reserved when a line could not be put back, and settling puts it back later", async () => {
    const s = await seedRedemption();
    // Line 2's PUT is rate limited, and so is putting line 1 back.
    await kounta.fault(s.company.id, "slow", { ...pass, times: 2 });
    await kounta.fault(s.company.id, "rate_limit", { retry_after: "30", times: 2 });

    expect(await redeem(await redeemUrl(s, "pct", "6002"))).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await callsFrom(s)).toEqual(["GET 6002.json 200", "PUT 6002/lines/1.json 200", "PUT 6002/lines/2.json 429", "PUT 6002/lines/1.json 429"]);
    const [pending] = await redemptionsOf(s);
    expect(pending).toMatchObject({ status: "pending", failureReason: null });
    // Line 1 still carries the discount: the points are not given back on a guess.
    expect(await linesOf(s, "6002")).toEqual([[0.8, note(pending!.id, 1, 2)], [1, ""]]);
    expect(await balanceOf(s)).toBe(950);

    const seen = (await kounta.calls(s.company.id)).length;
    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await callsFrom(s, seen)).toEqual(["GET 6002.json 200", "PUT 6002/lines/1.json 200"]);
    expect(await linesOf(s, "6002")).toEqual([[1, ""], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.undone]]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -300], ["reversal", 300]]);
  });
});

describe("percent off against the deadline", () => {
  it("discounts an order of many lines when Kounta answers fast enough", async () => {
    const s = await seedRedemption();
    // The stand-in's open order has two lines; eighteen more make twenty.
    for (let i = 0; i < 18; i++) {
      expect((await kounta.api(s.company.id, "POST", "orders/6010/lines", { product_id: 2001, quantity: 1, unit_price: 3 })).status).toBe(201);
    }

    expect(await redeem(await redeemUrl(s, "pct", "6010"))).toEqual({ success: true });

    const lines = await linesOf(s, "6010");
    expect(lines).toHaveLength(20);
    expect(lines.every(([variation]) => variation === 0.8)).toBe(true);
    expect(await balanceOf(s)).toBe(950);
  });

  it("does not start when there is no time for one line's PUT and its put-back", async () => {
    const s = await seedRedemption();
    // The order's read takes 3 s: a PUT and a put-back at that pace do not fit in the 4.4 s left.
    await kounta.fault(s.company.id, "slow", { delay_ms: 3000 });

    expect(await redeem(await redeemUrl(s, "pct", "6003"))).toEqual({ success: false, error: redeemMessages.busy });

    expect(await callsFrom(s)).toEqual(["GET 6003.json 200"]);
    expect(await linesOf(s, "6003")).toEqual([[1, ""], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed"]);
    expect(await balanceOf(s)).toBe(1250);
  }, 15_000);

  it("a line's PUT unanswered in time: both lines put back, pending; its late landing is undone by settling", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "slow", { ...pass, times: 2 });
    await kounta.fault(s.company.id, "slow", { delay_ms: 4200 });

    expect(await redeem(await redeemUrl(s, "pct", "6004"))).toEqual({ success: false, error: redeemMessages.unconfirmed });

    // Line 2's PUT gave up at 4 s, early enough to put back line 1 and line 2 (which may have changed).
    const calls = await callsFrom(s);
    expect(calls.slice(0, 2)).toEqual(["GET 6004.json 200", "PUT 6004/lines/1.json 200"]);
    expect(calls[2]).toMatch(/^PUT 6004\/lines\/2\.json /); // no answer (yet)
    expect(calls.slice(3)).toEqual(["PUT 6004/lines/1.json 200", "PUT 6004/lines/2.json 200"]);
    const [pending] = await redemptionsOf(s);
    expect(pending!.status).toBe("pending");
    expect(await balanceOf(s)).toBe(950);

    // The unanswered PUT lands after the put-back, as it may in Kounta: one line of two discounted.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await discountLine(s, "6004", 2, note(pending!.id, 2, 2));

    await settlePendingRedemptions(env, quiet, { now: later() });
    expect(await linesOf(s, "6004")).toEqual([[1, ""], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.undone]]);
    expect(await balanceOf(s)).toBe(1250);
  }, 15_000);
});

describe("settling a pending percent off by what the order shows", () => {
  it("confirms it when every line carries the discount", async () => {
    const s = await seedRedemption();
    const id = await reservePercentOff(s, "6101");
    await discountLine(s, "6101", 1, note(id, 1, 2));
    await discountLine(s, "6101", 2, note(id, 2, 2));

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect((await redemptionsOf(s)).map((r) => [r.status, r.kountaRef])).toEqual([["applied", "lines:1,2"]]);
    expect(await balanceOf(s)).toBe(950);
  });

  it("puts a partial discount back and gives the points back", async () => {
    const s = await seedRedemption();
    const id = await reservePercentOff(s, "6102");
    // The line's own note stays; only ours goes.
    await kounta.api(s.company.id, "PUT", "orders/6102/lines/1", { price_variation: 0.8, notes: `No sugar | ${note(id, 1, 2)}` });
    const seen = (await kounta.calls(s.company.id)).length;

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await callsFrom(s, seen)).toEqual(["GET 6102.json 200", "PUT 6102/lines/1.json 200"]);
    expect(await linesOf(s, "6102")).toEqual([[1, "No sugar"], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.undone]]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("leaves it pending when the partial discount cannot be put back", async () => {
    const s = await seedRedemption();
    const id = await reservePercentOff(s, "6103");
    await discountLine(s, "6103", 1, note(id, 1, 2));
    await kounta.fault(s.company.id, "slow", pass);
    await kounta.fault(s.company.id, "server_error");

    const summary = await settlePendingRedemptions(env, quiet, { now: later() });

    expect(summary.unresolved).toBeGreaterThanOrEqual(1);
    expect(await linesOf(s, "6103")).toEqual([[0.8, note(id, 1, 2)], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.settleAttempts])).toEqual([["pending", 1]]);
    expect(await balanceOf(s)).toBe(950);
  });

  it("gives the points back for a partial discount on an order that can no longer change", async () => {
    const s = await seedRedemption();
    const id = await reservePercentOff(s, "6104");
    await discountLine(s, "6104", 1, note(id, 1, 2));
    await kounta.api(s.company.id, "PUT", "orders/6104", { status: "COMPLETE" });
    const seen = (await kounta.calls(s.company.id)).length;

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await callsFrom(s, seen)).toEqual(["GET 6104.json 200"]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.kept]]);
    expect(await balanceOf(s)).toBe(1250);
  });
});

describe("putting a partial discount back restores the line exactly", () => {
  async function withRewardPercent(s: Seeded, basisPoints: number) {
    await db.update(rewards).set({ value: basisPoints }).where(eq(rewards.id, s.company.rewardId("pct")));
  }

  it("the variation recorded in the note, where dividing the rounded discount out would not give it back (95% off)", async () => {
    const s = await seedRedemption();
    await withRewardPercent(s, 9500);
    const id = await reservePercentOff(s, "6105");
    // The line had its own 0.8765 before our 95% off (0.8765 x 0.05 = 0.0438 to four places).
    await kounta.api(s.company.id, "PUT", "orders/6105/lines/1", { price_variation: 0.0438, notes: note(id, 1, 2, 0.8765).replace("20% off", "95% off") });

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await linesOf(s, "6105")).toEqual([[0.8765, ""], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.undone]]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a 100% discount: back to the line's own variation, not to full price", async () => {
    const s = await seedRedemption();
    await withRewardPercent(s, 10_000);
    const id = await reservePercentOff(s, "6106");
    await kounta.api(s.company.id, "PUT", "orders/6106/lines/1", { price_variation: 0, notes: `Staff | ${note(id, 1, 2, 0.8)}` });

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await linesOf(s, "6106")).toEqual([[0.8, "Staff"], [1, ""]]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("a discount put on top since: ours divided out, the other one and its note kept", async () => {
    const s = await seedRedemption();
    const id = await reservePercentOff(s, "6107");
    const other = "Loyalty reward rdm_0000000000000000 (1/1, was 0.8): 20% off";
    // Ours took 1 to 0.8, another 20% off then took 0.8 to 0.64.
    await kounta.api(s.company.id, "PUT", "orders/6107/lines/1", { price_variation: 0.64, notes: `Staff | ${note(id, 1, 2)} | ${other}` });

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await linesOf(s, "6107")).toEqual([[0.8, `Staff | ${other}`], [1, ""]]);
    expect(await balanceOf(s)).toBe(1250);
  });
});

describe("reading back after a 500 finds a partial discount", () => {
  it("puts it back and gives the points back, in the same request", async () => {
    const s = await seedRedemption();
    // Line 2's PUT answers 500: line 1 is put back at once, then the order is read to be sure.
    await kounta.fault(s.company.id, "slow", { ...pass, times: 2 });
    await kounta.fault(s.company.id, "server_error");

    expect(await redeem(await redeemUrl(s, "pct", "6201"))).toEqual({ success: false, error: redeemMessages.kountaFailed });

    expect(await callsFrom(s)).toEqual([
      "GET 6201.json 200",
      "PUT 6201/lines/1.json 200",
      "PUT 6201/lines/2.json 500",
      "PUT 6201/lines/1.json 200",
      "PUT 6201/lines/2.json 200",
      "GET 6201.json 200",
    ]);
    expect(await linesOf(s, "6201")).toEqual([[1, ""], [1, ""]]);
    expect(await balanceOf(s)).toBe(1250);
  });
});
