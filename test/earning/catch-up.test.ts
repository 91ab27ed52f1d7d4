import { env } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { catchUpDeps, catchUpOrders, type CatchUpDeps } from "../../src/jobs/catch-up";
import { loadConfig } from "../../src/config";
import { newId } from "../../src/lib/crypto";
import { Logger } from "../../src/lib/logger";
import { KountaApiError } from "../../src/kounta-api/errors";
import { earnForOrder } from "../../src/loyalty/earning/earn-order";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { customerLinks, kountaConnections, members, orderChecks, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";
import { kounta, KOUNTA_ORIGIN, standIn } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, seedRedemption } from "../redeem-harness";

const quiet = new Logger({ test: "catch-up" });

let companiesUsed: string[] = [];
afterEach(async () => {
  for (const id of companiesUsed) await expectBalanceMatchesLedger(id);
  companiesUsed = [];
});

async function company() {
  const c = await seedCompany();
  companiesUsed.push(c.id);
  return c;
}

/** A sale completed in Kounta (through its API) that no webhook told us about. */
async function completedOrder(companyId: string, customerId: number | null, amount = 9.9): Promise<string> {
  const [connection] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, companyId));
  const res = await fetch(`${KOUNTA_ORIGIN}/v1/companies/${companyId}/orders.json`, {
    method: "POST",
    headers: { Authorization: `Bearer ${connection!.accessToken}`, "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({
      status: "COMPLETE",
      customer_id: customerId,
      lines: [{ product_id: 2001, quantity: 2 }],
      payments: [{ method_id: 2, amount, ref: "card" }],
    }),
  });
  expect(res.status).toBe(201);
  return res.headers.get("location")!.match(/orders\/(\d+)/)![1]!;
}

/** The Worker's real order listing, with an earning stub that counts its calls. */
function withStubEarn(limits?: CatchUpDeps["limits"]) {
  const calls: { companyId: string; orderId: string }[] = [];
  const deps: CatchUpDeps = {
    ...catchUpDeps(env, quiet),
    limits: { companies: 1000, earnCallsPerRun: 1000, ...limits },
    earn: async (input) => {
      calls.push(input);
      return { outcome: "earned" };
    },
  };
  return { deps, calls };
}

/** An earning row (or, with a key, the reversal of a refund) and its balance change. */
async function earnedRow(companyId: string, memberId: string, orderId: string, points: number, key = `earn:${orderId}`) {
  await db.batch([
    db.insert(pointsLedger).values({
      id: newId("led"),
      companyId,
      memberId,
      delta: points,
      reason: key.startsWith("earn:") ? "earn" : "reversal",
      orderId,
      idempotencyKey: key,
      createdAt: Date.now(),
    }),
    db.update(members).set({ points: sql`${members.points} + ${points}` }).where(eq(members.id, memberId)),
  ]);
}

/** An order opened in Kounta (through its API); its id. */
async function openOrder(companyId: string, customerId: string | null) {
  const res = await kounta.api(companyId, "POST", "orders", { status: "SUBMITTED", customer_id: customerId, lines: [{ product_id: "2001" }] });
  return res.headers.get("location")!.replace(/\.json$/, "").split("/").pop()!;
}

/** Something done in Kounta with its clock `aheadMs` ahead of ours (a change made later). */
async function inKountaLater<T>(aheadMs: number, act: () => Promise<T>): Promise<T> {
  const clock = standIn.state.now;
  standIn.state.now = () => Date.now() + aheadMs;
  try {
    return await act();
  } finally {
    standIn.state.now = clock;
  }
}

/** The Worker's real catch-up, recording the order ids passed to one of its steps. */
function recording(step: "undo" | "reverseRefunds", limits: CatchUpDeps["limits"], options: { now?: number } = {}) {
  const real = catchUpDeps(env, quiet, options);
  const orderIds: string[] = [];
  const inner = real[step] as (input: { companyId: string; orderId: string }) => Promise<unknown>;
  const record = (input: { companyId: string; orderId: string }) => {
    orderIds.push(input.orderId);
    return inner(input);
  };
  const deps = { ...real, limits, [step]: record } as CatchUpDeps;
  return { deps, orderIds };
}

