import { and, asc, eq, sql } from "drizzle-orm";
import { newId } from "../../lib/crypto";
import { refreshCatalogue, type LoyaltyCache } from "../cache";
import type { Database } from "../../storage/db";
import { rewards, type Reward, type RewardKind } from "../../storage/schema";
import { findTier, tierActiveSql } from "../tiers/tiers";

// Rewards as the merchant manages them. Every change is written through to the reward catalogue
// (KV and this isolate's memory) before it answers, so the next POS lookup shows it.

/** What a reward of each kind needs besides its title and points. */
export type RewardSettings =
  | { kind: "amount_off"; amountCents: number }
  | { kind: "percent_off"; percent: number }
  | { kind: "free_product"; productId: string }
  | { kind: "points_payment" };

export interface NewReward {
  companyId: string;
  title: string;
  terms?: string | null;
  pointsRequired: number;
  actionLabel?: string | null;
  /** Only members of this tier and above may redeem it (null: every member). */
  minTierId?: string | null;
  settings: RewardSettings;
}

export interface RewardPatch {
  title?: string;
  terms?: string | null;
  pointsRequired?: number;
  actionLabel?: string | null;
  minTierId?: string | null;
  active?: boolean;
  amountCents?: number;
  percent?: number;
  productId?: string;
}

export type RewardChange = { ok: true; reward: Reward } | { ok: false; error: "not_found" | "invalid"; message: string };

const NOT_FOUND = { ok: false, error: "not_found", message: "This company has no reward with that id" } as const;

export const rewardKindArticle: Record<RewardKind, string> = {
  amount_off: "an amount_off reward",
  percent_off: "a percent_off reward",
  free_product: "a free_product reward",
  points_payment: "a points_payment reward",
};

/** percent_off is stored in basis points (1000 = 10%), which the redemption applies as is. */
function settingsColumns(settings: RewardSettings) {
  switch (settings.kind) {
    case "amount_off":
      return { kind: settings.kind, value: settings.amountCents, productId: null, variableQuantity: false };
    case "percent_off":
      return { kind: settings.kind, value: Math.round(settings.percent * 100), productId: null, variableQuantity: false };
    case "free_product":
      return { kind: settings.kind, value: null, productId: settings.productId, variableQuantity: false };
    case "points_payment":
      return { kind: settings.kind, value: null, productId: null, variableQuantity: true };
  }
}

export async function listRewards(db: Database, companyId: string): Promise<Reward[]> {
  return db.select().from(rewards).where(eq(rewards.companyId, companyId)).orderBy(asc(rewards.sortOrder), asc(rewards.id));
}

export async function getReward(db: Database, companyId: string, id: string): Promise<Reward | null> {
  const [row] = await db.select().from(rewards).where(and(eq(rewards.companyId, companyId), eq(rewards.id, id)));
  return row ?? null;
}

const UNKNOWN_TIER = { ok: false, error: "invalid", message: "min_tier_id: This company has no tier with that id" } as const;

/** Whether the tier a reward is for is one of the company's active tiers (null: for everyone). */
async function tierExists(db: Database, companyId: string, tierId: string | null | undefined): Promise<boolean> {
  return !tierId || (await findTier(db, companyId, tierId)) !== null;
}

