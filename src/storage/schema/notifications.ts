import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";
import { members } from "./members";

// Messages to members (src/notify/ owns the SQL; docs/notifications.md): each company's choices, one
// row per message (its idempotency key is the member, the kind and the occasion), and the rewards a
// member has already been told they can afford.

export const notificationKinds = ["welcome", "reward_ready", "points_expiring", "card_link"] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export const notificationStatuses = ["queued", "sending", "sent", "failed", "dead", "skipped"] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

export const notificationSettings = sqliteTable("notification_settings", {
  companyId: text("company_id")
    .primaryKey()
    .references(() => companies.id),
  // The name messages come from (null: the company's name).
  senderName: text("sender_name"),
  welcome: integer("welcome", { mode: "boolean" }).notNull().default(true),
  rewardReady: integer("reward_ready", { mode: "boolean" }).notNull().default(true),
  pointsExpiring: integer("points_expiring", { mode: "boolean" }).notNull().default(true),
  cardLink: integer("card_link", { mode: "boolean" }).notNull().default(true),
  // The expiry warnings job (src/notify/expiry-warnings.ts): the last UTC day (days since 1970-01-01)
  // it finished, and where it stands in the day it is working through ("<day>:<offset>:<created_at>:<ledger id>").
  expiryWarnedDay: integer("expiry_warned_day"),
  expiryWarnCursor: text("expiry_warn_cursor"),
  // When the company last changed its choices (null: never; the job's progress is not a change).
  updatedAt: integer("updated_at"),
});

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    kind: text("kind", { enum: notificationKinds }).notNull(),
    // What makes this message the one of its kind: "joined", a UTC day, "<expiry day>:<days before>"...
    occasion: text("occasion").notNull(),
    // JSON of what the message tells beyond the member's current row (reward ids, points and a day).
    // Never an email address or a name: those are read when the message is sent.
    payload: text("payload"),
    // Our public origin, for the links in the message (null: the Worker's PUBLIC_BASE_URL).
    origin: text("origin"),
    status: text("status", { enum: notificationStatuses }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    // While 'sending': until when the consumer that claimed it holds it (a crashed one's lapses).
    leaseUntil: integer("lease_until"),
    // Why it was skipped, or the last failure's short code (never the provider's whole answer).
    outcome: text("outcome"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [
    uniqueIndex("notifications_occasion_unique").on(t.companyId, t.memberId, t.kind, t.occasion),
    // The dashboard's and the admin API's list, newest first, optionally by status.
    index("notifications_company_idx").on(t.companyId, t.createdAt, t.id),
    index("notifications_company_status_idx").on(t.companyId, t.status, t.createdAt),
    // The cron's sweep of messages a lost enqueue or a crashed consumer left waiting.
    index("notifications_waiting_idx").on(t.updatedAt).where(sql`${t.status} IN ('queued', 'sending', 'failed')`),
  ],
);

export const rewardNotices = sqliteTable(
  "reward_notices",
  {
    companyId: text("company_id").notNull(),
    memberId: text("member_id").notNull(),
    rewardId: text("reward_id").notNull(),
    noticedAt: integer("noticed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.memberId, t.rewardId] })],
);

export type Notification = typeof notifications.$inferSelect;
