import { integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";

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