describe("catching up on sales the webhooks missed", () => {
  it("calls the earning for a missed order with a customer, not for one already earned or without a customer", async () => {
    const c = await company();
    const memberId = await c.addMember({ firstName: "John", email: `john${c.id}@example.com` });
    const missed = await completedOrder(c.id, 789);
    const earnedByWebhook = await completedOrder(c.id, 789);
    await earnedRow(c.id, memberId, earnedByWebhook, 9);
    await completedOrder(c.id, null);

    const { deps, calls } = withStubEarn();
    const summary = await catchUpOrders(deps);

    expect(calls.filter((x) => x.companyId === c.id)).toEqual([{ companyId: c.id, orderId: missed }]);
    expect(summary.failures).toBe(0);
    // Asked Kounta for the orders completed, then those rejected, in the last 2 days.
    const list = (await kounta.calls(c.id)).filter((x) => x.method === "GET" && x.path.endsWith("/orders.json"));
    expect(list.map((x) => x.query.status)).toEqual(["COMPLETE", "REJECTED"]);
    for (const call of list) {
      const since = Date.parse(call.query.updated_gte!);
      expect(Math.abs(since - (Date.now() - 2 * 24 * 3600_000))).toBeLessThan(60_000);
    }
  });

  it("follows X-Next-Page through every page, up to the limit per company", async () => {
    const c = await company();
    const orders: string[] = [];
    for (let i = 0; i < 30; i++) orders.push(await completedOrder(c.id, 790));

    const { deps, calls } = withStubEarn({ earnCalls: 100, earnCallsPerRun: 1000 });
    await catchUpOrders(deps);
    expect(calls.filter((x) => x.companyId === c.id).map((x) => x.orderId).sort()).toEqual([...orders].sort());
    const pages = (await kounta.calls(c.id)).filter((x) => x.method === "GET" && x.path.endsWith("/orders.json"));
    // Two pages of completed orders (the next page's URL carries the status), then the rejected: one.
    expect(pages.map((p) => [p.query.status, p.query.page ?? "0"])).toEqual([
      ["COMPLETE", "0"],
      ["COMPLETE", "1"],
      ["REJECTED", "0"],
    ]);

    // At most 10 orders read: the newest 10.
    const limited = withStubEarn({ orders: 10, earnCalls: 100, earnCallsPerRun: 1000 });
    await catchUpOrders(limited.deps);
    expect(limited.calls.filter((x) => x.companyId === c.id).map((x) => x.orderId).sort()).toEqual(orders.slice(-10).sort());

    // At most 3 earning calls per company per run.
    const few = withStubEarn({ earnCalls: 3 });
    await catchUpOrders(few.deps);
    expect(few.calls.filter((x) => x.companyId === c.id)).toHaveLength(3);

    // And at most 2 in all.
    const run = withStubEarn({ earnCalls: 100, earnCallsPerRun: 2 });
    await catchUpOrders(run.deps);
    expect(run.calls).toHaveLength(2);
  });

  it("goes on with the other companies when Kounta fails for one", async () => {
    const failing = await company();
    const ok = await company();
    await completedOrder(failing.id, 789);
    const missed = await completedOrder(ok.id, 789);
    await kounta.fault(failing.id, "server_error");

    const { deps, calls } = withStubEarn();
    const summary = await catchUpOrders(deps);
    expect(summary.failures).toBeGreaterThanOrEqual(1);
    expect(calls.filter((x) => x.companyId === failing.id)).toEqual([]);
    expect(calls.filter((x) => x.companyId === ok.id)).toEqual([{ companyId: ok.id, orderId: missed }]);
  });

  it("looks at a bounded slice of the connected companies each run, every company in turn", async () => {
    const a = await company();
    const b = await company();
    const ordersOf = new Map([
      [a.id, await completedOrder(a.id, 789)],
      [b.id, await completedOrder(b.id, 789)],
    ]);
    const seen = new Set<string>();
    // One company per run; consecutive 5-minute slots move the slice on.
    const t0 = Date.now();
    const connected = await db.select().from(kountaConnections).where(eq(kountaConnections.status, "connected"));
    for (let slot = 0; slot < connected.length; slot++) {
      const { deps, calls } = withStubEarn({ companies: 1 });
      await catchUpOrders({ ...deps, now: t0 + slot * 5 * 60_000 });
      for (const call of calls) seen.add(call.orderId);
    }
    expect(seen.has(ordersOf.get(a.id)!)).toBe(true);
    expect(seen.has(ordersOf.get(b.id)!)).toBe(true);
  });
});

