import { and, eq, isNull } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import { hashPasscode, verifyPasscode } from "../lib/passcode";
import type { Database } from "../storage/db";
import { companies } from "../storage/schema";

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
  if (patch.managerCode !== undefined) set.managerCodeHash = patch.managerCode === null ? null : await hashPasscode(patch.managerCode);
  const where = options.onlyWhileNoManagerCode ? and(eq(companies.id, companyId), isNull(companies.managerCodeHash)) : eq(companies.id, companyId);
  const [row] = await db.update(companies).set(set).where(where).returning();
  return row ? limitsOf(row) : null;
}

/** Whether `code` is the company's manager code (false when none is set). */
export async function isManagerCode(db: Database, companyId: string, code: string): Promise<boolean> {
  const [row] = await db.select({ hash: companies.managerCodeHash }).from(companies).where(eq(companies.id, companyId));
  return verifyPasscode(code, row?.hash ?? null);
}
