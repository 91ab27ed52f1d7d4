import { and, asc, eq } from "drizzle-orm";
import { afterEach, expect } from "vitest";
import { newId } from "../../src/lib/crypto";
import { reservePoints, type Reservation } from "../../src/loyalty/redemption/redemption";
import { activityFlags, companies } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger } from "../harness";
import { seedRedemption } from "../redeem-harness";

// What the limit tests share: a company's limits set directly on its row, the flags it has, and a
// reservation at a chosen time (for UTC day boundaries), all checked against the ledger afterwards.

export type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

export interface LimitValues {
  maxRedemptionsPerMemberDay?: number | null;
  maxRedemptionsPerOrder?: number | null;
  maxPointsPerMemberDay?: number | null;
}

export async function setLimits(companyId: string, limits: LimitValues): Promise<void> {
  await db.update(companies).set(limits).where(eq(companies.id, companyId));
}

/** seedRedemption with the limits given; every company seeded has its balances checked against its ledger after each test. */
export function limitedSeed() {
  const seeded: string[] = [];
  afterEach(async () => {
    for (const id of seeded.splice(0)) await expectBalanceMatchesLedger(id);
  });
  return async (points: number, limits: LimitValues): Promise<Seeded> => {
    const s = await seedRedemption(points);
    seeded.push(s.company.id);
    await setLimits(s.company.id, limits);
    return s;
  };
}

export async function flagsOf(companyId: string) {
  return db
    .select({ memberId: activityFlags.memberId, kind: activityFlags.kind, day: activityFlags.day, count: activityFlags.count, detail: activityFlags.detail })
    .from(activityFlags)
    .where(eq(activityFlags.companyId, companyId))
    .orderBy(asc(activityFlags.day), asc(activityFlags.kind), asc(activityFlags.memberId));
}

export async function flagsOfKind(companyId: string, kind: "limit_refused" | "large_adjustment") {
  return db
    .select({ memberId: activityFlags.memberId, day: activityFlags.day, count: activityFlags.count, detail: activityFlags.detail })
    .from(activityFlags)
    .where(and(eq(activityFlags.companyId, companyId), eq(activityFlags.kind, kind)))
    .orderBy(asc(activityFlags.day));
}

export const utcDayOf = (ms: number) => Math.floor(ms / 86_400_000);

/** A reservation (the points side only) at a chosen time; `quantity` for the variable reward. */
export function reserveAt(
  s: Seeded,
  reward: string,
  orderId: string,
  now: number,
  options: { memberId?: string; quantity?: number } = {},
): Promise<Reservation> {
  return reservePoints(db, {
    companyId: s.company.id,
    memberId: options.memberId ?? s.memberId,
    rewardId: s.company.rewardId(reward),
    orderId,
    siteId: s.company.siteId,
    kountaCustomerId: "789",
    quantity: options.quantity ?? null,
    idempotencyKey: `redeem:${orderId}:${reward}:${newId("t")}`,
    now,
  });
}

export function expectReserved(r: Reservation): string {
  expect(r.outcome).toBe("reserved");
  return r.outcome === "reserved" ? r.redemption.id : "";
}

export const sentences = {
  perDay: (n: number) => `Limit reached: at most ${n} ${n === 1 ? "reward" : "rewards"} a day per member. Try again tomorrow.`,
  perOrder: (n: number) => `Limit reached: at most ${n} ${n === 1 ? "reward" : "rewards"} per order.`,
  pointsPerDay: (n: number, today: number) => `Limit reached: at most ${n} Points a day per member (${today} already redeemed today).`,
};
