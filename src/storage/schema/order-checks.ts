import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// What the catch-up (src/jobs/catch-up) remembers of the orders it read.

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
