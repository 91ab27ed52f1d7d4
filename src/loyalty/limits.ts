import { and, eq, isNull, sql } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import { hashPasscode, verifyPasscode } from "../lib/passcode";
import type { Database } from "../storage/db";
import { companies } from "../storage/schema";
import { batch, query } from "../storage/sql";

// A company's limits (what a redemption may not exceed: src/loyalty/redemption/limits.ts), the
// size of adjustment that needs a manager, the manager code, and the suspicious-activity setting.
// Kept on the company's row; changed only by a manager (the admin API and the dashboard check).

export interface Limits {
  maxRedemptionsPerMemberDay: number | null;
  maxRedemptionsPerOrder: number | null;
  maxPointsPerMemberDay: number | null;
  largeAdjustmentPoints: number | null;
  flagTransactionsPerDay: number;
  managerCodeSet: boolean;
  updatedAt: number;
}

export interface LimitsPatch {
  maxRedemptionsPerMemberDay?: number | null;
  maxRedemptionsPerOrder?: number | null;
  maxPointsPerMemberDay?: number | null;
  largeAdjustmentPoints?: number | null;
  flagTransactionsPerDay?: number;
  /** A new manager code (kept only as a PBKDF2 hash); null removes it. */
  managerCode?: string | null;
}

type Row = typeof companies.$inferSelect;

function limitsOf(row: Row): Limits {
  return {
    maxRedemptionsPerMemberDay: row.maxRedemptionsPerMemberDay,
    maxRedemptionsPerOrder: row.maxRedemptionsPerOrder,
    maxPointsPerMemberDay: row.maxPointsPerMemberDay,
    largeAdjustmentPoints: row.largeAdjustmentPoints,
    flagTransactionsPerDay: row.flagTransactionsPerDay,
    managerCodeSet: row.managerCodeHash !== null,
    updatedAt: row.updatedAt,
  };
}

export async function getLimits(db: Database, companyId: string): Promise<Limits | null> {
  const [row] = await db.select().from(companies).where(eq(companies.id, companyId));
  return row ? limitsOf(row) : null;
}

/**
 * Changes the limits; null when the company has none, or, with `onlyWhileNoManagerCode`, when a
 * manager code is set by now (the condition is the UPDATE's own, so of two first codes sent at once
 * only one is kept).
 */
export async function updateLimits(
  db: Database,
  companyId: string,
  patch: LimitsPatch,
  now = Date.now(),
  options: { onlyWhileNoManagerCode?: boolean } = {},
): Promise<Limits | null> {
  const set: SQLiteUpdateSetSource<typeof companies> = { updatedAt: now };
  if (patch.maxRedemptionsPerMemberDay !== undefined) set.maxRedemptionsPerMemberDay = patch.maxRedemptionsPerMemberDay;
  if (patch.maxRedemptionsPerOrder !== undefined) set.maxRedemptionsPerOrder = patch.maxRedemptionsPerOrder;
  if (patch.maxPointsPerMemberDay !== undefined) set.maxPointsPerMemberDay = patch.maxPointsPerMemberDay;
  if (patch.largeAdjustmentPoints !== undefined) set.largeAdjustmentPoints = patch.largeAdjustmentPoints;
  if (patch.flagTransactionsPerDay !== undefined) set.flagTransactionsPerDay = patch.flagTransactionsPerDay;
  if (patch.managerCode !== undefined) {
    set.managerCodeHash = patch.managerCode === null ? null : await hashPasscode(patch.managerCode);
    // A new code starts with the hour's tries whole (a manager's way out of a closed manager mode).
    set.managerCodeFailures = 0;
    set.managerCodeFailuresSince = null;
  }
  const where = options.onlyWhileNoManagerCode ? and(eq(companies.id, companyId), isNull(companies.managerCodeHash)) : eq(companies.id, companyId);
  const [row] = await db.update(companies).set(set).where(where).returning();
  return row ? limitsOf(row) : null;
}

/** Whether `code` is the company's manager code (false when none is set). */
export async function isManagerCode(db: Database, companyId: string, code: string): Promise<boolean> {
  const [row] = await db.select({ hash: companies.managerCodeHash }).from(companies).where(eq(companies.id, companyId));
  return verifyPasscode(code, row?.hash ?? null);
}

/**
 * Wrong manager codes every session of a company may try together in an hour. Each session has its
 * own few tries (src/storage/dashboard-sessions.ts), but signing in again gives a session more: this
 * cap is what keeps a code of 4 digits from being guessed by signing in over and over.
 */
export const MANAGER_CODE_TRIES_PER_HOUR = 20;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Takes one try from the company's hour before a code is checked: `until` (when a try is possible
 * again) when the hour's tries are spent, and nothing changes. The cap is the UPDATE's own condition,
 * so posts at once, from any number of sessions, cannot take more. A right code gives its try back
 * (returnManagerTry): only wrong ones count.
 */
export async function takeManagerTry(db: Database, companyId: string, now = Date.now()): Promise<{ ok: true } | { ok: false; until: number }> {
  const hourAgo = now - HOUR_MS;
  const [taken, [row]] = await batch(db, [
    query<{ id: string }>(sql`
      UPDATE companies SET
        manager_code_failures = CASE WHEN manager_code_failures_since > ${hourAgo} THEN manager_code_failures + 1 ELSE 1 END,
        manager_code_failures_since = CASE WHEN manager_code_failures_since > ${hourAgo} THEN manager_code_failures_since ELSE ${now} END
      WHERE id = ${companyId}
        AND NOT (coalesce(manager_code_failures_since, 0) > ${hourAgo} AND manager_code_failures >= ${MANAGER_CODE_TRIES_PER_HOUR})
      RETURNING id`),
    query<{ since: number | null }>(sql`SELECT manager_code_failures_since AS since FROM companies WHERE id = ${companyId}`),
  ]);
  if (taken.length > 0) return { ok: true };
  return { ok: false, until: (row?.since ?? now) + HOUR_MS };
}

/** Gives back a try taken for a code that was right (or never checked). */
export async function returnManagerTry(db: Database, companyId: string): Promise<void> {
  await db
    .update(companies)
    .set({ managerCodeFailures: sql`max(${companies.managerCodeFailures} - 1, 0)` })
    .where(eq(companies.id, companyId));
}
