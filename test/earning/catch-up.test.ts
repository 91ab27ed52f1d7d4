import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { catchUpDeps, catchUpOrders } from "../../src/jobs/catch-up";
import { loadConfig } from "../../src/config";
import { KountaApiError } from "../../src/kounta-api/errors";
import { earnForOrder } from "../../src/loyalty/earning/earn-order";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { customerLinks, kountaConnections, members, pointsLedger } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { expectCompaniesBalanced, quiet, company, completedOrder, withStubEarn, earnedRow, recording } from "./catch-up-harness";

// The catch-up job (src/jobs/catch-up/): missed sales.

afterEach(expectCompaniesBalanced);

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
