import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { catchUpDeps, catchUpOrders } from "../../src/jobs/catch-up";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { Logger } from "../../src/lib/logger";
import { settleReasons } from "../../src/loyalty/cashier-messages";
import { undoOrder } from "../../src/loyalty/earning/undo-order";
import { redemptionNote } from "../../src/loyalty/redemption/apply-reward";
import { db } from "../harness";
import { kounta, KOUNTA_ORIGIN } from "../kounta-harness";
import { balanceOf, ledgerOf, redemptionsOf, reserveOnly, seedRedemption } from "../redeem-harness";

const later = () => Date.now() + SETTLE_AFTER_MS + 60_000;
const quiet = new Logger({ test: "settle" });

/** A crash right after the reservation: points debited, redemption pending, Kounta never told. */
const crashAfterReserving = (s: Awaited<ReturnType<typeof seedRedemption>>, orderId: string) => reserveOnly(s, "coffee", orderId);

/** Adds a line to the stand-in's order as our redemption would have, through Kounta's own API. */
async function addOurLine(s: Awaited<ReturnType<typeof seedRedemption>>, orderId: string, redemptionId: string) {
  const res = await kounta.api(s.company.id, "POST", `orders/${orderId}/lines`, {
    product_id: 2001,
    quantity: 1,
    unit_price: 0,
    notes: redemptionNote(redemptionId, "Free coffee"),
  });
  expect(res.status).toBe(201);
}

describe("settling redemptions a crash left pending", () => {
  it("releases the points when the order does not carry the reward", async () => {
    const s = await seedRedemption();
    const id = await crashAfterReserving(s, "9001");
    expect(await balanceOf(s)).toBe(750);

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await balanceOf(s)).toBe(1250);
    const [redemption] = await redemptionsOf(s);
    expect(redemption).toMatchObject({ id, status: "failed", failureReason: "It was not on the order when checked later." });
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500], ["reversal", 500]]);
  });

  it("confirms the redemption when the order carries the reward", async () => {
    const s = await seedRedemption();
    const id = await crashAfterReserving(s, "9002");
    await addOurLine(s, "9002", id);

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await balanceOf(s)).toBe(750);
    const [redemption] = await redemptionsOf(s);
    expect(redemption).toMatchObject({ id, status: "applied", kountaRef: expect.stringMatching(/^line:\d+$/) });
  });

  it("leaves it pending while Kounta cannot tell, and settles it on a later run", async () => {
    const s = await seedRedemption();
    await crashAfterReserving(s, "9003");
    await kounta.fault(s.company.id, "server_error", { times: 3 });

    expect((await settlePendingRedemptions(env, quiet, { now: later() })).unresolved).toBeGreaterThanOrEqual(1);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await balanceOf(s)).toBe(750);

    await fetch(`${KOUNTA_ORIGIN}/_stand-in/faults?company_id=${s.company.id}`, { method: "DELETE" });
    // Tried again a run later (it backs off: 5 minutes after the first try).
    await settlePendingRedemptions(env, quiet, { now: later() + 5 * 60_000 });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed"]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("leaves young pending redemptions alone (a redemption may still be under way)", async () => {
    const s = await seedRedemption();
    await crashAfterReserving(s, "9004");
    await settlePendingRedemptions(env, quiet, { now: Date.now() });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
  });

  it("settles a redemption left by a timeout to what Kounta finally did", async () => {
    const s = await seedRedemption();
    const { redeem, redeemUrl } = await import("../redeem-harness");
    await kounta.fault(s.company.id, "slow", { delay_ms: 4500 });
    expect((await redeem(await redeemUrl(s, "coffee", "9005"))).success).toBe(false);
    // The slow call lands in Kounta after the cashier's answer. (The stand-in runs inside the
    // request that gave up on it, so it is stopped with that request: land the line as Kounta would.)
    const [pending] = await redemptionsOf(s);
    expect(pending!.status).toBe("pending");
    await addOurLine(s, "9005", pending!.id);

    await settlePendingRedemptions(env, quiet, { now: later() });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied"]);
    expect(await balanceOf(s)).toBe(750);
  }, 15_000);
});