describe("catching up with the real earning", () => {
  it("earns on a missed order once, and not again when the webhook's delivery comes after", async () => {
    const c = await company();
    const memberId = await c.addMember({ firstName: "John", email: `john${c.id}@example.com` });
    await db.insert(customerLinks).values({ companyId: c.id, kountaCustomerId: "789", memberId, linkedAt: Date.now() });
    const orderId = await completedOrder(c.id, 789);

    const summary = await catchUpOrders({ ...catchUpDeps(env, quiet), limits: { companies: 1000, earnCallsPerRun: 1000 } });
    expect(summary.outcomes.earned).toBeGreaterThanOrEqual(1);

    const earnRows = () =>
      db
        .select({ delta: pointsLedger.delta, key: pointsLedger.idempotencyKey })
        .from(pointsLedger)
        .where(and(eq(pointsLedger.companyId, c.id), eq(pointsLedger.reason, "earn")));
    const rows = await earnRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toBe(`earn:${orderId}`);
    expect(rows[0]!.delta).toBeGreaterThan(0);

    // The webhook's late delivery and the next catch-up run: nothing more.
    const again = await earnForOrder(
      { db, cache: new LoyaltyCache(env.CACHE), config: loadConfig(env), logger: quiet, deadline: Date.now() + 10_000 },
      { companyId: c.id, orderId },
    );
    expect(again.outcome).toBe("repeated");
    const { deps, calls } = withStubEarn();
    await catchUpOrders(deps);
    expect(calls.filter((x) => x.companyId === c.id)).toEqual([]);
    expect(await earnRows()).toEqual(rows);
    const [member] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
    expect(member!.points).toBe(rows[0]!.delta);
  });
});

describe("catching up: one order Kounta cannot answer for", () => {
  it("does not hold up the company's other missed sales", async () => {
    const c = await company();
    await c.addMember({ firstName: "John", email: `john${c.id}@example.com` });
    const older = await completedOrder(c.id, 789);
    const newer = await completedOrder(c.id, 789);
    const { deps, calls } = withStubEarn();
    deps.earn = async (input) => {
      calls.push(input);
      if (input.orderId === newer) throw new KountaApiError("refused", "Kounta sent an order we could not read");
      return { outcome: "skipped" };
    };

    const summary = await catchUpOrders(deps);

    expect(calls.filter((x) => x.companyId === c.id).map((x) => x.orderId).sort()).toEqual([older, newer].sort());
    expect(summary.failures).toBeGreaterThanOrEqual(1);
  });
});

describe("catching up on a missed sale that was refunded before the catch-up earned on it", () => {
  it("earns, then takes back the refund's share in the same run; the order is not read again", async () => {
    const c = await company();
    const memberId = await c.addMember({ firstName: "John", email: `john${c.id}@example.com` });
    await db.insert(customerLinks).values({ companyId: c.id, kountaCustomerId: "789", memberId, linkedAt: Date.now() });
    const orderId = await completedOrder(c.id, 789, 9.9);
    // The delivery was missed, and the whole sale refunded at the till before the catch-up came.
    await kounta.api(c.id, "POST", `orders/${orderId}/payments`, { method_id: "2", amount: -9.9 });
    const { deps, orderIds: reads } = recording("reverseRefunds", { companies: 1000, earnCallsPerRun: 1000 });

    await catchUpOrders(deps);
    await catchUpOrders(deps);

    expect(reads.filter((id) => id === orderId)).toEqual([orderId]);
    const rows = await db.select({ delta: pointsLedger.delta, key: pointsLedger.idempotencyKey }).from(pointsLedger).where(eq(pointsLedger.companyId, c.id));
    expect(rows.map((r) => [r.key.replace(orderId, "O").replace(/:\d+$/, ":P"), r.delta])).toEqual([
      ["earn:O", 9],
      ["refund:O:P", -9],
    ]);
    const [member] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
    expect(member!.points).toBe(0);
  });
});

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
    companiesUsed.push(s.company.id);
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
    companiesUsed.push(s.company.id);
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
    companiesUsed.push(s.company.id);
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
    companiesUsed.push(s.company.id);
    const orderId = await redeemedOn(s);
    await kounta.api(s.company.id, "PUT", `orders/${orderId}`, { status: "REJECTED" });
    const { deps, undone } = listing(s.company.id, [{ id: orderId, status: null, updatedAt: 1_000 }]);

    await catchUpOrders(deps);

    expect(undone).toEqual([orderId]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("one order Kounta cannot answer for does not hold up the company's others", async () => {
    const s = await seedRedemption(1250);
    companiesUsed.push(s.company.id);
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
    companiesUsed.push(s.company.id);
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
