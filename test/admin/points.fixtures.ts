import { env } from "cloudflare:test";
import { afterEach } from "vitest";
import { and, eq } from "drizzle-orm";
import { createApiKey } from "../../src/storage/api-keys";
import { adjustPoints } from "../../src/loyalty/ledger/adjust-points";
import { confirmRedemption, releaseRedemption, reservePoints } from "../../src/loyalty/redemption/redemption";
import { cacheKeys } from "../../src/loyalty/cache-keys";
import { members, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, seedCompany } from "../harness";
import { programme } from "../redeem-harness";

/** A company with the redemption programme, one member with `points`, and an admin key. */
export async function seedPoints(points = 1000) {
  const company = await seedCompany({ rewards: programme });
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: points });
  const { key, id: keyId } = await createApiKey(db, { companyId: company.id, name: "Test key" });
  return { company, memberId, key, keyId };
}

/**
 * seedPoints for one test file, with `defaultPoints` when none are given: after each test, every
 * company it seeded has its balances checked against its ledger.
 */
export function checkedSeed(defaultPoints: number) {
  const companies: string[] = [];
  afterEach(async () => {
    for (const id of companies.splice(0)) await expectBalanceMatchesLedger(id);
  });
  return async (points = defaultPoints) => {
    const seeded = await seedPoints(points);
    companies.push(seeded.company.id);
    return seeded;
  };
}

/** The ids of a listing page, in order. */
export const ids = (body: { data: { id: string }[] }) => body.data.map((row) => row.id);

export async function balance(memberId: string): Promise<number> {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

export async function adjustmentRows(companyId: string, memberId: string) {
  return db
    .select()
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.memberId, memberId), eq(pointsLedger.reason, "adjustment")));
}

export async function cachedCardPoints(companyId: string, memberId: string): Promise<number | null> {
  const card = await env.CACHE.get<{ points: number }>(cacheKeys.memberCard(companyId, memberId), "json");
  return card?.points ?? null;
}

/** A ledger row at a chosen time, written the way the API writes it (balance and ledger together). */
export async function adjustAt(companyId: string, memberId: string, at: string | number, points = 10): Promise<string> {
  const now = typeof at === "number" ? at : Date.parse(at);
  const result = await adjustPoints(db, { companyId, memberId, points, reason: "Test", idempotencyKey: null, actor: "test", now });
  if (result.outcome !== "adjusted") throw new Error(`adjustment ${result.outcome}`);
  return result.entry.id;
}

let nextOrder = 7000;

/** A redemption at a chosen time, left pending, applied or failed. */
export async function redemptionAt(
  company: Awaited<ReturnType<typeof seedCompany>>,
  memberId: string,
  at: string | number,
  status: "pending" | "applied" | "failed" = "applied",
  reward = "pct",
): Promise<string> {
  const now = typeof at === "number" ? at : Date.parse(at);
  const orderId = String(nextOrder++);
  const reserved = await reservePoints(db, {
    companyId: company.id,
    memberId,
    rewardId: company.rewardId(reward),
    orderId,
    siteId: company.siteId,
    kountaCustomerId: null,
    quantity: null,
    idempotencyKey: `redeem:${orderId}:test`,
    now,
  });
  if (reserved.outcome !== "reserved") throw new Error(`reservation ${reserved.outcome}`);
  const redemptionId = reserved.redemption.id;
  if (status === "applied") await confirmRedemption(db, { companyId: company.id, redemptionId, kountaRef: "line:2", now: now + 1 });
  if (status === "failed") await releaseRedemption(db, { companyId: company.id, redemptionId, reason: "Order closed", now: now + 1 });
  return redemptionId;
}

/** Follows next_cursor to the end, running `between` after each page; the rows seen, in order. */
export async function walk(
  fetchPage: (cursor: string | null) => Promise<{ status: number; body: any }>,
  between: (page: number) => Promise<void> = async () => {},
): Promise<{ id: string; created_at: string }[]> {
  const rows: { id: string; created_at: string }[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await fetchPage(cursor);
    if (res.status !== 200) throw new Error(`page answered ${res.status}: ${JSON.stringify(res.body)}`);
    rows.push(...res.body.data);
    cursor = res.body.next_cursor;
    if (cursor === null) return rows;
    await between(page);
  }
  throw new Error("the walk never ended");
}

/** Newest first and never twice: each row strictly after the one before in (created_at, id) descending. */
export function expectStrictlyNewestFirst(rows: { id: string; created_at: string }[]): void {
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    const ordered = a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);
    if (!ordered) throw new Error(`rows ${i - 1} and ${i} out of order: ${JSON.stringify([a, b])}`);
  }
}
