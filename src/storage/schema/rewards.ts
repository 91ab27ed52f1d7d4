import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";

// What members can redeem.

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
    // Only members of this tier and above may redeem it (null: every member).
    minTierId: text("min_tier_id"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("rewards_company_order_idx").on(t.companyId, t.active, t.sortOrder)],
);

export type Reward = typeof rewards.$inferSelect;
