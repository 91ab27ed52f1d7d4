import type { Context } from "hono";
import type { FormValues } from "../admin/inputs";
import { TURNSTILE_FIELD, verifyTurnstile } from "../lib/turnstile";
import { joinClosed, type JoinCompany } from "../loyalty/members/join";
import { getNotificationSettings } from "../loyalty/notifications/settings";
import type { AppEnv } from "../services";
import { joinFormToken } from "./join-form-token";
import { clientIp } from "../lib/rate-limit";
import type { GuardRefusal } from "./join-guard";
import { closedPage, PlainPage, renderJoin, type FormExtras } from "./join-views";

// What the join form's post and the send-link post share: the token and widget their pages carry,
// the pages of the guard's refusals, the Turnstile check, the email sender.

type Ctx = Context<AppEnv>;

export async function formExtras(c: Ctx, companyId: string): Promise<FormExtras> {
  const { config } = c.get("services");
  return { token: await joinFormToken(config.REDEEM_SIGNING_KEY, companyId), turnstileSiteKey: config.TURNSTILE_SITE_KEY };
}

export const turnstileOn = (c: Ctx) => Boolean(c.get("services").config.TURNSTILE_SECRET_KEY);

/** What each refusal of join-guard.ts answers: its status and the sentence a customer reads. */
export const refusals: Record<GuardRefusal, { status: 400 | 403 | 429; title: string; sentence: string }> = {
  forged: {
    status: 403,
    title: "Not accepted",
    sentence:
      "This form could not be accepted: it did not come from this page, or the page was open too long. Nothing was saved. Open the join page again and try once more.",
  },
  stale: { status: 403, title: "Not accepted", sentence: "This page was open too long, so nothing was saved. Check the form and send it again." },
  unreadable: { status: 400, title: "Not accepted", sentence: "This form could not be read. Nothing was saved." },
  ip_limited: {
    status: 429,
    title: "Please wait a minute",
    sentence: "There have been too many tries from your connection. Nothing was saved. Please wait a minute, then try again.",
  },
  company_limited: {
    status: 429,
    title: "Please wait a minute",
    sentence: "A lot of people are joining right now. Nothing was saved. Please wait a minute, then try again.",
  },
};

/** A limit's answer asks the browser to wait this long. */
export const retryAfter = (refusal: GuardRefusal) => (refusals[refusal].status === 429 ? 60 : undefined);

/** A refusal of join-guard.ts as a page of its own, for a post whose form could not be read (or drawn again). */
export function refusalPage(c: Ctx, refusal: GuardRefusal, companyId: string) {
  const { status, title, sentence } = refusals[refusal];
  return renderJoin(
    c,
    <PlainPage title={title} back={`/join/${encodeURIComponent(companyId)}`}>
      <p>{sentence}</p>
    </PlainPage>,
    status,
    { retryAfterSeconds: retryAfter(refusal) },
  );
}

/** The Turnstile check of a post, when it is on: null when passed, else the sentence to show. */
export async function turnstileProblem(c: Ctx, form: FormValues): Promise<string | null> {
  const { config, logger } = c.get("services");
  if (!config.TURNSTILE_SECRET_KEY) return null;
  const sent = form[TURNSTILE_FIELD];
  const outcome = await verifyTurnstile(
    { secret: config.TURNSTILE_SECRET_KEY, siteverifyUrl: config.TURNSTILE_SITEVERIFY_URL },
    typeof sent === "string" ? sent : "",
    clientIp(c),
  );
  if (outcome.ok) return null;
  logger.warn("join post refused", { refusal: "turnstile", reason: outcome.reason, codes: outcome.codes, path: c.req.path });
  return outcome.reason === "unavailable"
    ? "We could not check that you are a person just now. Nothing was saved: please try again in a moment."
    : "We could not confirm that you are a person. Nothing was saved: please try again.";
}

/** Whether the card link can be emailed: a sender is configured (src/notify/email.ts) and the company sends card links. */
export async function canSendLinks(c: Ctx, companyId: string): Promise<boolean> {
  const services = c.get("services");
  if (services.emailSender === null) return false;
  return (await getNotificationSettings(services.db, companyId))?.kinds.card_link ?? false;
}

/** The page of a company that takes no one: unknown (404), not connected or joining off (403). */
export function closedResponse(c: Ctx, company: JoinCompany | null): Promise<Response> {
  const page = closedPage(joinClosed(company) ?? "unknown", company);
  return renderJoin(c, page.node, page.status);
}
