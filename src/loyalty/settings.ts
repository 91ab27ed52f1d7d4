import { eq } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Database } from "../storage/db";
import { companies, type Company } from "../storage/schema";
import { invalidateMemberCards, refreshCatalogue, type LoyaltyCache } from "./cache";
import { reindexSearchTerms, restartReindexWhenCodeIsNot } from "./search/search-reindex";

/** Chunks of members re-indexed by the settings change itself (the cron does the rest). */
const REINDEX_CHUNKS_INLINE = 4;

// A company's programme settings, kept on its row. The POS shows the points label and intro text
// (written through to the catalogue); the rest is read by redemption, earning and search.

export interface SettingsPatch {
  pointsLabel?: string;
  introText?: string | null;
  currency?: string;
  expiryMonths?: number | null;
  autoEnrol?: boolean;
  /** Customers may join themselves at /join/<company id> (the poster's QR code). */
  selfEnrol?: boolean;
  /** What they agree to when joining there; empty or null: a plain sentence naming the programme. */
  joinTerms?: string | null;
  /**
   * A different code rebuilds every member's search tokens: the first 2,000 members at once, the
   * rest by the cron (src/loyalty/search/search-reindex.ts).
   */
  phoneCountryCode?: string | null;
  rewardProductId?: string | null;
  loyaltyPaymentMethodId?: string | null;
  pointValueCents?: number;
  pointsPerCurrencyUnit?: number;
  minimumSpendCents?: number;
}

/** The company's row: its settings are columns of it. */
export async function getSettings(db: Database, companyId: string): Promise<Company | null> {
  const [row] = await db.select().from(companies).where(eq(companies.id, companyId));
  return row ?? null;
}

export async function updateSettings(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; patch: SettingsPatch },
  now = Date.now(),
): Promise<Company | null> {
  const { companyId, patch } = input;
  const set: SQLiteUpdateSetSource<typeof companies> = { updatedAt: now };
  if (patch.pointsLabel !== undefined) set.pointsLabel = patch.pointsLabel;
  if (patch.introText !== undefined) set.introText = patch.introText || null;
  if (patch.currency !== undefined) set.currency = patch.currency;
  if (patch.expiryMonths !== undefined) set.expiryMonths = patch.expiryMonths;
  if (patch.autoEnrol !== undefined) set.autoEnrol = patch.autoEnrol;
  if (patch.selfEnrol !== undefined) set.selfEnrol = patch.selfEnrol;
  if (patch.joinTerms !== undefined) set.joinTerms = patch.joinTerms || null;
  if (patch.phoneCountryCode !== undefined) {
    // A different code: every member's phone tokens are rebuilt (the first chunks below, the cron the rest).
    Object.assign(set, { phoneCountryCode: patch.phoneCountryCode, ...restartReindexWhenCodeIsNot(patch.phoneCountryCode) });
  }
  if (patch.rewardProductId !== undefined) set.rewardProductId = patch.rewardProductId;
  if (patch.loyaltyPaymentMethodId !== undefined) set.loyaltyPaymentMethodId = patch.loyaltyPaymentMethodId;
  if (patch.pointValueCents !== undefined) set.pointValueCents = patch.pointValueCents;
  if (patch.pointsPerCurrencyUnit !== undefined) set.pointsPerCurrencyUnit = patch.pointsPerCurrencyUnit;
  if (patch.minimumSpendCents !== undefined) set.minimumSpendCents = patch.minimumSpendCents;

  const [row] = await db.update(companies).set(set).where(eq(companies.id, companyId)).returning();
  if (!row) return null;
  // Cached cards carry what expires next, computed under the old expiry: every card goes (and the
  // catalogue with them). A label or intro only shows through the catalogue.
  if (patch.expiryMonths !== undefined) await invalidateMemberCards(db, cache, companyId);
  else if (patch.pointsLabel !== undefined || patch.introText !== undefined) await refreshCatalogue(db, cache, companyId);
  if (row.searchReindexAfterPk !== null) await reindexSearchTerms(db, companyId, { chunks: REINDEX_CHUNKS_INLINE });
  return row;
}
