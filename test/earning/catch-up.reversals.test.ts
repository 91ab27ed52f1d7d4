import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { catchUpOrders } from "../../src/jobs/catch-up";
import { loadConfig } from "../../src/config";
import { KountaApiError } from "../../src/kounta-api/errors";
import { earnForOrder } from "../../src/loyalty/earning/earn-order";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { customerLinks, members, orderChecks, pointsLedger } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta, KOUNTA_ORIGIN } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, seedRedemption } from "../redeem-harness";
import { expectCompaniesBalanced, trackCompany, quiet, company, completedOrder, earnedRow, openOrder, inKountaLater, recording } from "./catch-up-harness";

// The catch-up job (src/jobs/catch-up/): refunds and rejected orders.

afterEach(expectCompaniesBalanced);

describe("catching up on refunds (a negative payment added to an order that earned)", () => {
  it("reads again an earned order Kounta changed since, and takes back its refund's share, once", async () => {
    const c = await company();
    const memberId = await c.addMember({ firstName: "John", email: `john${c.id}@example.com` });
    await db.insert(customerLinks).values({ companyId: c.id, kountaCustomerId: "789", memberId, linkedAt: Date.now() });
    const orderId = await completedOrder(c.id, 789, 9.9);
    // The sale earned as it completed (through the webhook)...
    const earned = await earnForOrder(
      { db, cache: new LoyaltyCache(env.CACHE), config: loadConfig(env), logger: quiet, deadline: Date.now() + 10_000 },
      { companyId: c.id, orderId },
    );
    expect(earned).toMatchObject({ outcome: "earned", points: 9 });
    // ...an unchanged earned order is not read again (the runs below happen six minutes later)...
    const { deps, orderIds: reads } = recording("reverseRefunds", { companies: 1000, earnCallsPerRun: 1000 }, { now: Date.now() + 6 * 60_000 });
    await catchUpOrders(deps);
    expect(reads.filter((id) => id === orderId)).toEqual([]);

    // ...then, five minutes after the sale, half of it is refunded at the till, which Kounta tells nobody.
    await inKountaLater(5 * 60_000, () => kounta.api(c.id, "POST", `orders/${orderId}/payments`, { method_id: "2", amount: -4.95 }));
    await catchUpOrders(deps);

    expect(reads.filter((id) => id === orderId)).toEqual([orderId]);
    const rows = await db
      .select({ delta: pointsLedger.delta, key: pointsLedger.idempotencyKey })
      .from(pointsLedger)
      .where(eq(pointsLedger.companyId, c.id));
    expect(rows.map((r) => [r.key.replace(orderId, "O").replace(/:\d+$/, ":P"), r.delta])).toEqual([
      ["earn:O", 9],
      ["refund:O:P", -4], // 9 x 4.95 / 9.90 = 4.5, rounded down
    ]);
    // The next run: Kounta has not changed the order since that read, so it is not read again.
    await catchUpOrders(deps);
    expect(reads.filter((id) => id === orderId)).toEqual([orderId]);
    const [member] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
    expect(member!.points).toBe(5);

    // A change that takes nothing back (a note) is read once, then not again.
    await inKountaLater(7 * 60_000, () => kounta.api(c.id, "PUT", `orders/${orderId}`, { notes: "Receipt reprinted" }));
    await catchUpOrders(deps);
    await catchUpOrders(deps);
    expect(reads.filter((id) => id === orderId)).toEqual([orderId, orderId]);
    expect((await db.select().from(pointsLedger).where(eq(pointsLedger.companyId, c.id))).length).toBe(2);

    // Watermarks older than the window go.
    await db.insert(orderChecks).values({ companyId: c.id, orderId: "1", kountaUpdatedAt: 0, checkedAt: Date.now() - 5 * 24 * 3600_000 });
    await catchUpOrders(deps);
    expect((await db.select().from(orderChecks).where(eq(orderChecks.companyId, c.id))).map((r) => r.orderId)).toEqual([orderId]);
  });
});

