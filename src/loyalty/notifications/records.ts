import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, batch, query, type Query } from "../../storage/sql";
import type { NotificationKind, NotificationStatus } from "../../storage/schema";
import { toPage, type ListWindow, type Page } from "../listing";
import { kindEnabledSql } from "./settings";

// One row per message (notifications). The row is the idempotency record: UNIQUE (company, member,
// kind, occasion), so whatever repeats a cause (a retried webhook, a re-run job, a second click)
// inserts nothing and enqueues nothing. The row then follows the message: queued, sending (claimed
// by one consumer for LEASE_MS), sent, failed (the queue retries it), dead (the retries ran out),
// skipped (nobody to send it to any more, or the company turned its kind off).

/** How long a consumer holds a message it claimed; one that crashed lets go after this. */
export const LEASE_MS = 2 * 60_000;

/** The kinds a member must have agreed to. A card link is only ever sent because someone asked for it. */
export const CONSENT_KINDS: ReadonlySet<NotificationKind> = new Set(["welcome", "reward_ready", "points_expiring"]);

const newNotificationId = sql`'ntf_' || lower(hex(randomblob(10)))`;

/** Who can be sent a message of this kind: an active member of the company with an email (and consent). */
export function reachableMemberSql(kind: NotificationKind, alias = "m"): SQL {
  const m = sql.raw(alias);
  const consent = CONSENT_KINDS.has(kind) ? sql` AND ${m}.email_consent = 1` : sql``;
  return sql`${m}.status = 'active' AND ${m}.email IS NOT NULL${consent} AND ${kindEnabledSql(kind, sql`${m}.company_id`)}`;
}

export interface NewNotification {
  /** The row's id when the caller needs it in the same batch (else a random one). */
  id?: string;
  companyId: string;
  memberId: string;
  kind: NotificationKind;
  occasion: string;
  payload?: unknown;
  origin: string | null;
  now: number;
  /** Only when this also holds (a condition on `m`, the member). */
  when?: SQL;
}

/**
 * Records a message unless one of its kind and occasion exists already, or the member cannot be sent
 * it; returns the new row's id (none: nothing to send).
 */
export function recordNotificationSql(input: NewNotification): Query<{ id: string }> {
  const { companyId, memberId, kind, occasion, now } = input;
  const payload = input.payload === undefined ? null : JSON.stringify(input.payload);
  return query(sql`
    INSERT INTO notifications (id, company_id, member_id, kind, occasion, payload, origin, status, attempts, created_at, updated_at)
    SELECT ${input.id ?? newNotificationId}, m.company_id, m.id, ${kind}, ${occasion}, ${payload}, ${input.origin}, 'queued', 0, ${now}, ${now}
    FROM members m
    WHERE m.company_id = ${companyId} AND m.id = ${memberId} AND ${reachableMemberSql(kind)} AND ${input.when ?? sql`1`}
    ON CONFLICT (company_id, member_id, kind, occasion) DO NOTHING
    RETURNING id`);
}

/** What the consumer needs to send a message it claimed. */
export interface ClaimedNotification {
  id: string;
  company_id: string;
  member_id: string;
  kind: NotificationKind;
  occasion: string;
  payload: string | null;
  origin: string | null;
  attempts: number;
  first_name: string;
  email: string | null;
  member_status: string;
  email_consent: number;
  points: number;
  company_name: string;
  points_label: string;
  sender_name: string | null;
  kind_enabled: number;
}

/**
 * Claims a message for sending (null: sent, skipped or dead already, or another consumer holds it),
 * with what it is sent to, read in the same transaction.
 */
export async function claimNotification(db: Database, id: string, now: number): Promise<ClaimedNotification | null> {
  const [claimed, rows] = await batch(db, [
    query<{ id: string }>(sql`
      UPDATE notifications SET status = 'sending', attempts = attempts + 1, lease_until = ${now + LEASE_MS}, updated_at = ${now}
      WHERE id = ${id} AND (status IN ('queued', 'failed') OR (status = 'sending' AND lease_until < ${now}))
      RETURNING id`),
    query<ClaimedNotification>(sql`
      SELECT n.id, n.company_id, n.member_id, n.kind, n.occasion, n.payload, n.origin, n.attempts,
        m.first_name, m.email, m.status AS member_status, m.email_consent, m.points,
        c.name AS company_name, c.points_label, s.sender_name,
        CASE n.kind WHEN 'welcome' THEN coalesce(s.welcome, 1) WHEN 'reward_ready' THEN coalesce(s.reward_ready, 1)
          WHEN 'points_expiring' THEN coalesce(s.points_expiring, 1) ELSE coalesce(s.card_link, 1) END AS kind_enabled
      FROM notifications n
      JOIN members m ON m.id = n.member_id AND m.company_id = n.company_id
      JOIN companies c ON c.id = n.company_id
      LEFT JOIN notification_settings s ON s.company_id = n.company_id
      WHERE n.id = ${id}`),
  ]);
  return claimed.length > 0 ? (rows[0] ?? null) : null;
}

