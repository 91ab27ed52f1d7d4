import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";

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
    // A manager's key may make adjustments over the company's large_adjustment_points.
    manager: integer("manager", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_company_idx").on(t.companyId, t.createdAt)],
);
