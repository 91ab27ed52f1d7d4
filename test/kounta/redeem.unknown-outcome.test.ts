import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { Logger } from "../../src/lib/logger";
import { describe, expect, it } from "vitest";
import { redeemMessages, settleReasons } from "../../src/loyalty/cashier-messages";
import { redemptionNote } from "../../src/loyalty/redemption/apply-reward";
import { kountaConnections } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta, KOUNTA_ORIGIN } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// Failures that leave unknown whether Kounta made the change (the connection lost after the request
// went out, a redirect answered to a change), and failures known to come before anything was sent
// (the token refresh): the first are read back (confirmed when the change is there, else left to the
// settling job, since it may still land), the second give the points back at once.

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

async function callsOf(s: Seeded): Promise<string[]> {
  const calls = await kounta.calls(s.company.id);
  return calls.map((c) => `${c.method} ${c.path.replace(`/v1/companies/${s.company.id}/orders/`, "")} ${c.status}`);
}

describe("the connection lost after a change was sent", () => {
  it("reads the order back: the line is there, so the redemption is confirmed", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "connection_lost");

    expect(await redeem(await redeemUrl(s, "coffee", "4001"))).toEqual({ success: true });

    expect(await callsOf(s)).toEqual(["POST 4001/lines.json 201", "GET 4001.json 200"]);
    const order = await kounta.order(s.company.id, "4001");
    const [redemption] = await redemptionsOf(s);
    expect(order.lines.filter((l: { notes: string }) => l.notes.includes(redemption!.id))).toHaveLength(1);
    expect(redemption).toMatchObject({ status: "applied", kountaRef: `line:${order.lines.length}` });
    expect(await balanceOf(s)).toBe(750);
  });

  it("leaves it pending when the order cannot be read back either", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "connection_lost", { times: 2 });

    expect(await redeem(await redeemUrl(s, "coffee", "4002"))).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await callsOf(s)).toEqual(["POST 4002/lines.json 201", "GET 4002.json 200"]);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await balanceOf(s)).toBe(750);
  });

  it("a payment too: read back, found by its ref, confirmed", async () => {
    const s = await seedRedemption();
    // The order's status is read first; the payment's answer is lost.
    await kounta.fault(s.company.id, "slow", { delay_ms: 0 });
    await kounta.fault(s.company.id, "connection_lost");

    expect(await redeem(await redeemUrl(s, "pay", "4003", 300))).toEqual({ success: true });

    expect(await callsOf(s)).toEqual(["GET 4003.json 200", "POST 4003/payments.json 201", "GET 4003.json 200"]);
    const [redemption] = await redemptionsOf(s);
    expect(redemption).toMatchObject({ status: "applied", kountaRef: expect.stringMatching(/^payment:\d+$/) });
    expect(await balanceOf(s)).toBe(950);
  });

  it("a read that fails changed nothing: the points come back at once", async () => {
    const s = await seedRedemption();
    // Percent off reads the order before changing anything.
    await kounta.fault(s.company.id, "connection_lost");

    expect(await redeem(await redeemUrl(s, "pct", "4004"))).toEqual({ success: false, error: redeemMessages.kountaFailed });

    expect(await callsOf(s)).toEqual(["GET 4004.json 200"]);
    expect(await balanceOf(s)).toBe(1250);
  });
});

