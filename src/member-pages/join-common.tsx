import type { Context } from "hono";
import type { FormValues } from "../admin/inputs";
import { TURNSTILE_FIELD, verifyTurnstile } from "../lib/turnstile";
import { joinClosed, type JoinCompany } from "../loyalty/members/join";
import { getNotificationSettings } from "../loyalty/notifications/settings";
import type { AppEnv } from "../services";
import { joinFormToken } from "./join-form-token";
import { clientIp, type GuardRefusal } from "./join-guard";
import { closedPage, PlainPage, renderJoin, type FormExtras } from "./join-views";

// What the join form's post and the send-link post share: the token and widget their pages carry,
// the pages of the guard's refusals, the Turnstile check, the email sender.

type Ctx = Context<AppEnv>;

export async function formExtras(c: Ctx, companyId: string): Promise<FormExtras> {
  const { config } = c.get("services");
  return { token: await joinFormToken(config.REDEEM_SIGNING_KEY, companyId), turnstileSiteKey: config.TURNSTILE_SITE_KEY };
}

export const turnstileOn = (c: Ctx) => Boolean(c.get("services").config.TURNSTILE_SECRET_KEY);

/** The refusals of join-guard.ts, as pages. */
export function refusalPage(c: Ctx, refusal: GuardRefusal, companyId: string) {
  const back = `/join/${encodeURIComponent(companyId)}`;
  switch (refusal) {
    case "forged":
      return renderJoin(
        c,
        <PlainPage title="Not accepted" back={back}>
          <p>This form could not be accepted: it did not come from this page, or the page was open too long. Nothing was saved. Open the join page again and try once more.</p>
        </PlainPage>,
        403,
      );
    case "unreadable":
      return renderJoin(
        c,
        <PlainPage title="Not accepted" back={back}>
          <p>This form could not be read. Nothing was saved.</p>
        </PlainPage>,
        400,
      );
    case "ip_limited":
    case "company_limited":
      return renderJoin(
        c,
        <PlainPage title="Please wait a minute" back={back}>
          <p>
            {refusal === "ip_limited" ? "There have been too many tries from your connection" : "A lot of people are joining right now"}. Nothing was
            saved. Please wait a minute, then try again.
          </p>
        </PlainPage>,
        429,
        { retryAfterSeconds: 60 },
      );
  }
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