describe("catching up on rejected orders (Kounta sends no delivery for them)", () => {
  it("returns the points redeemed on an order the cashier then voided, once", async () => {
    const s = await seedRedemption(1250);
    trackCompany(s.company.id);
    const orderId = await openOrder(s.company.id, "789");
    expect(await redeem(await redeemUrl(s, "coffee", orderId))).toEqual({ success: true });
    // Another voided order that never touched loyalty: nothing to undo.
    const plainId = await openOrder(s.company.id, null);
    for (const id of [orderId, plainId]) await kounta.api(s.company.id, "PUT", `orders/${id}`, { status: "REJECTED" });
    expect(await balanceOf(s)).toBe(750);

    // A voided order whose earning refunds already took back in full: nothing left to undo.
    const refundedId = await openOrder(s.company.id, "789");
    await kounta.api(s.company.id, "PUT", `orders/${refundedId}`, { status: "REJECTED" });
    await earnedRow(s.company.id, s.memberId, refundedId, 9);
    await earnedRow(s.company.id, s.memberId, refundedId, -9, `refund:${refundedId}:1`);

    // No earning budget left this run: rejected orders are still looked at.
    const { deps, orderIds: undone } = recording("undo", { companies: 1000, earnCallsPerRun: 0 });
    await catchUpOrders(deps);

    expect(undone.filter((id) => [orderId, plainId, refundedId].includes(id))).toEqual([orderId]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((r) => [r.reason, r.delta, r.orderId])).toEqual([
      ["adjustment", 1250, null],
      ["redeem", -500, orderId],
      ["earn", 9, refundedId],
      ["reversal", -9, refundedId],
      ["reversal", 500, orderId],
    ]);

    // The next run: nothing left to undo on it.
    undone.length = 0;
    await catchUpOrders(deps);
    expect(undone.filter((id) => [orderId, plainId, refundedId].includes(id))).toEqual([]);
    expect(await balanceOf(s)).toBe(1250);
  });
});