// A gateway in front of Kounta (502, 504, or any 5xx that is not Kounta's own JSON error) may give up
// while Kounta's backend still carries the change out: the outcome is unknown, as when the answer is
// lost. A 503 (not handled) and a 500 in Kounta's own error shape (redeem.kounta-failure.test.ts) are
// Kounta saying nothing happened: read back, and the points come back at once when nothing is there.
describe("a gateway's 5xx answered to a change", () => {
  const later = () => Date.now() + SETTLE_AFTER_MS + 60_000;

  it("502 after Kounta carried the change out: read back, the line is there, confirmed", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "gateway_error");

    expect(await redeem(await redeemUrl(s, "coffee", "4301"))).toEqual({ success: true });

    expect(await callsOf(s)).toEqual(["POST 4301/lines.json 502", "GET 4301.json 200"]);
    const [redemption] = await redemptionsOf(s);
    const order = await kounta.order(s.company.id, "4301");
    expect(order.lines.map((l: { notes: string }) => l.notes)).toEqual(["", "", redemptionNote(redemption!.id, "Free coffee")]);
    expect(redemption).toMatchObject({ status: "applied", kountaRef: "line:3" });
    expect(await balanceOf(s)).toBe(750);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500]]);
  });

  it("504 while the change has not landed yet: pending, nothing given back; it lands, a second tap adds nothing, settling confirms it", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "4302");
    await kounta.fault(s.company.id, "gateway_error", { status: 504, carried_out: false });

    expect(await redeem(url)).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await callsOf(s)).toEqual(["POST 4302/lines.json 504", "GET 4302.json 200"]);
    const [pending] = await redemptionsOf(s);
    expect(pending).toMatchObject({ status: "pending", failureReason: null });
    expect(await balanceOf(s)).toBe(750);

    // Kounta's backend finishes the change a moment later.
    await kounta.api(s.company.id, "POST", "orders/4302/lines", { product_id: 2001, quantity: 1, unit_price: 0, notes: redemptionNote(pending!.id, "Free coffee") });
    // The cashier taps again: the same redemption, still unconfirmed; no second coffee, no second debit.
    expect(await redeem(url)).toEqual({ success: false, error: redeemMessages.unconfirmed });
    expect((await kounta.apiCalls(s.company.id)).filter((c) => c.startsWith("POST"))).toEqual([
      `POST /v1/companies/${s.company.id}/orders/4302/lines.json`,
      `POST /v1/companies/${s.company.id}/orders/4302/lines.json`,
    ]);

    await settlePendingRedemptions(env, new Logger({ test: "settle" }), { now: later() });
    expect((await redemptionsOf(s)).map((r) => [r.status, r.kountaRef])).toEqual([["applied", "line:3"]]);
    expect((await kounta.order(s.company.id, "4302")).lines).toHaveLength(3);
    expect(await balanceOf(s)).toBe(750);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500]]);
  }, 20_000);

  it("a 500 that is not Kounta's (a gateway's HTML page): unknown too, pending; settling gives the points back when nothing landed", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "gateway_error", { status: 500, carried_out: false });

    expect(await redeem(await redeemUrl(s, "coffee", "4303"))).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await callsOf(s)).toEqual(["POST 4303/lines.json 500", "GET 4303.json 200"]);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await balanceOf(s)).toBe(750);

    await settlePendingRedemptions(env, new Logger({ test: "settle" }), { now: later() });
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.absent]]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500], ["reversal", 500]]);
  });

  it("a 503 (the request was not handled): as a 500 from Kounta, read back, nothing there, the points back at once", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "gateway_error", { status: 503, carried_out: false });

    expect(await redeem(await redeemUrl(s, "coffee", "4304"))).toEqual({ success: false, error: redeemMessages.kountaFailed });

    expect(await callsOf(s)).toEqual(["POST 4304/lines.json 503", "GET 4304.json 200"]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", redeemMessages.kountaFailed]]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500], ["reversal", 500]]);
  });

  it("a payment answered 502 while it had not landed: pending, never given back at once", async () => {
    const s = await seedRedemption();
    // The order's status is read first; the payment gets the gateway's answer.
    await kounta.fault(s.company.id, "slow", { delay_ms: 0 });
    await kounta.fault(s.company.id, "gateway_error", { carried_out: false });

    expect(await redeem(await redeemUrl(s, "pay", "4305", 300))).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await callsOf(s)).toEqual(["GET 4305.json 200", "POST 4305/payments.json 502", "GET 4305.json 200"]);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await balanceOf(s)).toBe(950);
  });

  it("percent off, a line's PUT answered 502: both lines put back, pending; the PUT landing late is undone by settling", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "slow", { delay_ms: 0, times: 2 });
    await kounta.fault(s.company.id, "gateway_error", { carried_out: false });

    expect(await redeem(await redeemUrl(s, "pct", "4306"))).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await callsOf(s)).toEqual([
      "GET 4306.json 200",
      "PUT 4306/lines/1.json 200",
      "PUT 4306/lines/2.json 502",
      "PUT 4306/lines/1.json 200",
      "PUT 4306/lines/2.json 200",
      "GET 4306.json 200",
    ]);
    const [pending] = await redemptionsOf(s);
    expect(pending!.status).toBe("pending");
    expect(await balanceOf(s)).toBe(950);

    // Line 2's PUT lands after it was put back, as it may behind a gateway: one line of two discounted.
    await kounta.api(s.company.id, "PUT", "orders/4306/lines/2", { price_variation: 0.8, notes: `Loyalty reward ${pending!.id} (2/2, was 1): 20% off` });
    await settlePendingRedemptions(env, new Logger({ test: "settle" }), { now: later() });
    const order = await kounta.order(s.company.id, "4306");
    expect(order.lines.map((l: { price_variation: number; notes: string }) => [l.price_variation, l.notes])).toEqual([[1, ""], [1, ""]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.undone]]);
    expect(await balanceOf(s)).toBe(1250);
  });
});

