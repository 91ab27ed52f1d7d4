import { sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { batch, query } from "../../storage/sql";
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
  now?: number;
}

export type AdjustmentResult =
  | { outcome: "adjusted" | "repeated"; entry: LedgerRow; balance: number }
  | { outcome: "not_found" }
  | { outcome: "insufficient"; balance: number; needed: number }
  /** The idempotency key was already used for a different adjustment. */
  | { outcome: "key_reused" };

export async function adjustPoints(db: Database, input: PointsAdjustment): Promise<AdjustmentResult> {
  const { companyId, memberId, points, reason, actor } = input;
  const id = newId("led");
  const now = input.now ?? Date.now();
  const key = adjustKey(input.idempotencyKey ?? newId("adj"));
  const [, , entryRows, memberRows] = await batch(db, [
    query(sql`
      UPDATE members SET points = points + ${points}, updated_at = ${now}
      -- A debit may not take the balance below zero; a credit is always welcome (it may only lessen
      -- what a member owes after a reversal).
      WHERE company_id = ${companyId} AND id = ${memberId} AND status = 'active' AND (${points} > 0 OR points + ${points} >= 0)
        AND NOT EXISTS (SELECT 1 FROM points_ledger WHERE company_id = ${companyId} AND idempotency_key = ${key})`),
    // Only when the balance changed above (changes() counts the previous statement's rows).
    query(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, actor, note, idempotency_key, created_at)
      SELECT ${id}, ${companyId}, ${memberId}, ${points}, 'adjustment', ${actor}, ${reason}, ${key}, ${now}
      WHERE changes() = 1`),
    query<LedgerRow>(sql`SELECT ${ledgerColumns} FROM points_ledger l WHERE l.company_id = ${companyId} AND l.idempotency_key = ${key}`),
    query<{ points: number; status: string }>(sql`SELECT points, status FROM members WHERE company_id = ${companyId} AND id = ${memberId}`),
  ]);

  const entry = entryRows[0];
  const member = memberRows[0];
  if (!member || member.status !== "active") return { outcome: "not_found" };
  if (entry?.id === id) return { outcome: "adjusted", entry, balance: member.points };
  if (entry) {
    const same = entry.member_id === memberId && entry.delta === points && entry.note === reason;
    return same ? { outcome: "repeated", entry, balance: member.points } : { outcome: "key_reused" };
  }
  return { outcome: "insufficient", balance: member.points, needed: -points };
}