describe("catching up on rejected orders: the order itself decides, not the list", () => {
  /** The real catch-up, its rejected list replaced for one company by the given summaries. */
  function listing(companyId: string, orders: { id: string; status: string | null; updatedAt?: number }[]) {
    const { deps, orderIds } = recording("undo", { companies: 1000, earnCallsPerRun: 0 });
    deps.listRejected = async (id) => ({ orders: id === companyId ? orders.map((o) => ({ ...o, customerId: "789" })) : [], next: null });
    return { deps, undone: orderIds };
  }

  async function redeemedOn(s: Awaited<ReturnType<typeof seedRedemption>>) {
    const orderId = await openOrder(s.company.id, "789");
    expect(await redeem(await redeemUrl(s, "coffee", orderId))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
    return orderId;
  }

  it("reads an order listed as rejected and leaves it alone when Kounta's copy is not", async () => {
    const s = await seedRedemption(1250);
    trackCompany(s.company.id);
    const orderId = await redeemedOn(s);
    await kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status: "COMPLETE" });
    const { deps, undone } = listing(s.company.id, [{ id: orderId, status: "REJECTED" }]);
    const seen = (await kounta.calls(s.company.id)).length;

    const summary = await catchUpOrders(deps);

    expect(undone).toEqual([]);
    expect(summary.notRejected).toBe(1);
    expect((await kounta.calls(s.company.id)).slice(seen).map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v1/companies/${s.company.id}/orders/${orderId}.json`,
    ]);
    expect(await balanceOf(s)).toBe(750);
  });

  it("reads a summary without a status: standing, it is left alone and not read again until Kounta changes it", async () => {
    const s = await seedRedemption(1250);
    trackCompany(s.company.id);
    const orderId = await redeemedOn(s);
    await kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status: "COMPLETE" });
    const reads = async (updatedAt: number) => {
      const { deps, undone } = listing(s.company.id, [{ id: orderId, status: null, updatedAt }]);
      const seen = (await kounta.calls(s.company.id)).length;
      const summary = await catchUpOrders(deps);
      expect(undone).toEqual([]);
      return { summary, calls: (await kounta.calls(s.company.id)).slice(seen).map((c) => `${c.method} ${c.path}`) };
    };
    const read = [`GET /v1/companies/${s.company.id}/orders/${orderId}.json`];

    const first = await reads(1_000);
    expect(first.calls).toEqual(read);
    expect(first.summary.notRejected).toBe(1);
    expect((await reads(1_000)).calls).toEqual([]);
    // Kounta changed it since: read again.
    expect((await reads(2_000)).calls).toEqual(read);
    expect(await balanceOf(s)).toBe(750);
  });

  it("undoes a summary without a status once Kounta's copy says REJECTED", async () => {
    const s = await seedRedemption(1250);
    trackCompany(s.company.id);
    const orderId = await redeemedOn(s);
    await kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status: "REJECTED" });
    const { deps, undone } = listing(s.company.id, [{ id: orderId, status: null, updatedAt: 1_000 }]);

    await catchUpOrders(deps);

    expect(undone).toEqual([orderId]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("one order Kounta cannot answer for does not hold up the company's others", async () => {
    const s = await seedRedemption(1250);
    trackCompany(s.company.id);
    const unreadableId = await redeemedOn(s);
    const rejectedId = await openOrder(s.company.id, "789");
    expect(await redeem(await redeemUrl(s, "coffee", rejectedId))).toEqual({ success: true });
    await kounta.api(s.company.id, "PUT", `orders/${rejectedId}`, { status: "REJECTED" });
    const { deps, undone } = listing(s.company.id, [
      { id: unreadableId, status: "REJECTED" },
      { id: rejectedId, status: "REJECTED" },
    ]);
    const readStatus = deps.readStatus;
    deps.readStatus = async (input) => {
      if (input.orderId === unreadableId) throw new KountaApiError("refused", "Kounta sent an order we could not read");
      return readStatus(input);
    };

    const summary = await catchUpOrders(deps);

    expect(undone).toEqual([rejectedId]);
    expect(summary.failures).toBe(1);
    expect(await balanceOf(s)).toBe(750);
  });

  it("undoes one Kounta confirms rejected, and one it no longer has (deleted, as the webhook does)", async () => {
    const s = await seedRedemption(1500);
    trackCompany(s.company.id);
    const rejectedId = await openOrder(s.company.id, "789");
    const deletedId = await openOrder(s.company.id, "789");
    for (const id of [rejectedId, deletedId]) expect(await redeem(await redeemUrl(s, "coffee", id))).toEqual({ success: true });
    await kounta.api(s.company.id, "PUT", `orders/${rejectedId}`, { status: "REJECTED" });
    expect((await fetch(`${KOUNTA_ORIGIN}/_stand-in/orders/${s.company.id}/${deletedId}`, { method: "DELETE" })).status).toBe(200);
    const { deps, undone } = listing(s.company.id, [
      { id: rejectedId, status: "REJECTED" },
      { id: deletedId, status: "REJECTED" },
    ]);

    const summary = await catchUpOrders(deps);

    expect(undone).toEqual([rejectedId, deletedId]);
    expect(summary.notRejected).toBe(0);
    const notes = await db
      .select({ delta: pointsLedger.delta, note: pointsLedger.note })
      .from(pointsLedger)
      .where(and(eq(pointsLedger.companyId, s.company.id), eq(pointsLedger.reason, "reversal")));
    expect(notes).toEqual([
      { delta: 500, note: `Order ${rejectedId} rejected: redeemed points returned` },
      { delta: 500, note: `Order ${deletedId} deleted: redeemed points returned` },
    ]);
    expect(await balanceOf(s)).toBe(1500);
  });
});
