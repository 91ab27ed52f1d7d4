import { sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { batch, query, type Query } from "../../storage/sql";
import { recordFlagSql } from "../flags/flags";
import { evaluateTierStatements, memberFilter } from "../tiers/evaluate";
import { adjustKey } from "./keys";
import { ledgerColumns, type LedgerRow } from "./ledger-queries";

// A merchant's manual change of a balance: one ledger row (reason 'adjustment', the reason text as
// its note) and the balance change, in one batch. The conditions live in the UPDATE, so concurrent
// debits can never take a balance below zero, and the idempotency key (UNIQUE per company in the
// ledger) is checked in the same transaction, so a retried request changes nothing more.

export interface PointsAdjustment {
  companyId: string;
  memberId: string;
  /** Non-zero; negative takes points away. */
  points: number;
  reason: string;
  /** The caller's key; null makes the adjustment unrepeatable (a random key). */
  idempotencyKey: string | null;
  actor: string;
  /** The caller is a manager (a manager's key, a dashboard session the manager code was entered in). */
  manager?: boolean;
  /** The points count toward the member's tier (on the points basis), as a sale's would. */
  countsTowardTier?: boolean;
  now?: number;
}

export type AdjustmentResult =
  | { outcome: "adjusted" | "repeated"; entry: LedgerRow; balance: number }
  | { outcome: "not_found" }
  | { outcome: "insufficient"; balance: number; needed: number }
  /** The idempotency key was already used for a different adjustment. */
  | { outcome: "key_reused" }
  /** More points than the company lets anyone but a manager adjust. */
  | { outcome: "manager_required"; most: number };

export async function adjustPoints(db: Database, input: PointsAdjustment): Promise<AdjustmentResult> {
  const { companyId, memberId, points, reason, actor } = input;
  const id = newId("led");
  const now = input.now ?? Date.now();
  const key = adjustKey(input.idempotencyKey ?? newId("adj"));
  const manager = input.manager ? 1 : 0;
  const counts = input.countsTowardTier ? 1 : null;
  const tierSteps: Query<unknown>[] = counts ? evaluateTierStatements({
        // Only when the adjustment was written (a refused one changes no level).
        filter: sql`${memberFilter(companyId, memberId)} AND EXISTS (SELECT 1 FROM points_ledger WHERE id = ${id})`,
        now,
        reason: "adjusted",
        actor,
      }) : [];
  const results = await batch(db, [
    query(sql`
      UPDATE members SET points = points + ${points}, updated_at = ${now}
      -- A debit may not take the balance below zero; a credit is always welcome (it may only lessen
      -- what a member owes after a reversal).
      WHERE company_id = ${companyId} AND id = ${memberId} AND status = 'active' AND (${points} > 0 OR points + ${points} >= 0)
        AND NOT EXISTS (SELECT 1 FROM points_ledger WHERE company_id = ${companyId} AND idempotency_key = ${key})
        AND (${manager} = 1 OR NOT EXISTS (SELECT 1 FROM companies c WHERE c.id = ${companyId}
          AND c.large_adjustment_points IS NOT NULL AND abs(${points}) > c.large_adjustment_points))`),
    // Only when the balance changed above (changes() counts the previous statement's rows).
    query(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, actor, note, counts_toward_tier, idempotency_key, created_at)
      SELECT ${id}, ${companyId}, ${memberId}, ${points}, 'adjustment', ${actor}, ${reason}, ${counts}, ${key}, ${now}
      WHERE changes() = 1`),
    ...tierSteps,
    // A large adjustment (made by a manager) is flagged in the same transaction as its row.
    recordFlagSql({
      companyId,
      memberId,
      kind: "large_adjustment",
      detail: `${points > 0 ? "+" : ""}${points} points by ${actor}: ${reason}`,
      now,
      when: sql`EXISTS (SELECT 1 FROM points_ledger l JOIN companies c ON c.id = l.company_id
        WHERE l.id = ${id} AND c.large_adjustment_points IS NOT NULL AND abs(l.delta) > c.large_adjustment_points)`,
    }),
    query<LedgerRow>(sql`SELECT ${ledgerColumns} FROM points_ledger l WHERE l.company_id = ${companyId} AND l.idempotency_key = ${key}`),
    query<{ points: number; status: string }>(sql`SELECT points, status FROM members WHERE company_id = ${companyId} AND id = ${memberId}`),
    query<{ large: number | null }>(sql`SELECT large_adjustment_points AS large FROM companies WHERE id = ${companyId}`),
  ] as const);
  const [entryRows, memberRows, companyRows] = results.slice(-3) as [LedgerRow[], { points: number; status: string }[], { large: number | null }[]];
  const large = companyRows[0]?.large ?? null;

  const entry = entryRows[0];
  const member = memberRows[0];
  if (!member || member.status !== "active") return { outcome: "not_found" };
  if (entry?.id === id) return { outcome: "adjusted", entry, balance: member.points };
  if (entry) {
    const same = entry.member_id === memberId && entry.delta === points && entry.note === reason;
    return same ? { outcome: "repeated", entry, balance: member.points } : { outcome: "key_reused" };
  }
  if (!manager && large !== null && Math.abs(points) > large) return { outcome: "manager_required", most: large };
  return { outcome: "insufficient", balance: member.points, needed: -points };
}
