import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Every table carries company_id (the Kounta company id, the tenant) and every query filters by it.
// Times are epoch milliseconds. Money is in minor units (cents).

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
  // Member cards cached in KV carry the generation they were read under; raising it (after a change
  // to more members than one request can refresh one by one) makes every older card a miss.
  cardsGeneration: integer("cards_generation").notNull().default(0),
  // Members' search tokens depend on phoneCountryCode: after it changes they are rebuilt in chunks,
  // in primary-key order from here (null: nothing pending). src/loyalty/search-reindex.ts.
  searchReindexAfterPk: integer("search_reindex_after_pk"),
  // Raised by every (re)start of the rebuild: a chunk moves the cursor only if no restart came between.
  searchReindexEpoch: integer("search_reindex_epoch").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const kountaConnections = sqliteTable("kounta_connections", {
  companyId: text("company_id")
    .primaryKey()
    .references(() => companies.id),
  status: text("status", { enum: ["connected", "disconnected"] }).notNull(),
  accessToken: text("access_token"),
  refreshToken: text("refresh_token"),
  accessTokenExpiresAt: integer("access_token_expires_at"),
  // A short lease so only one request refreshes a company's tokens at a time (Kounta may rotate the
  // refresh token: two racing refreshes would leave one of them holding a dead token).
  refreshLockUntil: integer("refresh_lock_until"),
  // The tokens encrypted at rest (AES-GCM, "<key id>.<iv>.<ciphertext>" in base64url); they replace
  // access_token / refresh_token, which stay empty once a company connects through OAuth.
  accessTokenCiphertext: text("access_token_ciphertext"),
  refreshTokenCiphertext: text("refresh_token_ciphertext"),
  // The orders/completed webhook registered at connection time, and the hash of its secret header.
  webhookId: text("webhook_id"),
  webhookSecretHash: text("webhook_secret_hash"),
  disconnectedAt: integer("disconnected_at"),
  connectedAt: integer("connected_at").notNull(),
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

export const members = sqliteTable(
  "members",
  {
    // Stable integer key: the full-text index (members_fts) points at it.
    pk: integer("pk").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    firstName: text("first_name").notNull(),
    lastName: text("last_name"),
    // Lower-cased on the way in.
    email: text("email"),
    // As entered, for display.
    phone: text("phone"),
    cardNumber: text("card_number"),
    // Bumped whenever the icon changes, so icon URLs can be cached forever; null = no icon.
    iconVersion: integer("icon_version"),
    // Always equals the sum of the member's points_ledger rows.
    points: integer("points").notNull().default(0),
    status: text("status", { enum: ["active", "inactive"] }).notNull().default("active"),
    // Tokens for members_fts, built by src/loyalty/search-terms.ts; empty for an inactive member.
    searchTerms: text("search_terms").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("members_company_email_unique").on(t.companyId, t.email).where(sql`${t.email} IS NOT NULL`),
    uniqueIndex("members_company_card_unique").on(t.companyId, t.cardNumber).where(sql`${t.cardNumber} IS NOT NULL`),
    index("members_company_created_idx").on(t.companyId, t.createdAt),
    // The admin list pages through a company's members in pk order.
    index("members_company_pk_idx").on(t.companyId, t.pk),
  ],
);

export const customerLinks = sqliteTable(
  "customer_links",
  {
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    kountaCustomerId: text("kounta_customer_id").notNull(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    linkedAt: integer("linked_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.kountaCustomerId] }),
    index("customer_links_member_idx").on(t.companyId, t.memberId),
  ],
);

export const rewardKinds = ["amount_off", "percent_off", "free_product", "points_payment"] as const;
export type RewardKind = (typeof rewardKinds)[number];

export const rewards = sqliteTable(
  "rewards",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    title: text("title").notNull(),
    terms: text("terms"),
    kind: text("kind", { enum: rewardKinds }).notNull(),
    // For a variable-quantity reward: the most points one redemption may spend.
    pointsRequired: integer("points_required").notNull(),
    variableQuantity: integer("variable_quantity", { mode: "boolean" }).notNull().default(false),
    actionLabel: text("action_label"),
    // amount_off: cents off; percent_off: basis points (1000 = 10%); free_product and points_payment: unused.
    value: integer("value"),
    // free_product: the Kounta product given away.
    productId: text("product_id"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("rewards_company_order_idx").on(t.companyId, t.active, t.sortOrder)],
);

export const ledgerReasons = ["earn", "redeem", "reversal", "adjustment", "expiry"] as const;
export type LedgerReason = (typeof ledgerReasons)[number];

// Append-only: a change of points is a new row, never an update.
export const pointsLedger = sqliteTable(
  "points_ledger",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    delta: integer("delta").notNull(),
    reason: text("reason", { enum: ledgerReasons }).notNull(),
    siteId: text("site_id"),
    orderId: text("order_id"),
    rewardId: text("reward_id"),
    // Who made the change when it was not a sale: "staff:<id>", "api_key:<id>", "seed".
    actor: text("actor"),
    note: text("note"),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("points_ledger_idempotency_unique").on(t.companyId, t.idempotencyKey),
    index("points_ledger_member_idx").on(t.companyId, t.memberId, t.createdAt),
    index("points_ledger_company_created_idx").on(t.companyId, t.createdAt, t.id),
  ],
);

export const redemptionStatuses = ["pending", "applied", "failed"] as const;
export type RedemptionStatus = (typeof redemptionStatuses)[number];

// One tap of Redeem on the POS. Reserved (pending) with the points debit in one batch, then applied
// to the Kounta order, then confirmed (applied) or released (failed, points credited back).
export const redemptions = sqliteTable(
  "redemptions",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    rewardId: text("reward_id")
      .notNull()
      .references(() => rewards.id),
    kind: text("kind", { enum: rewardKinds }).notNull(),
    orderId: text("order_id").notNull(),
    siteId: text("site_id"),
    kountaCustomerId: text("kounta_customer_id"),
    points: integer("points").notNull(),
    // What was applied to the order: cents off or paid, basis points off, or the product given.
    amountCents: integer("amount_cents"),
    status: text("status", { enum: redemptionStatuses }).notNull(),
    // The cashier-readable reason of a failed redemption.
    failureReason: text("failure_reason"),
    // Where it landed in Kounta: "line:<number>", "payment:<id>", "lines:<n>".
    kountaRef: text("kounta_ref"),
    // "redeem:<order>:<signature>" while pending or applied: the same redeem URL on the same order
    // can only ever be one redemption. A failed one gets a suffix, freeing the key for a retry.
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    // The settling job's tries at a pending redemption Kounta could not tell it about, and when it
    // may try next (backing off), so rows it cannot settle yet never hold up the others.
    settleAttempts: integer("settle_attempts").notNull().default(0),
    nextSettleAt: integer("next_settle_at").notNull().default(0),
  },
  (t) => [
    uniqueIndex("redemptions_idempotency_unique").on(t.companyId, t.idempotencyKey),
    index("redemptions_status_idx").on(t.status, t.createdAt),
    index("redemptions_settle_idx").on(t.status, t.nextSettleAt, t.createdAt),
    index("redemptions_member_idx").on(t.companyId, t.memberId, t.createdAt),
    index("redemptions_order_idx").on(t.companyId, t.orderId),
    index("redemptions_company_created_idx").on(t.companyId, t.createdAt, t.id),
  ],
);

// Which redemption may change a Kounta order right now: one at a time per order, so two rewards
// redeemed on one order at the same moment never read and rewrite its lines over each other (a
// percent off reads the lines, then PUTs them). Taken in the reserve batch, dropped when the
// redemption is confirmed or released; the lease outlives the answer's deadline, so a crash or an
// unanswered change holds the order a little longer rather than let another reward race it.
export const orderClaims = sqliteTable(
  "order_claims",
  {
    companyId: text("company_id").notNull(),
    orderId: text("order_id").notNull(),
    redemptionId: text("redemption_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.orderId] })],
);

// Admin API keys: random, shown once, stored only as a SHA-256 hash; scoped to one company.
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    name: text("name").notNull(),
    // The key's first characters, to recognise it in a list ("lk_3fq8a...").
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_company_idx").on(t.companyId, t.createdAt)],
);

// OAuth `state` values: single use, a few minutes. In D1 (not KV): single use needs a strong read.
export const oauthStates = sqliteTable("oauth_states", {
  state: text("state").primaryKey(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
});

export const earningRuleKinds = ["product_multiplier", "category_multiplier", "excluded_payment_method"] as const;
export type EarningRuleKind = (typeof earningRuleKinds)[number];

// How points are earned beyond the company's base rate: a product or category earning a multiple,
// or a payment method (gift card, points) earning nothing.
export const earningRules = sqliteTable(
  "earning_rules",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    kind: text("kind", { enum: earningRuleKinds }).notNull(),
    // The Kounta product, category or payment method id.
    targetId: text("target_id").notNull(),
    // For the multipliers; unused for excluded payment methods.
    multiplier: real("multiplier"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("earning_rules_target_unique").on(t.companyId, t.kind, t.targetId)],
);

// The catch-up's watermark per earned order: Kounta's updated_at it last read the order's refunds at,
// so an order is read again only when Kounta changed it since. Pruned after the catch-up window.
export const orderChecks = sqliteTable(
  "order_checks",
  {
    companyId: text("company_id").notNull(),
    orderId: text("order_id").notNull(),
    kountaUpdatedAt: integer("kounta_updated_at").notNull(),
    checkedAt: integer("checked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.orderId] }), index("order_checks_checked_idx").on(t.checkedAt)],
);

// Orders the list offered as rejected without saying so (no status), that the catch-up read and found
// standing: not read again until Kounta changes them (updated_at), or for an hour when the list gives
// no updated_at. Pruned after the catch-up window.
export const orderStatusChecks = sqliteTable(
  "order_status_checks",
  {
    companyId: text("company_id").notNull(),
    orderId: text("order_id").notNull(),
    kountaUpdatedAt: integer("kounta_updated_at"),
    checkedAt: integer("checked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.orderId] }), index("order_status_checks_checked_idx").on(t.checkedAt)],
);

export type Company = typeof companies.$inferSelect;
export type Redemption = typeof redemptions.$inferSelect;
export type Member = typeof members.$inferSelect;
export type Reward = typeof rewards.$inferSelect;
