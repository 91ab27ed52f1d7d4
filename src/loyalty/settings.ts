import { eq } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { LoyaltyCache } from "../storage/cache";
import type { Database } from "../storage/db";
import { companies, type Company } from "../storage/schema";
import { invalidateMemberCards, refreshCatalogue } from "./programme";
import { reindexSearchTerms, restartReindexWhenCodeIsNot } from "./search-reindex";

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
  /**
   * A different code rebuilds every member's search tokens: the first 2,000 members at once, the
   * rest by the cron (src/loyalty/search-reindex.ts).
   */
  phoneCountryCode?: string | null;
  rewardProductId?: string | null;
  loyaltyPaymentMethodId?: string | null;
  pointValueCents?: number;
  pointsPerCurrencyUnit?: number;
  minimumSpendCents?: number;
}

export interface SettingsJson {
  points_label: string;
  intro_text: string | null;
  currency: string;
  expiry_months: number | null;
  auto_enrol: boolean;
  phone_country_code: string | null;
  reward_product_id: string | null;
  loyalty_payment_method_id: string | null;
  point_value_cents: number;
  points_per_currency_unit: number;
  minimum_spend_cents: number;
  updated_at: string;
}

function settingsJson(row: Company): SettingsJson {
  return {
    points_label: row.pointsLabel,
    intro_text: row.introText,
    currency: row.currency,
    expiry_months: row.expiryMonths,
    auto_enrol: row.autoEnrol,
    phone_country_code: row.phoneCountryCode,
    reward_product_id: row.rewardProductId,
    loyalty_payment_method_id: row.loyaltyPaymentMethodId,
    point_value_cents: row.pointValueCents,
    points_per_currency_unit: row.pointsPerCurrencyUnit,
    minimum_spend_cents: row.minimumSpendCents,
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

export async function getSettings(db: Database, companyId: string): Promise<SettingsJson | null> {
  const [row] = await db.select().from(companies).where(eq(companies.id, companyId));
  return row ? settingsJson(row) : null;
}

export async function updateSettings(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; patch: SettingsPatch },
  now = Date.now(),
): Promise<SettingsJson | null> {
  const { companyId, patch } = input;
  const set: SQLiteUpdateSetSource<typeof companies> = { updatedAt: now };
  if (patch.pointsLabel !== undefined) set.pointsLabel = patch.pointsLabel;
  if (patch.introText !== undefined) set.introText = patch.introText || null;
  if (patch.currency !== undefined) set.currency = patch.currency;
  if (patch.expiryMonths !== undefined) set.expiryMonths = patch.expiryMonths;
  if (patch.autoEnrol !== undefined) set.autoEnrol = patch.autoEnrol;
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
  return settingsJson(row);
}
