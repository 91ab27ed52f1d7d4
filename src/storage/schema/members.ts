import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";

// Members, and the Kounta customers linked to them.

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
    // Tokens for members_fts, built by src/loyalty/search/search-terms.ts; empty for an inactive member.
    searchTerms: text("search_terms").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    // The UTC day (created_at / 86_400_000) of the member's latest earn or redeem ledger row; null
    // before any. Kept by a trigger on points_ledger, for the dashboard's active members (stats.ts).
    lastActiveDay: integer("last_active_day"),
    // Tiers (src/loyalty/tiers/): the member's level (null: below every tier, or never evaluated,
    // which reads as a first tier with threshold 0), a level the merchant set by hand that acts as a
    // floor (until tier_floor_until, or for good when that is null), and when the cron should look
    // at the level again (the window moves, a floor ends; null: nothing can change it).
    tierId: text("tier_id"),
    tierFloorId: text("tier_floor_id"),
    tierFloorUntil: integer("tier_floor_until"),
    tierReviewAt: integer("tier_review_at"),
    // The member agreed to be emailed about their points and rewards (src/notify/): on the join
    // page, or the merchant says so. Cleared by the unsubscribe link; when it last changed.
    emailConsent: integer("email_consent", { mode: "boolean" }).notNull().default(false),
    emailConsentAt: integer("email_consent_at"),
  },
  (t) => [
    uniqueIndex("members_company_email_unique").on(t.companyId, t.email).where(sql`${t.email} IS NOT NULL`),
    uniqueIndex("members_company_card_unique").on(t.companyId, t.cardNumber).where(sql`${t.cardNumber} IS NOT NULL`),
    index("members_company_created_idx").on(t.companyId, t.createdAt),
    // The admin list pages through a company's members in pk order.
    index("members_company_pk_idx").on(t.companyId, t.pk),
    // The cron's tier review: members due, oldest first, across companies.
    index("members_tier_review_idx").on(t.tierReviewAt).where(sql`${t.tierReviewAt} IS NOT NULL`),
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

export type Member = typeof members.$inferSelect;