describe("a redirect answered to a change", () => {
  it("is not followed (the POST is never sent twice); read back, not there yet: pending, and the settling job gives the points back", async () => {
    const s = await seedRedemption();
    const lines = `${KOUNTA_ORIGIN}/v1/companies/${s.company.id}/orders/4101/lines.json`;
    await kounta.fault(s.company.id, "redirect", { location: lines });

    expect(await redeem(await redeemUrl(s, "coffee", "4101"))).toEqual({ success: false, error: redeemMessages.unconfirmed });

    expect(await callsOf(s)).toEqual(["POST 4101/lines.json 307", "GET 4101.json 200"]);
    expect((await kounta.order(s.company.id, "4101")).lines).toHaveLength(2);
    // The answer was not Kounta's last word: the change may still land, so nothing is given back yet.
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await balanceOf(s)).toBe(750);

    await settlePendingRedemptions(env, new Logger({ test: "settle" }), { now: Date.now() + SETTLE_AFTER_MS + 60_000 });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed"]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("to another host, on a read: refused, our token never sent there, the points come back", async () => {
    const s = await seedRedemption();
    await kounta.fault(s.company.id, "redirect", { location: "https://elsewhere.example/steal" });
    const elsewhere: string[] = [];
    const network = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const url = new Request(input, init).url;
      if (url.startsWith("https://elsewhere.example")) {
        elsewhere.push(url);
        return Response.json({ status: "SUBMITTED", lines: [] });
      }
      return network(input, init);
    };
    try {
      expect(await redeem(await redeemUrl(s, "pct", "4102"))).toEqual({ success: false, error: redeemMessages.orderRefused });
    } finally {
      globalThis.fetch = network;
    }
    expect(elsewhere).toEqual([]);
    expect(await callsOf(s)).toEqual(["GET 4102.json 307"]);
    expect(await balanceOf(s)).toBe(1250);
  });
});

describe("failures before the order call was sent", () => {
  it("the token refresh is not over by the redemption's deadline: nothing reached the order, the points come back at once", async () => {
    const s = await seedRedemption();
    await db.update(kountaConnections).set({ accessTokenExpiresAt: Date.now() - 1000 }).where(eq(kountaConnections.companyId, s.company.id));
    // Past the redemption's own deadline (the refresh itself goes on, and is stored, without it).
    await kounta.fault(s.company.id, "slow", { delay_ms: 9_000 });

    expect(await redeem(await redeemUrl(s, "coffee", "4201"))).toEqual({ success: false, error: redeemMessages.busy });

    expect((await kounta.calls(s.company.id)).map((c) => `${c.method} ${c.path}`)).toEqual(["POST /v1/token"]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", redeemMessages.busy]]);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500], ["reversal", 500]]);
    expect(await balanceOf(s)).toBe(1250);
  }, 20_000);

  it("the token endpoint answers 500: the same", async () => {
    const s = await seedRedemption();
    await db.update(kountaConnections).set({ accessTokenExpiresAt: Date.now() - 1000 }).where(eq(kountaConnections.companyId, s.company.id));
    await kounta.fault(s.company.id, "server_error");

    expect(await redeem(await redeemUrl(s, "coffee", "4202"))).toEqual({ success: false, error: redeemMessages.busy });

    expect((await kounta.calls(s.company.id)).map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(["POST /v1/token 500"]);
    expect(await balanceOf(s)).toBe(1250);
  });
});
