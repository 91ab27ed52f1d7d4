import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { catchUpDeps, type CatchUpDeps } from "../../src/jobs/catch-up";
import { newId } from "../../src/lib/crypto";
import { Logger } from "../../src/lib/logger";
import { kountaConnections, members, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";
import { kounta, KOUNTA_ORIGIN, standIn } from "../kounta-harness";

// What the catch-up tests share: companies whose balances are checked after each test, sales made
// in Kounta behind the webhooks' back, and the catch-up with one of its steps recorded.

export const quiet = new Logger({ test: "catch-up" });

let companiesUsed: string[] = [];

/** Each test file calls this in its afterEach: every company a test made keeps balance = ledger sum. */
export async function expectCompaniesBalanced() {
  for (const id of companiesUsed) await expectBalanceMatchesLedger(id);
  companiesUsed = [];
}

/** Checks a company's balances after the test (a company not made by company()). */
export function trackCompany(companyId: string) {
  companiesUsed.push(companyId);
}

export async function company() {
  const c = await seedCompany();
  trackCompany(c.id);
  return c;
}

/** A sale completed in Kounta (through its API) that no webhook told us about. */
export async function completedOrder(companyId: string, customerId: number | null, amount = 9.9): Promise<string> {
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
export function withStubEarn(limits?: CatchUpDeps["limits"]) {
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
export async function earnedRow(companyId: string, memberId: string, orderId: string, points: number, key = `earn:${orderId}`) {
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
export async function openOrder(companyId: string, customerId: string | null) {
  const res = await kounta.api(companyId, "POST", "orders", { status: "SUBMITTED", customer_id: customerId, lines: [{ product_id: "2001" }] });
  return res.headers.get("location")!.replace(/\.json$/, "").split("/").pop()!;
}

/** Something done in Kounta with its clock `aheadMs` ahead of ours (a change made later). */
export async function inKountaLater<T>(aheadMs: number, act: () => Promise<T>): Promise<T> {
  const clock = standIn.state.now;
  standIn.state.now = () => Date.now() + aheadMs;
  try {
    return await act();
  } finally {
    standIn.state.now = clock;
  }
}

/** The Worker's real catch-up, recording the order ids passed to one of its steps. */
export function recording(step: "undo" | "reverseRefunds", limits: CatchUpDeps["limits"], options: { now?: number } = {}) {
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
