import { env } from "cloudflare:test";
import { and, asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { loadConfig } from "../../../src/config";
import { orderSchema } from "../../../src/kounta-api/types";
import { Logger } from "../../../src/lib/logger";
import { LoyaltyCache } from "../../../src/loyalty/cache";
import { earnForOrder, type EarnDeps } from "../../../src/loyalty/earning/earn-order";
import { parseLedgerKey } from "../../../src/loyalty/ledger/keys";
import { enrolMember } from "../../../src/loyalty/members/enrol";
import { type Overview } from "../../../src/loyalty/stats/overview";
import { companies, companyTotals, customerLinks, dailyTotals, members, monthlyRewardTotals, pointsLedger, redemptions, rewards } from "../../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../../harness";

// The overview's tests: writing history at chosen times through the domain's own functions, and the
// brute-force answer (a full scan of points_ledger, members and redemptions, computed here in
// TypeScript, independently of the triggers' SQL) that the running totals must equal.

export const DAY = 86_400_000;
export const at = (iso: string) => Date.parse(iso);
export type Company = Awaited<ReturnType<typeof seedCompany>>;

export const programme = [
  { id: "coffee", title: "Free coffee", kind: "free_product" as const, productId: "2001", pointsRequired: 50 },
  { id: "five", title: "$5 off", kind: "amount_off" as const, value: 500, pointsRequired: 100 },
  { id: "cake", title: "Free cake", kind: "free_product" as const, productId: "2003", pointsRequired: 30 },
];

function earnDeps(): EarnDeps {
  return { db, cache: new LoyaltyCache(env.CACHE), config: loadConfig(env), logger: new Logger({ test: "stats" }), deadline: Date.now() + 8_000 };
}

/** A member enrolled at `now` (with an opening balance: an adjustment row), linked to Kounta customer `customerId`. */
export async function enrolAt(company: Company, now: number, fields: { firstName: string; lastName?: string; openingPoints?: number; customerId?: string }) {
  const id = await enrolMember(
    db,
    { companyId: company.id, firstName: fields.firstName, lastName: fields.lastName ?? null, openingPoints: fields.openingPoints, actor: "test" },
    { countryCode: "61", now },
  );
  if (fields.customerId) await db.insert(customerLinks).values({ companyId: company.id, kountaCustomerId: fields.customerId, memberId: id, linkedAt: now });
  return id;
}

let nextOrder = 7_000_000 + Math.floor(Math.random() * 1_000_000) * 100;

/**
 * A completed Kounta sale of `breads` banana breads ($5 each, paid in cash) for the customer (the
 * order as Kounta gives it, so no call is needed), earned at `now`: 5 points a bread. Its order id.
 */
export async function earnAt(company: Company, customerId: string, breads: number, now: number): Promise<string> {
  const orderId = String(nextOrder++);
  const order = orderSchema.parse({
    id: orderId,
    status: "COMPLETE",
    site_id: company.siteId,
    customer_id: customerId,
    lines: [{ number: 1, product: { id: "2002" }, quantity: breads, unit_price: 5, unit_tax: 0 }],
    payments: [{ id: `${orderId}1`, method: { id: "2" }, amount: 5 * breads }],
  });
  const outcome = await earnForOrder(earnDeps(), { companyId: company.id, orderId, order, now });
  expect(outcome).toMatchObject({ outcome: "earned", points: 5 * breads });
  return orderId;
}

// ---- The brute force ---------------------------------------------------------------------------

interface DayTotals {
  earned: number;
  redeemed: number;
  reversed: number;
  expired: number;
  adjusted: number;
  newMembers: number;
  lastActive: number;
}

export interface Scan {
  days: Map<number, DayTotals>;
  /** "YYYY-MM|reward id" -> redemptions and points. */
  months: Map<string, { redemptions: number; points: number }>;
  members: number;
  outstanding: number;
}

const dayOf = (ms: number) => Math.floor(ms / DAY);
const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
const emptyDay = (): DayTotals => ({ earned: 0, redeemed: 0, reversed: 0, expired: 0, adjusted: 0, newMembers: 0, lastActive: 0 });

/** The totals from every ledger and member row of the company. */
export async function scan(companyId: string): Promise<Scan> {
  const rows = await db.select().from(pointsLedger).where(eq(pointsLedger.companyId, companyId)).orderBy(asc(pointsLedger.createdAt));
  const people = await db.select().from(members).where(eq(members.companyId, companyId));
  const days = new Map<number, DayTotals>();
  const months = new Map<string, { redemptions: number; points: number }>();
  const day = (ms: number) => days.get(dayOf(ms)) ?? days.set(dayOf(ms), emptyDay()).get(dayOf(ms))!;
  const month = (ms: number, rewardId: string) => {
    const key = `${monthOf(ms)}|${rewardId}`;
    return months.get(key) ?? months.set(key, { redemptions: 0, points: 0 }).get(key)!;
  };
  // When each redemption was made and each order earned, by their keys.
  const redeemedAt = new Map<string, number>();
  const earnedAt = new Map<string, number>();
  for (const r of rows) {
    const key = parseLedgerKey(r.idempotencyKey);
    if (r.reason === "redeem" && key?.kind === "redeem") redeemedAt.set(key.redemptionId, r.createdAt);
    if (r.reason === "earn" && key?.kind === "earn") earnedAt.set(key.orderId, r.createdAt);
  }
  const latest = new Map<string, number>();
  for (const r of rows) {
    if (r.reason === "earn" || r.reason === "redeem") latest.set(r.memberId, Math.max(latest.get(r.memberId) ?? 0, dayOf(r.createdAt)));
    if (r.reason === "reversal" && r.rewardId) {
      // Points given back for a redemption: it no longer counts, on the redemption's own day.
      const key = parseLedgerKey(r.idempotencyKey);
      const undone = key && (key.kind === "release" || key.kind === "return") ? redeemedAt.get(key.redemptionId) : undefined;
      const when = undone ?? r.createdAt;
      day(when).redeemed -= r.delta;
      month(when, r.rewardId).redemptions -= 1;
      month(when, r.rewardId).points -= r.delta;
      continue;
    }
    if (r.reason === "reversal") {
      // Earning taken back: on the day of the sale that earned it.
      const key = parseLedgerKey(r.idempotencyKey);
      const sale = key && (key.kind === "unearn" || key.kind === "refund") ? earnedAt.get(key.orderId) : undefined;
      day(sale ?? r.createdAt).reversed -= r.delta;
      continue;
    }
    const d = day(r.createdAt);
    if (r.reason === "earn") d.earned += r.delta;
    if (r.reason === "redeem") d.redeemed -= r.delta;
    if (r.reason === "expiry") d.expired -= r.delta;
    if (r.reason === "adjustment") d.adjusted += r.delta;
    if (r.reason === "redeem" && r.rewardId) {
      month(r.createdAt, r.rewardId).redemptions += 1;
      month(r.createdAt, r.rewardId).points -= r.delta;
    }
  }
  for (const m of people) {
    day(m.createdAt).newMembers += 1;
    const last = latest.get(m.id);
    if (last !== undefined) day(last * DAY).lastActive += 1;
  }
  return {
    days,
    months,
    members: people.length,
    outstanding: people.reduce((sum, m) => sum + Math.max(m.points, 0), 0),
  };
}

const nonZero = (o: Record<string, number>) => Object.values(o).some((v) => v !== 0);

/** The running totals equal the brute force, row for row (rows that count nothing left out), and members.last_active_day the latest activity. */
export async function expectTotalsMatchScan(companyId: string): Promise<Scan> {
  await expectBalanceMatchesLedger(companyId);
  const expected = await scan(companyId);
  const dayRows = await db.select().from(dailyTotals).where(eq(dailyTotals.companyId, companyId)).orderBy(asc(dailyTotals.day));
  const actualDays = Object.fromEntries(
    dayRows.map(({ companyId: _, day, ...rest }) => [day, rest] as const).filter(([, rest]) => nonZero(rest)),
  );
  const expectedDays = Object.fromEntries(
    [...expected.days.entries()].sort((a, b) => a[0] - b[0]).filter(([, totals]) => nonZero({ ...totals })),
  );
  expect(actualDays).toEqual(expectedDays);

  const monthRows = await db.select().from(monthlyRewardTotals).where(eq(monthlyRewardTotals.companyId, companyId));
  const actualMonths = Object.fromEntries(
    monthRows.filter((r) => r.redemptions !== 0 || r.points !== 0).map((r) => [`${r.month}|${r.rewardId}`, { redemptions: r.redemptions, points: r.points }]),
  );
  expect(actualMonths).toEqual(Object.fromEntries([...expected.months.entries()].filter(([, v]) => nonZero(v))));

  const [company] = await db.select().from(companyTotals).where(eq(companyTotals.companyId, companyId));
  expect({ members: company?.members ?? 0, outstanding: company?.pointsOutstanding ?? 0 }).toEqual({
    members: expected.members,
    outstanding: expected.outstanding,
  });
  return expected;
}

/** The overview as a full scan gives it (weeks and months found with Date's own UTC calendar). */
export async function scannedOverview(companyId: string, now: number): Promise<Overview> {
  const s = await scan(companyId);
  const today = new Date(now);
  const todayStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const thisMonday = todayStart - ((today.getUTCDay() + 6) % 7) * DAY;
  const mondays = Array.from({ length: 12 }, (_, i) => thisMonday - (11 - i) * DAY * 7);
  const inDays = (from: number, to: number, value: (d: DayTotals) => number) =>
    [...s.days.entries()].filter(([d]) => d * DAY >= from && d * DAY <= to).reduce((sum, [, d]) => sum + value(d), 0);
  const monthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1);
  const month = monthOf(now);
  const rewardRows = await db.select().from(rewards).where(eq(rewards.companyId, companyId));
  const title = (id: string) => rewardRows.find((r) => r.id === id)?.title ?? id;
  const thisMonth = [...s.months.entries()]
    .filter(([key]) => key.startsWith(`${month}|`))
    .map(([key, v]) => ({ rewardId: key.slice(8), title: title(key.slice(8)), ...v }));
  const pending = await db
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.companyId, companyId), eq(redemptions.status, "pending")))
    .orderBy(asc(redemptions.createdAt));
  const people = await db.select().from(members).where(eq(members.companyId, companyId));
  const [company] = await db.select({ pointValue: companies.pointValueCents }).from(companies).where(eq(companies.id, companyId));
  const pointValue = company!.pointValue;
  return {
    members: {
      total: s.members,
      active30d: inDays(todayStart - 29 * DAY, todayStart, (d) => d.lastActive),
      newThisMonth: people.filter((m) => m.createdAt >= monthStart && m.createdAt < todayStart + DAY).length,
    },
    points: { outstanding: s.outstanding, pointValueCents: pointValue, liabilityCents: s.outstanding * pointValue },
    weeks: mondays.map((monday) => ({
      start: new Date(monday).toISOString().slice(0, 10),
      earned: inDays(monday, Math.min(monday + 6 * DAY, todayStart), (d) => d.earned - d.reversed),
      redeemed: inDays(monday, Math.min(monday + 6 * DAY, todayStart), (d) => d.redeemed),
    })),
    redemptionsThisMonth: thisMonth.reduce((sum, r) => sum + r.redemptions, 0),
    topRewards: thisMonth
      .filter((r) => r.redemptions > 0)
      .sort((a, b) => b.redemptions - a.redemptions || b.points - a.points || (a.rewardId < b.rewardId ? -1 : 1))
      .slice(0, 5),
    pending: {
      count: pending.length,
      oldest: pending.slice(0, 10).map((d) => {
        const m = people.find((p) => p.id === d.memberId);
        return {
          id: d.id,
          memberId: d.memberId,
          memberName: [m?.firstName, m?.lastName].filter(Boolean).join(" "),
          rewardTitle: title(d.rewardId),
          orderId: d.orderId,
          points: d.points,
          createdAt: d.createdAt,
        };
      }),
    },
  };
}
