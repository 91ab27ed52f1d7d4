import { newId } from "../../lib/crypto";
import { describeError, type Logger } from "../../lib/logger";
import type { Database } from "../../storage/db";
import { all, batch } from "../../storage/sql";
import { isoDay } from "../earning/expiry";
import { rewardNoticeStatement, rewardsNewlyAffordableStatement } from "./reward-ready";
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

/** Occasion of a card link asked for: one per member per 10 minutes, whoever asks. */
export const CARD_LINK_EVERY_MS = 10 * 60_000;
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

  /** Someone asked for the member's card link: at most one email per CARD_LINK_EVERY_MS. */
  async cardLink(companyId: string, memberId: string, now = Date.now()): Promise<void> {
    const occasion = `every-10-min:${Math.floor(now / CARD_LINK_EVERY_MS)}`;
    await this.record({ companyId, memberId, kind: "card_link", occasion, origin: this.deps.origin, now });
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
      const id = newId("ntf", 20);
      const [recorded] = await batch(this.deps.db, [
        recordNotificationSql({ id, companyId, memberId, kind: "reward_ready", occasion: isoDay(now), payload: { rewards }, origin: this.deps.origin, now }),
        // Told once: only with the message that tells them (none today when one was sent already).
        rewardNoticeStatement({ companyId, memberId, rewards, notificationId: id, now }),
      ]);
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
