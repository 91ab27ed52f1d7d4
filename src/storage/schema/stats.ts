import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Running totals for the merchant dashboard's overview (src/loyalty/stats/ owns the reads), so the
// overview reads a bounded number of rows whatever the company's size. They are written by SQLite
// triggers only (migrations/0015_overview_totals.sql), in the same transaction as the ledger or
// member row they count: no code path can forget them. Derived data: no foreign keys (a check on
// every trigger write would cost a read), and the tables are WITHOUT ROWID (one b-tree per table).
// Days are UTC: `day` = floor(created_at / 86_400_000), days since 1970-01-01; months "YYYY-MM" UTC.

/** Per company and UTC day. Points are positive numbers of points, except `adjusted` (signed). */
export const dailyTotals = sqliteTable(
  "daily_totals",
  {
    companyId: text("company_id").notNull(),
    day: integer("day").notNull(),
    // 'earn' rows: points earned on sales.
    earned: integer("earned").notNull().default(0),
    // 'redeem' rows, less the points given back for them ('reversal' rows with a reward: a released
    // redemption, or an applied one returned when its order was undone), the give-back counted on
    // the day of the redemption it undoes: the points redemptions made that day still cost.
    redeemed: integer("redeemed").notNull().default(0),
    // 'reversal' rows without a reward: earning taken back (a refund, a rejected or deleted order),
    // counted on the day of the sale that earned it: earned - reversed is what the day's sales still earn.
    reversed: integer("reversed").notNull().default(0),
    // 'expiry' rows.
    expired: integer("expired").notNull().default(0),
    // 'adjustment' rows (opening balances included), signed.
    adjusted: integer("adjusted").notNull().default(0),
    // Members created that day.
    newMembers: integer("new_members").notNull().default(0),
    // Members whose latest activity (an earn or redeem row, members.last_active_day) is that day.
    lastActive: integer("last_active").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.day] })],
);

/** Per company: its members (any status) and the points they hold (positive balances only). */
export const companyTotals = sqliteTable("company_totals", {
  companyId: text("company_id").primaryKey(),
  members: integer("members").notNull().default(0),
  pointsOutstanding: integer("points_outstanding").notNull().default(0),
});

/** Per company, UTC month and reward: the redemptions made that month still standing, and their points. */
export const monthlyRewardTotals = sqliteTable(
  "monthly_reward_totals",
  {
    companyId: text("company_id").notNull(),
    month: text("month").notNull(),
    rewardId: text("reward_id").notNull(),
    redemptions: integer("redemptions").notNull().default(0),
    points: integer("points").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.month, t.rewardId] })],
);