// An order cancelled (REJECTED) or deleted after a redemption was left pending on it: the settling job
// gives the points back (the reward on the order buys nothing), never confirms. Undoing the order (the
// catch-up for a rejection, the webhook for a deletion) returns only applied redemptions, so whichever
// runs first, the points come back exactly once.
describe("settling a redemption whose order was cancelled", () => {
  type Seeded = Awaited<ReturnType<typeof seedRedemption>>;
  const reject = (s: Seeded, orderId: string) => kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status: "REJECTED" });
  const catchUp = () => catchUpOrders({ ...catchUpDeps(env, quiet), limits: { companies: 1000 } });
  const givenBack = [["adjustment", 1250], ["redeem", -500], ["reversal", 500]];

  it("the reward on a rejected order the catch-up already undid: released, the points back once", async () => {
    const s = await seedRedemption();
    const id = await crashAfterReserving(s, "9201");
    await addOurLine(s, "9201", id);
    await reject(s, "9201");
    // The catch-up finds nothing to undo yet (the redemption is pending, not applied).
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "9201", reason: "rejected", now: Date.now() })).toEqual({ reversed: 0, returned: 0 });

    const seen = (await kounta.apiCalls(s.company.id)).length;
    await settlePendingRedemptions(env, quiet, { now: later() });

    expect((await kounta.apiCalls(s.company.id)).slice(seen)).toEqual([`GET /v1/companies/${s.company.id}/orders/9201.json`]);
    expect((await redemptionsOf(s)).map((r) => [r.id, r.status, r.failureReason])).toEqual([[id, "failed", settleReasons.cancelled]]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual(givenBack);

    // Undoing it again (the catch-up's next run) returns nothing more.
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "9201", reason: "rejected", now: Date.now() })).toEqual({ reversed: 0, returned: 0 });
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual(givenBack);
  });

  it("settled first, then the catch-up's run over the rejected orders: nothing more to undo", async () => {
    const s = await seedRedemption();
    const id = await crashAfterReserving(s, "9202");
    await addOurLine(s, "9202", id);
    await reject(s, "9202");

    expect(await settlePendingRedemptions(env, quiet, { now: later() })).toMatchObject({ applied: 0, released: 1 });
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.cancelled]]);

    const summary = await catchUp();
    expect(summary.returned).toBe(0);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual(givenBack);
  });

  it("confirmed while the order stood, rejected later: the catch-up returns the points, once", async () => {
    const s = await seedRedemption();
    const id = await crashAfterReserving(s, "9203");
    await addOurLine(s, "9203", id);
    await settlePendingRedemptions(env, quiet, { now: later() });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied"]);
    await reject(s, "9203");

    expect((await catchUp()).returned).toBe(500);
    await settlePendingRedemptions(env, quiet, { now: later() });
    await catchUp();

    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied"]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual(givenBack);
  });

  it("the reward on an order deleted since (the webhook undid it): released, the points back once", async () => {
    const s = await seedRedemption();
    const id = await crashAfterReserving(s, "9204");
    await addOurLine(s, "9204", id);
    await fetch(`${KOUNTA_ORIGIN}/_stand-in/orders/${s.company.id}/9204`, { method: "DELETE" });
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "9204", reason: "deleted", now: Date.now() })).toEqual({ reversed: 0, returned: 0 });

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.gone]]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual(givenBack);
  });
});

describe("the cron trigger", () => {
  it("runs the settling job through the Worker's scheduled handler", async () => {
    const { createExecutionContext, createScheduledController, waitOnExecutionContext } = await import("cloudflare:test");
    const worker = (await import("../../src/index")).default;
    const s = await seedRedemption();
    await reserveOnly(s, "coffee", "9100", { now: Date.now() - SETTLE_AFTER_MS - 60_000 });

    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);

    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed"]);
    expect(await balanceOf(s)).toBe(1250);
  });
});
