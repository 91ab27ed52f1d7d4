import type { NotificationKind, NotificationStatus } from "../../storage/schema";

// How the dashboard words messages to members: their kinds (the Programme page's switches, the
// Activity page's Messages), their statuses and why one was not sent.

export const messageKindLabels: Record<NotificationKind, { name: string; what: string }> = {
  welcome: { name: "Welcome", what: "When a member joins, or is added, with an email and their agreement." },
  reward_ready: { name: "Reward ready", what: "When a member's balance first reaches a reward (at most one message a day)." },
  points_expiring: { name: "Points expiring", what: "A warning 30 days and 1 day before a member's points expire (when they expire: Settings, Earning)." },
  card_link: { name: "Card link", what: "The link to the member's own card page, when they ask for it on your join page." },
};

export const messageStatusLabels: Record<NotificationStatus, string> = {
  queued: "Waiting to send",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed, trying again",
  dead: "Not sent: gave up",
  skipped: "Not sent",
};

const outcomeLabels: Record<string, string> = {
  no_sender: "email sending is not set up",
  member_inactive: "the member is inactive",
  no_email: "the member has no email",
  no_consent: "the member has not agreed to emails",
  kind_off: "this kind of message is turned off",
  no_origin: "no address for the links in it",
  nothing_to_tell: "nothing to tell any more",
  retries_exhausted: "every try failed",
};

/** Why a message was skipped, or its last failure's code (as recorded: a short code, never an address). */
export function messageOutcomeLabel(outcome: string | null): string {
  if (outcome === null) return "";
  return Object.hasOwn(outcomeLabels, outcome) ? outcomeLabels[outcome]! : `sending failed (${outcome})`;
}
