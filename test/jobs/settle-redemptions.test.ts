import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { Logger } from "../../src/lib/logger";
import { redemptionNote } from "../../src/loyalty/redemption/apply-reward";
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
