import { sql } from "drizzle-orm";
import type { Logger } from "../../lib/logger";
import type { EmailSender } from "../../notify/email";
import { sendFailureCode } from "../../notify/email";
import type { Database } from "../../storage/db";
import { all, query } from "../../storage/sql";
import type { LoyaltyCache } from "../cache";
import { issueMemberCardLink } from "../members/card-link-issue";
import { renderMessage, type MessageDetail } from "./messages";
import { claimNotification, CONSENT_KINDS, finishNotification, recordedOrigin, type ClaimedNotification } from "./records";
import { requiredTierPositionSql, tierPositionSql } from "../tiers/window";
import { unsubscribeUrl } from "./unsubscribe";

// Sending one recorded message (the queue consumer's work, src/jobs/notification-queue.ts): claim it,
// check again that it may be sent (the member may have unsubscribed, or the company turned its kind
// off, since it was queued), write it, send it, record the outcome. A message already sent, skipped
// or dead, or held by another consumer, is not sent again: that is what makes a duplicate delivery
// of the queue harmless.

export interface DeliveryDeps {
  db: Database;
  cache: LoyaltyCache;
  sender: EmailSender | null;
  /** The key the unsubscribe links are signed with. */
  signingKey: string;
  /** PUBLIC_BASE_URL: the origin of links when the message recorded none. */
  baseUrl: string | undefined;
  logger: Logger;
}

export type DeliveryOutcome =
  | { outcome: "sent" }
  | { outcome: "skipped"; reason: string }
  /** Nothing to do: sent, skipped or dead already, or no such message. */
  | { outcome: "done" }
  /** Another consumer holds it (its lease is live): look again once the lease is over. */
  | { outcome: "held"; retryAfterSeconds: number }
  /** The send failed: the queue should try again. */
  | { outcome: "failed"; code: string; attempts: number };

/** Why a claimed message must not be sent at all (null: it may). */
function skipReason(n: ClaimedNotification): string | null {
  if (n.member_status !== "active") return "member_inactive";
  if (!n.email) return "no_email";
  if (CONSENT_KINDS.has(n.kind) && n.email_consent !== 1) return "no_consent";
  if (n.kind_enabled !== 1) return "kind_off";
  return null;
}

interface RewardPayload {
  rewards?: string[];
}
interface ExpiryPayload {
  points?: number;
  on?: string;
}

/** What the message tells beyond the member's row (null: nothing left to tell, e.g. every reward withdrawn). */
async function detailOf(deps: DeliveryDeps, n: ClaimedNotification, origin: string, now: number): Promise<MessageDetail | null> {
  const payload = n.payload ? (JSON.parse(n.payload) as RewardPayload & ExpiryPayload) : {};
  switch (n.kind) {
    case "welcome":
      return { kind: "welcome" };
    case "reward_ready": {
      const ids = JSON.stringify(payload.rewards ?? []);
      // Still true now: active, within the balance (a redemption may have come between), of a tier the member has.
      const rewards = await all(
        deps.db,
        query<{ id: string; title: string; points_required: number }>(sql`
          SELECT r.id, r.title, r.points_required FROM members m JOIN rewards r ON r.company_id = m.company_id
          WHERE m.company_id = ${n.company_id} AND m.id = ${n.member_id}
            AND r.active = 1 AND r.id IN (SELECT value FROM json_each(${ids})) AND r.points_required <= m.points
            AND (r.min_tier_id IS NULL OR ${requiredTierPositionSql(sql`r.min_tier_id`, sql`r.company_id`)} <= ${tierPositionSql(now)})
          ORDER BY r.points_required, r.title`),
      );
      return rewards.length > 0
        ? { kind: "reward_ready", rewards: rewards.map((r) => ({ id: r.id, title: r.title, points: r.points_required })) }
        : null;
    }
    case "points_expiring":
      return payload.points && payload.on ? { kind: "points_expiring", expiring: payload.points, on: payload.on } : null;
    case "card_link": {
      // Issued now, not when asked: the link's secret is never stored in the queue or the row.
      const issued = await issueMemberCardLink(deps.db, deps.cache, { companyId: n.company_id, memberId: n.member_id }, Date.now(), { revokeOthers: false });
      return issued ? { kind: "card_link", cardUrl: `${origin}/card/${issued.token}` } : null;
    }
  }
}

export async function deliverNotification(deps: DeliveryDeps, id: string, now = Date.now()): Promise<DeliveryOutcome> {
  const claim = await claimNotification(deps.db, id, now);
  if (!claim) return { outcome: "done" };
  if ("heldUntil" in claim) return { outcome: "held", retryAfterSeconds: Math.max(1, Math.ceil((claim.heldUntil - now) / 1000)) };
  const n = claim.claimed;
  const log = deps.logger.child({ company_id: n.company_id, member_id: n.member_id, notification_id: n.id, kind: n.kind });
  const skip = async (reason: string): Promise<DeliveryOutcome> => {
    await finishNotification(deps.db, n, { status: "skipped", outcome: reason }, now);
    log.info("message skipped", { reason });
    return { outcome: "skipped", reason };
  };
  const fail = async (code: string): Promise<DeliveryOutcome> => {
    await finishNotification(deps.db, n, { status: "failed", outcome: code }, Date.now());
    // The code only: a provider's message may quote the address.
    log.warn("message not sent: will be tried again", { attempts: n.attempts, code });
    return { outcome: "failed", code, attempts: n.attempts };
  };

  const reason = skipReason(n);
  if (reason) return skip(reason);
  // No sender now (a deployment without its email settings): tried again, and dead if it stays so.
  if (!deps.sender) return fail("no_sender");
  // A message a job recorded has no origin of its own: the configured one, else the company's latest.
  const origin = (n.origin ?? deps.baseUrl ?? (await recordedOrigin(deps.db, n.company_id)))?.replace(/\/+$/, "");
  if (!origin) {
    log.warn("no origin for the message's links (set PUBLIC_BASE_URL)");
    return skip("no_origin");
  }
  let told: string[] = [];
  try {
    const detail = await detailOf(deps, n, origin, now);
    if (!detail) return skip("nothing_to_tell");
    if (detail.kind === "reward_ready") told = detail.rewards.map((r) => r.id);
    const unsubscribe = await unsubscribeUrl(origin, deps.signingKey, n.company_id, n.member_id);
    const message = renderMessage(
      { firstName: n.first_name, companyName: n.company_name, pointsLabel: n.points_label, points: n.points, unsubscribeUrl: unsubscribe },
      detail,
    );
    await deps.sender.sendEmail({
      to: n.email!,
      fromName: n.sender_name ?? n.company_name,
      ...message,
      // One-click unsubscribe (RFC 8058): mail programs POST to the same link.
      headers: { "List-Unsubscribe": `<${unsubscribe}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    });
  } catch (err) {
    return fail(sendFailureCode(err));
  }
  await finishNotification(deps.db, n, { status: "sent", toldRewards: { companyId: n.company_id, memberId: n.member_id, rewards: told } }, Date.now());
  log.info("message sent", { attempts: n.attempts });
  return { outcome: "sent" };
}
