import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";
import { members } from "./members";

// Suspicious activity, one row per member, kind and UTC day (src/loyalty/flags/ owns the SQL).

export const flagKinds = ["many_transactions", "limit_refused", "large_adjustment", "reversed_orders"] as const;
export type FlagKind = (typeof flagKinds)[number];

export const activityFlags = sqliteTable(
  "activity_flags",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    kind: text("kind", { enum: flagKinds }).notNull(),
    // UTC day (days since 1970-01-01) the activity happened on.
    day: integer("day").notNull(),
    // How many: transactions that day, refusals, adjustments, or orders reversed in the 30 days.
    count: integer("count").notNull(),
    // The latest detail, in plain words ("8 transactions", "Limit: 2 rewards a day").
    detail: text("detail").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("activity_flags_unique").on(t.companyId, t.kind, t.memberId, t.day),
    index("activity_flags_company_idx").on(t.companyId, t.createdAt, t.id),
  ],
);
