import { env } from "cloudflare:workers";
import { createMessageBatch, createExecutionContext, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { expect, vi } from "vitest";
import { handleNotificationBatch } from "../src/jobs/notification-queue";
import { Logger } from "../src/lib/logger";
import { Notifier } from "../src/loyalty/notifications/notifier";
import type { EmailSender, OutgoingEmail } from "../src/notify/email";
import { readOutbox, type KeptEmail } from "../src/notify/dev-outbox";
import { db, ORIGIN, seedCompany } from "./harness";

// Messages to members in the tests: members who agreed to emails, the notifier as a request builds
// it, the local outbox (what the queue's consumer sent), the rows, and the consumer called directly
// (for retries and dead letters, with a sender that fails).

export type Company = Awaited<ReturnType<typeof seedCompany>>;

export async function consentingMember(company: Company, fields: { firstName: string; email: string; points?: number }): Promise<string> {
  const id = await company.addMember({ firstName: fields.firstName, email: fields.email });
  await db.run(sql`UPDATE members SET email_consent = 1, email_consent_at = 1, points = ${fields.points ?? 0} WHERE id = ${id}`);
  return id;
}

export function testNotifier(origin: string | null = ORIGIN, queue: Env["NOTIFY_QUEUE"] | undefined = env.NOTIFY_QUEUE): Notifier {
  return new Notifier({ db, queue, logger: new Logger({ test: true }), origin, canSend: true });
}

export interface MessageRow {
  id: string;
  member_id: string;
  kind: string;
  occasion: string;
  payload: string | null;
  status: string;
  attempts: number;
  outcome: string | null;
}

export async function messagesOf(companyId: string): Promise<MessageRow[]> {
  return db.all<MessageRow>(sql`SELECT id, member_id, kind, occasion, payload, status, attempts, outcome FROM notifications
    WHERE company_id = ${companyId} ORDER BY created_at, id`);
}

/** What the outbox holds for an address (the newest first). Addresses are unique per test: the outbox is shared. */
export function outboxTo(to: string): Promise<KeptEmail[]> {
  return readOutbox(env.CACHE, { to, limit: 100 });
}

/** Waits (the queue delivers within about a second) until the outbox holds `count` messages to the address. */
export async function waitForOutbox(to: string, count = 1): Promise<KeptEmail[]> {
  return vi.waitFor(
    async () => {
      const kept = await outboxTo(to);
      expect(kept.length).toBeGreaterThanOrEqual(count);
      return kept;
    },
    { timeout: 15_000, interval: 100 },
  );
}

/** Waits until every message of the company has left 'queued' and 'sending'. */
export async function waitForSettled(companyId: string): Promise<MessageRow[]> {
  return vi.waitFor(
    async () => {
      const rows = await messagesOf(companyId);
      expect(rows.filter((r) => r.status === "queued" || r.status === "sending")).toEqual([]);
      return rows;
    },
    { timeout: 15_000, interval: 100 },
  );
}

/** A unique address for one test. */
export const uniqueEmail = (name: string) => `${name}.${crypto.randomUUID().slice(0, 8)}@example.com`;

/** A sender that fails every send (or keeps what it is given when `fail` is false). */
export function testSender(options: { fail: boolean }): EmailSender & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    kind: "cloudflare",
    sent,
    async sendEmail(email) {
      if (options.fail) throw Object.assign(new Error(`rejected ${email.to}`), { code: "provider_unavailable" });
      sent.push(email);
    },
  };
}

/** Runs the consumer on one delivery of the given ids, as the queue would (attempts: this delivery's number). */
export async function deliver(ids: string[], options: { queue?: string; attempts?: number; sender?: EmailSender | null; now?: number } = {}) {
  const batch = createMessageBatch(options.queue ?? "loyalty-notifications-dev", ids.map((id, i) => ({ id: `q${i}-${id}`, timestamp: new Date(), attempts: options.attempts ?? 1, body: { id } })));
  // The test helpers record that a message was retried, not its delay: that is read here.
  const delays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (opts?: QueueRetryOptions) => {
      delays[message.id] = opts?.delaySeconds;
      retry(opts);
    };
  }
  const ctx = createExecutionContext();
  const now = options.now;
  await handleNotificationBatch(batch, env, { sender: options.sender, ...(now ? { now: () => now } : {}) });
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryMessages: result.retryMessages.map((r) => ({ ...r, delaySeconds: delays[r.msgId] })) };
}
