import { sql } from "drizzle-orm";
import { describeError, type Logger } from "../../lib/logger";
import type { Database } from "../../storage/db";
import { all } from "../../storage/sql";
import { DAY_MS, isoDay } from "../earning/expiry";
import { rewardsNewlyAffordableStatement } from "./reward-ready";
import { recordNotificationSql } from "./records";

// What the requests and jobs that cause a message call. Each records the message in D1 (the
// idempotency record: records.ts) and enqueues its id; it never sends, and never fails the work that
// caused it (a sale, a join): a failure is logged, and a message whose enqueue was lost is enqueued
// again by the cron (src/jobs/notification-sweep.ts).

/** The queue's body: the id of a notifications row. */
export interface NotificationMessage {
  id: string;
}

/** The producer binding (Cloudflare Queues), as far as we use it. */
export interface NotificationQueue {
  send(body: NotificationMessage): Promise<unknown>;
  sendBatch(messages: Iterable<{ body: NotificationMessage }>): Promise<unknown>;
}

export interface NotifierDeps {
  db: Database;
  queue: NotificationQueue | undefined;
  logger: Logger;
  /** Our public origin, for the links in the message (null: the Worker's PUBLIC_BASE_URL when sent). */
  origin: string | null;
  /** Whether email can be sent at all (a sender is configured): when not, nothing is recorded. */
  canSend: boolean;
}

/** Card links asked for: at most one per member per 10 minutes, and so many a day, whoever asks. */
export const CARD_LINK_EVERY_MS = 10 * 60_000;
export const CARD_LINKS_PER_DAY = 3;
/** At most this many ids per sendBatch (the Queues limit is 100). */
const SEND_BATCH = 100;

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  /** Whether anything is recorded at all (a sender is configured). */
  get canSend(): boolean {
    return this.deps.canSend;
  }

  /** A member just joined or was added (with an email and consent): welcome them, once. */
  async welcome(companyId: string, memberId: string, now = Date.now()): Promise<void> {
    await this.record({ companyId, memberId, kind: "welcome", occasion: "joined", origin: this.deps.origin, now });
  }

  /**
   * Someone asked for the member's card link: at most one email per CARD_LINK_EVERY_MS and
   * CARD_LINKS_PER_DAY a day, whoever asks (checked in the INSERT itself: D1 runs writes one at a time,
   * so two asks at once cannot both pass).
   */
  async cardLink(companyId: string, memberId: string, now = Date.now()): Promise<void> {
    const recent = (since: number) => sql`(SELECT count(*) FROM notifications x
      WHERE x.company_id = m.company_id AND x.member_id = m.id AND x.kind = 'card_link' AND x.created_at > ${since})`;
    const when = sql`${recent(now - CARD_LINK_EVERY_MS)} = 0 AND ${recent(now - DAY_MS)} < ${CARD_LINKS_PER_DAY}`;
    await this.record({ companyId, memberId, kind: "card_link", occasion: `asked:${now}`, origin: this.deps.origin, now, when });
  }

  /**
   * The member's balance rose from `before` to `after`: the rewards whose price it crossed for the
   * first time make one "reward ready" message, at most one a day.
   */
  async balanceRose(companyId: string, memberId: string, before: number, after: number, now = Date.now()): Promise<void> {
    if (!this.deps.canSend || after <= before) return;
    await this.guard({ companyId, memberId, kind: "reward_ready" }, async () => {
      const rewards = (await all(this.deps.db, rewardsNewlyAffordableStatement({ companyId, memberId, before, after, now }))).map((r) => r.id);
      if (rewards.length === 0) return;
      // Recorded as told of when the message is sent (deliver.ts), not before: a message skipped tells nothing.
      const recorded = await all(
        this.deps.db,
        recordNotificationSql({ companyId, memberId, kind: "reward_ready", occasion: isoDay(now), payload: { rewards }, origin: this.deps.origin, now }),
      );
      await this.enqueue(recorded.map((r) => r.id));
    });
  }

  /** Enqueues recorded messages by id; a failure is logged (the cron's sweep enqueues them again). */
  async enqueue(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const queue = this.deps.queue;
    if (!queue) {
      this.deps.logger.warn("messages recorded but no queue is bound: the sweep cannot send them either", { messages: ids.length });
      return;
    }
    try {
      for (let i = 0; i < ids.length; i += SEND_BATCH) {
        const chunk = ids.slice(i, i + SEND_BATCH);
        if (chunk.length === 1) await queue.send({ id: chunk[0]! });
        else await queue.sendBatch(chunk.map((id) => ({ body: { id } })));
      }
    } catch (err) {
      this.deps.logger.warn("messages not enqueued: the sweep will enqueue them", { messages: ids.length, ...describeError(err) });
    }
  }

  private async record(input: Parameters<typeof recordNotificationSql>[0]): Promise<void> {
    if (!this.deps.canSend) return;
    await this.guard(input, async () => {
      const rows = await all(this.deps.db, recordNotificationSql(input));
      await this.enqueue(rows.map((r) => r.id));
    });
  }

  private async guard(what: { companyId: string; memberId: string; kind: string }, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.deps.logger.error("message not recorded", { company_id: what.companyId, member_id: what.memberId, kind: what.kind, ...describeError(err) });
    }
  }
}
