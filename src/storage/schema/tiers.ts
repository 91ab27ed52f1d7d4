import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";
import { members } from "./members";

// Tiers (VIP levels) and what a member's level is computed from; src/loyalty/tiers/ owns the SQL.

// A company's levels, in order (position 0 first, the lowest). A tier taken out of the list is kept
// with removed_at set, so a member's history still names it; only the ones not removed count.
export const tiers = sqliteTable(
  "tiers",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    position: integer("position").notNull(),
    name: text("name").notNull(),
    // What the member's window total (points, or cents on the "spend" basis) must reach.
    threshold: integer("threshold").notNull(),
    // Applied to the points a sale earns, after the earning rules (1 = none).
    multiplier: real("multiplier").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    removedAt: integer("removed_at"),
  },
  (t) => [index("tiers_company_idx").on(t.companyId, t.position)],
);

// Per member and UTC month (year * 12 + month - 1): what counts toward the level, kept by a trigger
// on points_ledger (migrations/0017_tiers_limits.sql) in the same transaction as each ledger row.
// A refund counts in the month of the sale it takes back, so a refunded sale stops counting; points
// spent or expired never count. The level reads at most 13 rows per member (the window).
export const memberTierMonths = sqliteTable(
  "member_tier_months",
  {
    companyId: text("company_id").notNull(),
    memberId: text("member_id").notNull(),
    month: integer("month").notNull(),
    points: integer("points").notNull().default(0),
    spentCents: integer("spent_cents").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.memberId, t.month] })],
);

export const tierChangeReasons = ["earned", "reversed", "adjusted", "manual", "review"] as const;
export type TierChangeReason = (typeof tierChangeReasons)[number];

// Every change of a member's level: from, to (null: no tier), why and when, with the names as they were.
export const tierChanges = sqliteTable(
  "tier_changes",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    fromTierId: text("from_tier_id"),
    fromName: text("from_name"),
    toTierId: text("to_tier_id"),
    toName: text("to_name"),
    reason: text("reason", { enum: tierChangeReasons }).notNull(),
    // Who, for a change by hand ("api_key:<id>", "dashboard:<session>"); null otherwise.
    actor: text("actor"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("tier_changes_member_idx").on(t.companyId, t.memberId, t.createdAt),
    index("tier_changes_company_idx").on(t.companyId, t.createdAt),
  ],
);

export type Tier = typeof tiers.$inferSelect;
