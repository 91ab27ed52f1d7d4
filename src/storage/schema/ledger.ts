import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";
import { members } from "./members";

// Points: every change of a member's balance.

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
    // The spend a row counts toward a tier on the "spend" basis, in cents: an earn row, what the sale
    // counted; a refund or undo of it, minus that (src/loyalty/tiers/). Null: none.
    spentCents: integer("spent_cents"),
    // An adjustment the merchant marked to count toward the member's tier (1); null otherwise.
    countsTowardTier: integer("counts_toward_tier"),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("points_ledger_idempotency_unique").on(t.companyId, t.idempotencyKey),
    index("points_ledger_member_idx").on(t.companyId, t.memberId, t.createdAt),
    index("points_ledger_company_created_idx").on(t.companyId, t.createdAt, t.id),
  ],
);
