import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { Logger } from "../../src/lib/logger";
import { redeemMessages, serviceMessages as messages, settleReasons } from "../../src/loyalty/cashier-messages";
import { confirmRedemption, releaseRedemption } from "../../src/loyalty/redemption/redemption";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// CONTRACT section 3: a redemption always answers HTTP 200, {success:false, error} when it did not
// happen, with a sentence for the cashier, whatever failed on our side. When a reservation may
// exist, the cashier is told to check the order.

const quiet = new Logger({ test: "redeem-internal" });

/** Makes D1 fail (as a lost connection or a full disk would) on one company's redemption writes. */
async function failD1(companyId: string, name: string, when: string, event = "INSERT") {
  await env.DB.prepare(
    `CREATE TRIGGER ${name} BEFORE ${event} ON redemptions WHEN NEW.company_id = '${companyId}' ${when}
     BEGIN SELECT RAISE(ABORT, 'D1_ERROR: simulated failure'); END`,
  ).run();
  return () => env.DB.prepare(`DROP TRIGGER ${name}`).run();
}

describe("redemption: our own failures still answer 200 {success:false}", () => {
  it("D1 fails while reserving: nothing taken, Kounta never called", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "3001");
    const restore = await failD1(s.company.id, "fail_reserve", "");
    try {
      expect(await redeem(url)).toEqual({ success: false, error: redeemMessages.internal });
    } finally {
      await restore();
    }
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("D1 fails while confirming: the reward is on the order, the redemption pending until settled", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "3002");
    const restore = await failD1(s.company.id, "fail_confirm", "AND NEW.status = 'applied'", "UPDATE");
    try {
      expect(await redeem(url)).toEqual({ success: false, error: redeemMessages.internal });
    } finally {
      await restore();
    }
    const [redemption] = await redemptionsOf(s);
    expect(redemption!.status).toBe("pending");
    const order = await kounta.order(s.company.id, "3002");
    expect(order.lines.at(-1).notes).toContain(redemption!.id);
    expect(await balanceOf(s)).toBe(750);

    await settlePendingRedemptions(env, quiet, { now: Date.now() + SETTLE_AFTER_MS + 60_000 });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied"]);
    expect(await balanceOf(s)).toBe(750);
  });

  it("D1 fails while giving the points back: pending, settled later", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "3003");
    await kounta.fault(s.company.id, "rate_limit", { retry_after: "30" });
    const restore = await failD1(s.company.id, "fail_release", "AND NEW.status = 'failed'", "UPDATE");
    try {
      expect(await redeem(url)).toEqual({ success: false, error: redeemMessages.internal });
    } finally {
      await restore();
    }
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["pending"]);
    expect(await balanceOf(s)).toBe(750);

    await settlePendingRedemptions(env, quiet, { now: Date.now() + SETTLE_AFTER_MS + 60_000 });
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed"]);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500], ["reversal", 500]]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("the Worker's configuration is invalid: a plain sentence, nothing taken", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "3004");
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(url), { ...env, REDEEM_SIGNING_KEY: "too-short" }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: false, error: messages.misconfigured });
    expect(await redemptionsOf(s)).toEqual([]);
    expect(await balanceOf(s)).toBe(1250);
  });
});

// Confirming and releasing each close a redemption only while it is pending. Should the settling job
// close it first (a Worker stalled past SETTLE_AFTER_MS), the redemption's answer is what holds, not
// what it meant to do.
describe("a redemption closed elsewhere while Kounta was answering", () => {
  type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

  /** Once the redemption is reserved (pending), closes it as the settling job would. */
  async function closeWhenPending(s: Seeded, close: (id: string) => Promise<boolean>): Promise<boolean> {
    for (let i = 0; i < 100; i++) {
      const [row] = await redemptionsOf(s);
      if (row?.status === "pending") return close(row.id);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("the redemption was never reserved");
  }

  it("given back meanwhile, then Kounta adds the line: not a success, and the cashier is told to take it off", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "3101");
    await kounta.fault(s.company.id, "slow", { delay_ms: 1000 });

    const answer = redeem(url);
    const release = (id: string) => releaseRedemption(db, { companyId: s.company.id, redemptionId: id, reason: settleReasons.absent, now: Date.now() });
    expect(await closeWhenPending(s, release)).toBe(true);

    expect(await answer).toEqual({ success: false, error: redeemMessages.releasedMeanwhile });
    expect(await kounta.apiCalls(s.company.id)).toEqual([`POST /v1/companies/${s.company.id}/orders/3101/lines.json`]);
    const [redemption] = await redemptionsOf(s);
    expect((await kounta.order(s.company.id, "3101")).lines.at(-1).notes).toContain(redemption!.id);
    expect(redemption).toMatchObject({ status: "failed", failureReason: settleReasons.absent, kountaRef: null });
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500], ["reversal", 500]]);
  });

  it("confirmed meanwhile, while this one would give the points back: a success, as it holds", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "3102");
    // Kounta's own 500 to the line, then a slow read back: the settling job confirms it in between.
    await kounta.fault(s.company.id, "server_error");
    await kounta.fault(s.company.id, "slow", { delay_ms: 1000 });

    const answer = redeem(url);
    const confirm = (id: string) => confirmRedemption(db, { companyId: s.company.id, redemptionId: id, kountaRef: "line:3", now: Date.now() });
    expect(await closeWhenPending(s, confirm)).toBe(true);

    expect(await answer).toEqual({ success: true });
    expect((await kounta.calls(s.company.id)).map((c) => `${c.method} ${c.status}`)).toEqual(["POST 500", "GET 200"]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.kountaRef])).toEqual([["applied", "line:3"]]);
    expect(await balanceOf(s)).toBe(750);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -500]]);
  });
});
