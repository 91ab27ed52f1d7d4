import { and, asc, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { orderSchema } from "../../src/kounta-api/types";
import { newId } from "../../src/lib/crypto";
import { confirmRedemption, releaseRedemption } from "../../src/loyalty/redemption/redemption";
import { members, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger } from "../harness";
import { reserveOnly, seedRedemption } from "../redeem-harness";

// What the tests of undoing share (src/loyalty/earning/undo-order.ts): seeded companies whose
// balances are checked after each test, earnings and redemptions written as the Worker writes them.

export type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

// Every company a test touched: the invariant is checked for each after the test.
let touched: string[] = [];
export async function seed(points = 1250): Promise<Seeded> {
  const s = await seedRedemption(points);
  touched.push(s.company.id);
  return s;
}

/** Each test file calls this in its afterEach. */
export async function expectTouchedBalanced() {
  for (const companyId of touched) await expectBalanceMatchesLedger(companyId);
  touched = [];
}

/** What earning writes: one 'earn' row keyed `earn:<order>` and the balance change, in one batch. */
export async function earn(s: Seeded, orderId: string, points: number, memberId = s.memberId) {
  const now = Date.now();
  await db.batch([
    db.insert(pointsLedger).values({
      id: newId("led"),
      companyId: s.company.id,
      memberId,
      delta: points,
      reason: "earn",
      siteId: s.company.siteId,
      orderId,
      note: `${points} points on a test sale`,
      idempotencyKey: `earn:${orderId}`,
      createdAt: now,
    }),
    db
      .update(members)
      .set({ points: sql`${members.points} + ${points}`, updatedAt: now })
      .where(and(eq(members.companyId, s.company.id), eq(members.id, memberId))),
  ]);
}

/** Reserves a reward on an order; confirmed (applied), released (failed) or left pending. */
export async function redemption(s: Seeded, reward: string, orderId: string, outcome: "applied" | "failed" | "pending" = "applied") {
  const now = Date.now();
  const id = await reserveOnly(s, reward, orderId, { now });
  if (outcome === "applied") expect(await confirmRedemption(db, { companyId: s.company.id, redemptionId: id, kountaRef: "lines:1", now })).toBe(true);
  if (outcome === "failed") expect(await releaseRedemption(db, { companyId: s.company.id, redemptionId: id, reason: "test", now })).toBe(true);
  return id;
}

export async function balance(s: Seeded, memberId = s.memberId): Promise<number> {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

/** The reversal rows of a company, in key order. */
export async function reversals(s: Seeded) {
  const rows = await db
    .select({ key: pointsLedger.idempotencyKey, delta: pointsLedger.delta, note: pointsLedger.note, orderId: pointsLedger.orderId, memberId: pointsLedger.memberId })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, s.company.id), eq(pointsLedger.reason, "reversal")))
    .orderBy(asc(pointsLedger.idempotencyKey));
  return rows;
}

export type Payment = { id: number | string; amount: number; ref?: string; method?: { id: number } };
export const order = (id: string, payments: Payment[]) =>
  orderSchema.parse({ id, status: "COMPLETE", payments: payments.map((p) => ({ method: { id: 1 }, ...p })) });
