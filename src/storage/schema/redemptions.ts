import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";
import { members } from "./members";
import { rewardKinds, rewards } from "./rewards";

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
    // The dashboard's pending redemptions of one company, the oldest first.
    index("redemptions_company_status_idx").on(t.companyId, t.status, t.createdAt),
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

export type Redemption = typeof redemptions.$inferSelect;
