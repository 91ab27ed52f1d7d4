import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

// The tenant: a Kounta company with its programme settings, and its Kounta sites.

export const companies = sqliteTable("companies", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  pointsLabel: text("points_label").notNull().default("Points"),
  introText: text("intro_text"),
  currency: text("currency").notNull().default("AUD"),
  // Country calling code without "+" (e.g. "61"), so "+61 412 345 678" and "0412 345 678" find the same member.
  phoneCountryCode: text("phone_country_code"),
  // The Kounta product an amount-off reward adds as a negative-price line (set it up tax-free in Kounta).
  rewardProductId: text("reward_product_id"),
  // The Kounta payment method a points-as-payment reward pays with.
  loyaltyPaymentMethodId: text("loyalty_payment_method_id"),
  // What one point is worth when paying with points, in cents.
  pointValueCents: integer("point_value_cents").notNull().default(1),
  // Earning: points per whole currency unit actually paid, and the least spend that earns at all.
  pointsPerCurrencyUnit: real("points_per_currency_unit").notNull().default(1),
  minimumSpendCents: integer("minimum_spend_cents").notNull().default(0),
  // Expiry policy: null = points never expire; N = N months after they were earned, oldest first.
  expiryMonths: integer("expiry_months"),
  // A Kounta customer with an email or phone who is not yet a member becomes one on their first sale.
  autoEnrol: integer("auto_enrol", { mode: "boolean" }).notNull().default(false),
  // Customers may join themselves at /join/<company id> (the QR code poster at the counter).
  selfEnrol: integer("self_enrol", { mode: "boolean" }).notNull().default(true),
  // What a customer agrees to when joining there (null: a plain sentence naming the programme).
  joinTerms: text("join_terms"),
  // Tiers (src/loyalty/tiers/): what a member's level counts, "points" (points earned on sales, less
  // what refunds took back, plus adjustments marked to count) or "spend" (cents spent on sales that
  // earned), over a rolling window of tier_window_months whole UTC months before the current one
  // (plus the current month), or the calendar year ("calendar_year").
  tierBasis: text("tier_basis", { enum: ["points", "spend"] }).notNull().default("points"),
  tierWindow: text("tier_window", { enum: ["rolling", "calendar_year"] }).notNull().default("rolling"),
  tierWindowMonths: integer("tier_window_months").notNull().default(12),
  // A random token each write of the tiers leaves: a write applies only if the tiers are still those
  // it read (src/loyalty/tiers/tiers.ts), so two at once cannot mix.
  tiersVersion: text("tiers_version").notNull().default(""),
  // Limits (src/loyalty/redemption/limits.ts), each null = none: per member per UTC day, per order,
  // and points redeemed per member per UTC day. Enforced inside the reserve batch.
  maxRedemptionsPerMemberDay: integer("max_redemptions_per_member_day"),
  maxRedemptionsPerOrder: integer("max_redemptions_per_order"),
  maxPointsPerMemberDay: integer("max_points_per_member_day"),
  // A manual adjustment of more points than this (either way) needs a manager: a key marked as a
  // manager's, or a dashboard session the manager code was entered in. Null: any size, anyone.
  largeAdjustmentPoints: integer("large_adjustment_points"),
  // The manager code (PBKDF2, src/lib/passcode.ts); null: none set.
  managerCodeHash: text("manager_code_hash"),
  // Wrong manager codes tried in the company's current hour (every session together, src/loyalty/limits.ts)
  // and when that hour began: past the cap, no session may try until it ends or a new code is set.
  managerCodeFailures: integer("manager_code_failures").notNull().default(0),
  managerCodeFailuresSince: integer("manager_code_failures_since"),
  // Suspicious activity (src/loyalty/flags/): more loyalty transactions than this in a UTC day flags a member.
  flagTransactionsPerDay: integer("flag_transactions_per_day").notNull().default(5),
  // The last UTC day (days since 1970-01-01) the daily flag job has computed; null: none yet.
  flagsComputedDay: integer("flags_computed_day"),
  // Member cards cached in KV carry the generation they were read under; raising it (after a change
  // to more members than one request can refresh one by one) makes every older card a miss.
  cardsGeneration: integer("cards_generation").notNull().default(0),
  // Members' search tokens depend on phoneCountryCode: after it changes they are rebuilt in chunks,
  // in primary-key order from here (null: nothing pending). src/loyalty/search/search-reindex.ts.
  searchReindexAfterPk: integer("search_reindex_after_pk"),
  // Raised by every (re)start of the rebuild: a chunk moves the cursor only if no restart came between.
  searchReindexEpoch: integer("search_reindex_epoch").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const sites = sqliteTable(
  "sites",
  {
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    id: text("id").notNull(),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.id] })],
);

export type Company = typeof companies.$inferSelect;