/** A new reward goes last in the display order. */
export async function createReward(db: Database, cache: LoyaltyCache, input: NewReward, now = Date.now()): Promise<RewardChange> {
  if (!(await tierExists(db, input.companyId, input.minTierId))) return UNKNOWN_TIER;
  const [row] = await db
    .insert(rewards)
    .values({
      id: newId("rwd"),
      companyId: input.companyId,
      title: input.title,
      terms: input.terms || null,
      pointsRequired: input.pointsRequired,
      actionLabel: input.actionLabel || null,
      minTierId: input.minTierId || null,
      ...settingsColumns(input.settings),
      active: true,
      sortOrder: sql`(SELECT coalesce(max(${rewards.sortOrder}) + 1, 0) FROM ${rewards} WHERE ${rewards.companyId} = ${input.companyId})`,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await refreshCatalogue(db, cache, input.companyId);
  return { ok: true, reward: row! };
}

/** The kind of a reward never changes; only the settings of its own kind may be given. */
function kindMismatch(kind: RewardKind, patch: RewardPatch): string | null {
  const owners = [
    ["amount_cents", patch.amountCents, "amount_off"],
    ["percent", patch.percent, "percent_off"],
    ["product_id", patch.productId, "free_product"],
  ] as const;
  for (const [field, value, owner] of owners) {
    if (value !== undefined && kind !== owner) return `${field}: Not a field of ${rewardKindArticle[kind]}`;
  }
  return null;
}

export async function updateReward(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; id: string; patch: RewardPatch },
  now = Date.now(),
): Promise<RewardChange> {
  const { companyId, id, patch } = input;
  const current = await getReward(db, companyId, id);
  if (!current) return NOT_FOUND;
  const mismatch = kindMismatch(current.kind, patch);
  if (mismatch) return { ok: false, error: "invalid", message: mismatch };
  if (!(await tierExists(db, companyId, patch.minTierId))) return UNKNOWN_TIER;
  // A reward kept for a tier since removed comes back only for a tier that is there (or for everyone).
  const active = patch.active ?? current.active;
  if (patch.minTierId === undefined && active && !(await tierExists(db, companyId, current.minTierId))) {
    return { ok: false, error: "invalid", message: "min_tier_id: The tier this reward was for has been removed: choose another tier, or null for every member" };
  }

  const set: Partial<typeof rewards.$inferInsert> = { updatedAt: now };
  if (patch.title !== undefined) set.title = patch.title;
  if (patch.terms !== undefined) set.terms = patch.terms || null;
  if (patch.pointsRequired !== undefined) set.pointsRequired = patch.pointsRequired;
  if (patch.actionLabel !== undefined) set.actionLabel = patch.actionLabel || null;
  if (patch.minTierId !== undefined) set.minTierId = patch.minTierId || null;
  if (patch.active !== undefined) set.active = patch.active;
  if (patch.amountCents !== undefined) set.value = patch.amountCents;
  if (patch.percent !== undefined) set.value = Math.round(patch.percent * 100);
  if (patch.productId !== undefined) set.productId = patch.productId;

  // The tier checked above must still be there when the write lands (PUT /tiers may remove it meanwhile).
  const tierId = patch.minTierId !== undefined ? patch.minTierId : current.minTierId;
  const tierStillThere = tierId && active ? tierActiveSql(companyId, tierId) : sql`1`;
  const [row] = await db
    .update(rewards)
    .set(set)
    .where(and(eq(rewards.companyId, companyId), eq(rewards.id, id), tierStillThere))
    .returning();
  if (!row) return (await getReward(db, companyId, id)) ? UNKNOWN_TIER : NOT_FOUND;
  await refreshCatalogue(db, cache, companyId);
  return { ok: true, reward: row };
}

/** Takes a reward off the POS; its history (redemptions, ledger rows) keeps pointing at it. */
export async function deactivateReward(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; id: string },
  now = Date.now(),
): Promise<RewardChange> {
  return updateReward(db, cache, { ...input, patch: { active: false } }, now);
}

/**
 * Puts the given rewards first, in the given order; the rest follow in the order they had. One D1
 * batch, so a lookup never sees half an order.
 */
export async function reorderRewards(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; ids: string[] },
  now = Date.now(),
): Promise<{ ok: true; rewards: Reward[] } | { ok: false; error: "invalid"; message: string }> {
  const { companyId, ids } = input;
  const current = await db
    .select({ id: rewards.id, sortOrder: rewards.sortOrder })
    .from(rewards)
    .where(eq(rewards.companyId, companyId))
    .orderBy(asc(rewards.sortOrder), asc(rewards.id));
  const known = new Set(current.map((r) => r.id));
  const seen = new Set<string>();
  for (const [i, id] of ids.entries()) {
    if (!known.has(id)) return { ok: false, error: "invalid", message: `ids.${i}: This company has no reward with that id` };
    if (seen.has(id)) return { ok: false, error: "invalid", message: `ids.${i}: Listed more than once` };
    seen.add(id);
  }
  const order = [...ids, ...current.map((r) => r.id).filter((id) => !seen.has(id))];
  const before = new Map(current.map((r) => [r.id, r.sortOrder]));
  const updates = order
    .map((id, sortOrder) => ({ id, sortOrder }))
    .filter(({ id, sortOrder }) => before.get(id) !== sortOrder)
    .map(({ id, sortOrder }) =>
      db
        .update(rewards)
        .set({ sortOrder, updatedAt: now })
        .where(and(eq(rewards.companyId, companyId), eq(rewards.id, id))),
    );
  const [first, ...rest] = updates;
  if (first) await db.batch([first, ...rest]);
  await refreshCatalogue(db, cache, companyId);
  return { ok: true, rewards: await listRewards(db, companyId) };
}
