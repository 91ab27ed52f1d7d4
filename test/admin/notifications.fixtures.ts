import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { createApp } from "../../src/app";
import type { NotificationKind, NotificationStatus } from "../../src/storage/schema";
import { all, query } from "../../src/storage/sql";
import { db } from "../harness";

// What the tests of messages to members share (the admin API's and the dashboard's): rows of
// notifications written directly, and a Worker that cannot send email.

export interface NotificationFixture {
  id: string;
  companyId: string;
  memberId: string;
  kind: NotificationKind;
  occasion: string;
  status: NotificationStatus;
  attempts?: number;
  outcome?: string | null;
  createdAt: number;
  updatedAt?: number;
  sentAt?: number | null;
}

export async function insertNotification(n: NotificationFixture): Promise<void> {
  await all(
    db,
    query(sql`
      INSERT INTO notifications (id, company_id, member_id, kind, occasion, status, attempts, outcome, created_at, updated_at, sent_at)
      VALUES (${n.id}, ${n.companyId}, ${n.memberId}, ${n.kind}, ${n.occasion}, ${n.status}, ${n.attempts ?? 0}, ${n.outcome ?? null},
        ${n.createdAt}, ${n.updatedAt ?? n.createdAt}, ${n.sentAt ?? null})`),
  );
}

/** The company's notifications rows as stored, oldest first. */
export function notificationRows(companyId: string) {
  return all(
    db,
    query<{ member_id: string; kind: string; occasion: string; status: string }>(
      sql`SELECT member_id, kind, occasion, status FROM notifications WHERE company_id = ${companyId} ORDER BY created_at, id`,
    ),
  );
}

/**
 * A deployed Worker (staging, with secrets of its own) without SEND_EMAIL and EMAIL_FROM: nobody
 * can send email (Services.emailSender is null).
 */
export const WITHOUT_EMAIL: Record<string, unknown> = {
  ENVIRONMENT: "staging",
  KOUNTA_API_BASE_URL: "https://api.kounta.com/v1",
  KOUNTA_AUTHORIZE_URL: "https://my.kounta.com/authorize",
  KOUNTA_ADDON_KEY: "messages-test-addon-key-0123456789abcdef",
  KOUNTA_ADDON_KEY_PREVIOUS: "",
  REDEEM_SIGNING_KEY: "messages-test-redeem-signing-key-0123456789",
  KOUNTA_CLIENT_SECRET: "messages-test-client-secret",
  TOKEN_ENCRYPTION_KEYS: `msg-1:${btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => (i * 7 + 3) % 256)))}`,
  EMAIL_FROM: "",
};

/** A request to the Worker run with `overrides` on top of the tests' environment. */
export async function callWith(overrides: Record<string, unknown>, url: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(url, init), { ...env, ...overrides } as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
