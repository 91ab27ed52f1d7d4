import { and, asc, eq } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { earningRules } from "../../storage/schema";

// How points are earned beyond the company's base rate (points per currency unit, minimum spend:
// the programme settings): a product or category earning a multiple, a payment method earning
// nothing. At most one rule per kind and target.

export type NewEarningRule =
  | { companyId: string; kind: "product_multiplier" | "category_multiplier"; targetId: string; multiplier: number }
  | { companyId: string; kind: "excluded_payment_method"; targetId: string };

export type EarningRule = typeof earningRules.$inferSelect;

/** The new rule, or null when the company already has a rule of that kind for that target. */
export async function createEarningRule(db: Database, input: NewEarningRule, now = Date.now()): Promise<EarningRule | null> {
  const [row] = await db
    .insert(earningRules)
    .values({
      id: newId("ern"),
      companyId: input.companyId,
      kind: input.kind,
      targetId: input.targetId,
      multiplier: input.kind === "excluded_payment_method" ? null : input.multiplier,
      active: true,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

export async function listEarningRules(db: Database, companyId: string): Promise<EarningRule[]> {
  return db.select().from(earningRules).where(eq(earningRules.companyId, companyId)).orderBy(asc(earningRules.createdAt), asc(earningRules.id));
}

/** Removes a rule (a rule has no history to keep: the ledger records what was earned). */
export async function deleteEarningRule(db: Database, input: { companyId: string; id: string }): Promise<EarningRule | null> {
  const [row] = await db
    .delete(earningRules)
    .where(and(eq(earningRules.companyId, input.companyId), eq(earningRules.id, input.id)))
    .returning();
  return row ?? null;
}
