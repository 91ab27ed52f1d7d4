import { env } from "cloudflare:test";
import { and, asc, eq, sql } from "drizzle-orm";
import { loadConfig } from "../../../src/config";
import { Logger } from "../../../src/lib/logger";
import { LoyaltyCache } from "../../../src/loyalty/cache";
import { earnForOrder, type EarnDeps, type EarnOutcome } from "../../../src/loyalty/earning/earn-order";
import { putTierProgramme, type TierBasis, type TierInput, type TierLevel, type TierWindow } from "../../../src/loyalty/tiers/tiers";
import { customerLinks, memberTierMonths, members, pointsLedger, tierChanges } from "../../../src/storage/schema";
import { afterEach } from "vitest";
import { db, expectBalanceMatchesLedger, seedCompany } from "../../harness";
import { kounta } from "../../kounta-harness";

// What the tier tests share: a company's tiers, sales made in the Kounta stand-in and earned with
// earnForOrder at a given moment, and the rows that say where a member stands (members.tier_*,
// member_tier_months, tier_changes).

export const cache = () => new LoyaltyCache(env.CACHE);

export const DAY = 86_400_000;

/** 10:00 UTC on the day (YYYY-MM-DD). */
export const at = (day: string) => Date.parse(`${day}T10:00:00Z`);

/** The month index of member_tier_months: year * 12 + month - 1 (month 1-12). */
export const month = (year: number, m: number) => year * 12 + m - 1;

export const threeTiers: TierInput[] = [
  { name: "Bronze", threshold: 0, multiplier: 1 },
  { name: "Silver", threshold: 500, multiplier: 1.5 },
  { name: "Gold", threshold: 1000, multiplier: 2 },
];

/** Puts the company's tiers (default: Bronze 0, Silver 500 x1.5, Gold 1000 x2 on points over a rolling 12 months); the tiers by name. */
export async function seedTiers(
  companyId: string,
  options: { basis?: TierBasis; window?: TierWindow; windowMonths?: number; tiers?: TierInput[] } = {},
): Promise<Record<string, TierLevel>> {
  const result = await putTierProgramme(db, cache(), {
    companyId,
    basis: options.basis ?? "points",
    window: options.window ?? "rolling",
    windowMonths: options.windowMonths ?? 12,
    tiers: options.tiers ?? threeTiers,
  });
  if (result.outcome !== "saved") throw new Error(`tiers not saved: ${JSON.stringify(result)}`);
  return Object.fromEntries(result.programme.tiers.map((t) => [t.name, t]));
}

export function earnDeps(): EarnDeps {
  return { db, cache: cache(), config: loadConfig(env), logger: new Logger({ test: "tiers" }), deadline: Date.now() + 8_000 };
}

/** Links a member to a Kounta customer, as a first sale would. */
export async function link(companyId: string, memberId: string, customerId: string) {
  await db.insert(customerLinks).values({ companyId, kountaCustomerId: customerId, memberId, linkedAt: Date.now() });
}

/** A completed sale in the stand-in for the customer: one line of `exTax` dollars plus 10% GST, paid by card. Its id. */
export async function sale(companyId: string, exTax: number, customerId = "789"): Promise<string> {
  const paid = Math.round(exTax * 110) / 100;
  const res = await kounta.api(companyId, "POST", "orders", {
    status: "COMPLETE",
    customer_id: customerId,
    lines: [{ product_id: "2001", quantity: 1, unit_price: exTax }],
    payments: [{ method_id: "2", amount: paid }],
  });
  return res.headers.get("location")!.replace(/\.json$/, "").split("/").pop()!;
}

/** A sale (see `sale`) earned at `now`: $110 paid earns 110 points at the base rate and counts 11000 cents spent. */
export async function earnSale(companyId: string, exTax: number, now: number, customerId = "789"): Promise<{ orderId: string; outcome: EarnOutcome }> {
  const orderId = await sale(companyId, exTax, customerId);
  const outcome = await earnForOrder(earnDeps(), { companyId, orderId, now });
  return { orderId, outcome };
}

/** The member's row as the tiers keep it. */
export async function tierRow(memberId: string) {
  const [row] = await db
    .select({ tierId: members.tierId, floorId: members.tierFloorId, floorUntil: members.tierFloorUntil, reviewAt: members.tierReviewAt, points: members.points })
    .from(members)
    .where(eq(members.id, memberId));
  return row!;
}

/** The member's member_tier_months rows, oldest month first. */
export async function monthsOf(companyId: string, memberId: string) {
  return db
    .select({ month: memberTierMonths.month, points: memberTierMonths.points, spent: memberTierMonths.spentCents })
    .from(memberTierMonths)
    .where(and(eq(memberTierMonths.companyId, companyId), eq(memberTierMonths.memberId, memberId)))
    .orderBy(asc(memberTierMonths.month));
}

/** The member's tier_changes, oldest first, as [from, to, reason, actor, at]. */
export async function changesOf(companyId: string, memberId: string) {
  const rows = await db
    .select({ from: tierChanges.fromName, to: tierChanges.toName, reason: tierChanges.reason, actor: tierChanges.actor, at: tierChanges.createdAt })
    .from(tierChanges)
    .where(and(eq(tierChanges.companyId, companyId), eq(tierChanges.memberId, memberId)))
    .orderBy(asc(tierChanges.createdAt), asc(sql`rowid`));
  return rows.map((r) => [r.from, r.to, r.reason, r.actor, r.at]);
}

/** The member's ledger rows, oldest first, as [reason, delta, spent_cents, note]. */
export async function ledgerRows(companyId: string, memberId: string) {
  const rows = await db
    .select({ reason: pointsLedger.reason, delta: pointsLedger.delta, spent: pointsLedger.spentCents, note: pointsLedger.note })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.memberId, memberId)))
    .orderBy(asc(pointsLedger.createdAt), asc(sql`rowid`));
  return rows.map((r) => [r.reason, r.delta, r.spent, r.note]);
}

/**
 * A company with tiers (seedTiers' options) and John Smith linked to Kounta customer 789, for one
 * test; every company made is checked after each test: each balance equals its ledger rows' sum.
 */
export function tieredMember() {
  const touched: string[] = [];
  afterEach(async () => {
    for (const id of touched.splice(0)) await expectBalanceMatchesLedger(id);
  });
  return async (options: Parameters<typeof seedTiers>[1] = {}) => {
    const company = await seedCompany();
    touched.push(company.id);
    const tiers = await seedTiers(company.id, options);
    const memberId = await company.addMember({ firstName: "John", lastName: "Smith" });
    await link(company.id, memberId, "789");
    return { company, tiers, memberId };
  };
}
