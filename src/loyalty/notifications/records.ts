import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, batch, query, type Query } from "../../storage/sql";
import type { NotificationKind, NotificationStatus } from "../../storage/schema";
import { toPage, windowConditions, type ListWindow, type Page } from "../listing";
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
    SELECT ${newNotificationId}, m.company_id, m.id, ${kind}, ${occasion}, ${payload}, ${input.origin}, 'queued', 0, ${now}, ${now}
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

/** A claim: the message and what it is sent to, or why there is none. */
export type Claim =
  | { claimed: ClaimedNotification }
  /** Another consumer holds it until then (ms). */
  | { heldUntil: number }
  /** Sent, skipped or dead already, or no such message. */
  | null;

/**
 * Claims a message for sending, with what it is sent to, read in the same transaction. The claim's
 * token is the row's `attempts` after it: a consumer finishes only a claim still its own (one whose
 * lease lapsed and was taken over finishes nothing).
 */
export async function claimNotification(db: Database, id: string, now: number): Promise<Claim> {
  const [claimed, rows] = await batch(db, [
    query<{ id: string }>(sql`
      UPDATE notifications SET status = 'sending', attempts = attempts + 1, lease_until = ${now + LEASE_MS}, updated_at = ${now}
      WHERE id = ${id} AND (status IN ('queued', 'failed') OR (status = 'sending' AND lease_until < ${now}))
      RETURNING id`),
    query<ClaimedNotification & { status: string; lease_until: number | null }>(sql`
      SELECT n.id, n.company_id, n.member_id, n.kind, n.occasion, n.payload, n.origin, n.attempts, n.status, n.lease_until,
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
  const row = rows[0];
  if (!row) return null;
  if (claimed.length > 0) return { claimed: row };
  return row.status === "sending" && row.lease_until !== null ? { heldUntil: row.lease_until } : null;
}

/**
 * The outcome of a claim, written only while the claim is still this consumer's (`attempts`, its
 * token); a sent message records its rewards as told of in the same transaction.
 */
export async function finishNotification(
  db: Database,
  claim: { id: string; attempts: number },
  result: { status: Extract<NotificationStatus, "sent" | "failed" | "skipped">; outcome?: string; toldRewards?: { companyId: string; memberId: string; rewards: string[] } },
  now: number,
): Promise<void> {
  const sentAt = result.status === "sent" ? now : null;
  const statements: Query<unknown>[] = [
    query(sql`
      UPDATE notifications SET status = ${result.status}, outcome = ${result.outcome ?? null}, lease_until = NULL,
        sent_at = coalesce(${sentAt}, sent_at), updated_at = ${now}
      WHERE id = ${claim.id} AND status = 'sending' AND attempts = ${claim.attempts}`),
  ];
  const told = result.toldRewards;
  if (told && told.rewards.length > 0) {
    statements.push(query(sql`
      INSERT INTO reward_notices (company_id, member_id, reward_id, noticed_at)
      SELECT ${told.companyId}, ${told.memberId}, value, ${now} FROM json_each(${JSON.stringify(told.rewards)})
      WHERE changes() = 1
      ON CONFLICT DO NOTHING`));
  }
  await batch(db, statements);
}

/**
 * A message the dead-letter queue received: dead, unless it was sent or skipped meanwhile, or a
 * consumer is sending it right now (its lease is live: that consumer records what happened).
 */
export async function markNotificationDead(db: Database, id: string, now: number): Promise<boolean> {
  const rows = await all(
    db,
    query<{ id: string }>(sql`
      UPDATE notifications SET status = 'dead', lease_until = NULL, outcome = coalesce(outcome, 'retries_exhausted'), updated_at = ${now}
      WHERE id = ${id} AND (status IN ('queued', 'failed') OR (status = 'sending' AND lease_until < ${now}))
      RETURNING id`),
  );
  return rows.length > 0;
}

/** How long a message may wait queued (or claimed by a consumer that went away) before the cron enqueues it again. */
export const WAITING_MS = 10 * 60_000;
/**
 * How long a failed message may wait for the queue's next retry: longer than the whole backoff
 * (30 s to 8 minutes, about 16 minutes in all). Past it, the queue has lost it (a dead letter whose
 * recording failed): the cron enqueues it again, or records it dead once it was tried this often.
 */
export const FAILED_WAITING_MS = 45 * 60_000;
export const MOST_ATTEMPTS = 12;

/**
 * Messages whose enqueue was lost (queued since WAITING_MS), whose consumer went away (its lease
 * lapsed) or whose queue retries were lost (failed since FAILED_WAITING_MS), oldest first. Each is
 * marked as enqueued again now, so a run enqueues it at most once per WAITING_MS; one tried
 * MOST_ATTEMPTS times is recorded dead instead (the dashboard shows it).
 */
export async function takeWaitingNotifications(db: Database, now: number, limit: number): Promise<string[]> {
  const waiting = sql`SELECT id FROM notifications
    WHERE status IN ('queued', 'sending', 'failed') AND updated_at < ${now - WAITING_MS}
      AND (status = 'queued' OR (status = 'sending' AND lease_until < ${now}) OR (status = 'failed' AND updated_at < ${now - FAILED_WAITING_MS}))
    ORDER BY updated_at LIMIT ${limit}`;
  const [, rows] = await batch(db, [
    query(sql`
      UPDATE notifications SET status = 'dead', lease_until = NULL, outcome = coalesce(outcome, 'retries_exhausted'), updated_at = ${now}
      WHERE id IN (${waiting}) AND attempts >= ${MOST_ATTEMPTS}`),
    query<{ id: string }>(sql`UPDATE notifications SET updated_at = ${now} WHERE id IN (${waiting}) RETURNING id`),
  ]);
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
  parts.push(...windowConditions("n", window));
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
