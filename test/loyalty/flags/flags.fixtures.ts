import { and, asc, eq, sql } from "drizzle-orm";
import { afterEach } from "vitest";
import { newId } from "../../../src/lib/crypto";
import { earnKey, redeemKey, refundKey, returnKey } from "../../../src/loyalty/ledger/keys";
import { undoOrder } from "../../../src/loyalty/earning/undo-order";
import { activityFlags, companies, members, pointsLedger, type LedgerReason } from "../../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../../harness";
import { programme } from "../../redeem-harness";

// Ledger rows at chosen times, written as the writers write them (the row and the balance change in
// one batch), for the daily flags; and the flags a company has.

export const DAY_MS = 86_400_000;
/** A UTC day well in the past: 2026-10-15. */
export const D = Math.floor(Date.UTC(2026, 9, 15) / DAY_MS);
export const at = (day: number, hours = 12, minutes = 0) => day * DAY_MS + hours * 3_600_000 + minutes * 60_000;

/** A company of its own with the redemption programme and one member; checked against the ledger after each test. */
export function flagSeed() {
  const seeded: string[] = [];
  afterEach(async () => {
    for (const id of seeded.splice(0)) await expectBalanceMatchesLedger(id);
  });
  return async (options: { transactionsPerDay?: number } = {}) => {
    const company = await seedCompany({ rewards: programme });
    seeded.push(company.id);
    if (options.transactionsPerDay !== undefined) {
      await db.update(companies).set({ flagTransactionsPerDay: options.transactionsPerDay }).where(eq(companies.id, company.id));
    }
    const memberId = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: 10_000 });
    return { company, memberId };
  };
}

export type FlagSeeded = Awaited<ReturnType<ReturnType<typeof flagSeed>>>;

async function write(s: FlagSeeded, memberId: string, row: { reason: LedgerReason; delta: number; at: number; orderId?: string; rewardId?: string; key: string }) {
  await db.batch([
    db.insert(pointsLedger).values({
      id: newId("led"),
      companyId: s.company.id,
      memberId,
      delta: row.delta,
      reason: row.reason,
      siteId: s.company.siteId,
      orderId: row.orderId ?? null,
      rewardId: row.rewardId ?? null,
      note: `test ${row.reason}`,
      idempotencyKey: row.key,
      createdAt: row.at,
    }),
    db
      .update(members)
      .set({ points: sql`${members.points} + ${row.delta}` })
      .where(and(eq(members.companyId, s.company.id), eq(members.id, memberId))),
  ]);
}

let nextOrder = 80_000;
export const newOrder = () => String(nextOrder++);

/** An earning on a sale (key earn:<order>) at `time`. */
export async function earnAt(s: FlagSeeded, time: number, options: { memberId?: string; orderId?: string; points?: number } = {}): Promise<string> {
  const orderId = options.orderId ?? newOrder();
  await write(s, options.memberId ?? s.memberId, { reason: "earn", delta: options.points ?? 10, at: time, orderId, key: earnKey(orderId) });
  return orderId;
}

/** A redemption's debit at `time` (the ledger side of one). */
export async function redeemAt(s: FlagSeeded, time: number, options: { memberId?: string } = {}): Promise<string> {
  const redemptionId = newId("rdm");
  await write(s, options.memberId ?? s.memberId, {
    reason: "redeem",
    delta: -300,
    at: time,
    orderId: newOrder(),
    rewardId: s.company.rewardId("pct"),
    key: redeemKey(redemptionId),
  });
  return redemptionId;
}

/** An adjustment at `time`: not a loyalty transaction. */
export async function adjustAt(s: FlagSeeded, time: number): Promise<void> {
  await write(s, s.memberId, { reason: "adjustment", delta: 5, at: time, key: `adjust:${newId("t")}` });
}

/** Redeemed points given back (a reversal with the reward): not an earning reversed. */
export async function returnAt(s: FlagSeeded, time: number, redemptionId: string): Promise<void> {
  await write(s, s.memberId, { reason: "reversal", delta: 300, at: time, orderId: newOrder(), rewardId: s.company.rewardId("pct"), key: returnKey(redemptionId) });
}

/** What a rejected order does to its earning, at `time` (undoOrder, as the webhook calls it). */
export async function rejectAt(s: FlagSeeded, orderId: string, time: number): Promise<void> {
  await undoOrder(db, { companyId: s.company.id, orderId, reason: "rejected", now: time });
}

/** Part of a sale refunded, at `time`: its earning taken back in part. */
export async function refundAt(s: FlagSeeded, orderId: string, time: number, payment: string, points = -4): Promise<void> {
  await write(s, s.memberId, { reason: "reversal", delta: points, at: time, orderId, key: refundKey(orderId, payment) });
}

export async function flagsOf(companyId: string) {
  return db
    .select({ memberId: activityFlags.memberId, kind: activityFlags.kind, day: activityFlags.day, count: activityFlags.count, detail: activityFlags.detail })
    .from(activityFlags)
    .where(eq(activityFlags.companyId, companyId))
    .orderBy(asc(activityFlags.day), asc(activityFlags.kind), asc(activityFlags.memberId));
}