/** The outcome of a claimed message; only the claim's own row state is changed (never a sent one). */
export async function finishNotification(
  db: Database,
  id: string,
  result: { status: Extract<NotificationStatus, "sent" | "failed" | "skipped">; outcome?: string },
  now: number,
): Promise<void> {
  const sentAt = result.status === "sent" ? now : null;
  await all(
    db,
    query(sql`
      UPDATE notifications SET status = ${result.status}, outcome = ${result.outcome ?? null}, lease_until = NULL,
        sent_at = coalesce(${sentAt}, sent_at), updated_at = ${now}
      WHERE id = ${id} AND status = 'sending'`),
  );
}

/** A message the dead-letter queue received: dead, unless it was sent (or skipped) in the meantime. */
export async function markNotificationDead(db: Database, id: string, now: number): Promise<boolean> {
  const rows = await all(
    db,
    query<{ id: string }>(sql`
      UPDATE notifications SET status = 'dead', lease_until = NULL, outcome = coalesce(outcome, 'retries_exhausted'), updated_at = ${now}
      WHERE id = ${id} AND status IN ('queued', 'sending', 'failed')
      RETURNING id`),
  );
  return rows.length > 0;
}

/** How long a message may wait queued (or claimed by a consumer that went away) before the cron enqueues it again. */
export const WAITING_MS = 10 * 60_000;

/**
 * Messages whose enqueue was lost (queued since WAITING_MS) or whose consumer went away (its lease
 * lapsed), oldest first; each is marked as enqueued again now, so a run enqueues it at most once per
 * WAITING_MS. A failed message is the queue's to retry, and a lost retry ends in the dead letter.
 */
export async function takeWaitingNotifications(db: Database, now: number, limit: number): Promise<string[]> {
  const rows = await all(
    db,
    query<{ id: string }>(sql`
      UPDATE notifications SET updated_at = ${now}
      WHERE id IN (SELECT id FROM notifications
        WHERE status IN ('queued', 'sending', 'failed') AND updated_at < ${now - WAITING_MS}
          AND (status = 'queued' OR (status = 'sending' AND lease_until < ${now}))
        ORDER BY updated_at LIMIT ${limit})
      RETURNING id`),
  );
  return rows.map((r) => r.id);
}

export interface NotificationRow {
  id: string;
  member_id: string;
  first_name: string;
  last_name: string | null;
  kind: NotificationKind;
  occasion: string;
  status: NotificationStatus;
  attempts: number;
  outcome: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/** A company's messages, newest first; `status`, `kind` and `memberId` narrow them. */
export async function listNotifications(
  db: Database,
  input: { companyId: string; status?: NotificationStatus; kind?: NotificationKind; memberId?: string; window: ListWindow },
): Promise<Page<NotificationRow>> {
  const { companyId, window } = input;
  const parts: SQL[] = [sql`n.company_id = ${companyId}`];
  if (input.status) parts.push(sql`n.status = ${input.status}`);
  if (input.kind) parts.push(sql`n.kind = ${input.kind}`);
  if (input.memberId) parts.push(sql`n.member_id = ${input.memberId}`);
  if (window.from !== undefined) parts.push(sql`n.created_at >= ${window.from}`);
  if (window.before !== undefined) parts.push(sql`n.created_at < ${window.before}`);
  if (window.after) {
    const { createdAt, id } = window.after;
    parts.push(sql`n.created_at <= ${createdAt} AND (n.created_at < ${createdAt} OR n.id < ${id})`);
  }
  const rows = await all(
    db,
    query<NotificationRow>(sql`
      SELECT n.id, n.member_id, m.first_name, m.last_name, n.kind, n.occasion, n.status, n.attempts, n.outcome,
        n.created_at, n.updated_at, n.sent_at
      FROM notifications n JOIN members m ON m.id = n.member_id
      WHERE ${sql.join(parts, sql` AND `)}
      ORDER BY n.created_at DESC, n.id DESC LIMIT ${window.limit + 1}`),
  );
  return toPage(rows, window.limit);
}

/** How many of the company's messages are dead (the dashboard's warning). */
export async function countDeadNotifications(db: Database, companyId: string): Promise<number> {
  const [row] = await all(db, query<{ n: number }>(sql`SELECT count(*) AS n FROM notifications WHERE company_id = ${companyId} AND status = 'dead'`));
  return row?.n ?? 0;
}

/** The origin of a company's links when neither the message nor the Worker (PUBLIC_BASE_URL) has one: the latest a request recorded. */
export async function recordedOrigin(db: Database, companyId: string): Promise<string | null> {
  const [row] = await all(
    db,
    query<{ origin: string }>(sql`SELECT origin FROM notifications WHERE company_id = ${companyId} AND origin IS NOT NULL
      ORDER BY created_at DESC LIMIT 1`),
  );
  return row?.origin ?? null;
}
