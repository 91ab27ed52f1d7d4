import { Hono, type Context } from "hono";
import { publicOrigin } from "../kounta/origin";
import { describeError } from "../lib/logger";
import { issueMemberCardLink } from "../loyalty/members/card-link-issue";
import { joinClosed, readJoin, type ContactMatch, type JoinCompany } from "../loyalty/members/join";
import { emailField, phoneField } from "../loyalty/members/member-fields";
import type { EmailSender } from "../notify/email";
import type { AppEnv } from "../services";
import { closedResponse, joinEmailSender, refusalPage, turnstileProblem } from "./join-common";
import { guardJoinPost } from "./join-guard";
import { LinkSentPage, NoSenderPage, PlainPage, renderJoin } from "./join-views";

// POST /join/:companyId/send-link: "Send me my card link", from the page that says a member already
// has the details typed. The same checks as the join form (our page's form, the rate limits,
// Turnstile). The answer is the same sentence whether or not a member has those details, has an
// email, or is active: the form tells nobody who is a member. The link is issued and emailed after
// the answer (waitUntil), so neither does the time it takes.

type Ctx = Context<AppEnv>;

/** A posted value through a member field schema; anything unusable is as if not sent. */
function contactValue(value: unknown, schema: typeof emailField | typeof phoneField): string | null {
  if (typeof value !== "string" || !value.trim()) return null;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function cardLinkEmail(company: JoinCompany, firstName: string, url: string) {
  return {
    subject: `Your ${company.name} loyalty card`,
    text: [
      `Hello ${firstName},`,
      "",
      `Here is the link to your ${company.name} loyalty card:`,
      url,
      "",
      `Open it at the counter so they can scan your card, and to see your ${company.pointsLabel} and rewards. You can add it to your home screen.`,
      "",
      "Keep this link to yourself: anyone who has it can see your card. Card links you had before keep working; ask at the counter to end them.",
      "If you did not ask for this email, you can ignore it.",
    ].join("\n"),
  };
}

/** The least time between two card-link emails to one member. */
export const SEND_LINK_EVERY_MS = 10 * 60_000;

async function sendCardLink(c: Ctx, sender: EmailSender, company: JoinCompany, match: ContactMatch, origin: string): Promise<void> {
  const { db, cache, logger } = c.get("services");
  try {
    // One email per member every SEND_LINK_EVERY_MS, whoever asks: the form cannot flood an inbox.
    // (A KV mark that expires by itself; KV may let a second one through at the same instant.)
    const mark = `send-link:${company.id}:${match.memberId}`;
    if (await c.env.CACHE.get(mark)) {
      logger.info("card link email skipped: one was sent a moment ago", { company_id: company.id });
      return;
    }
    await c.env.CACHE.put(mark, "1", { expirationTtl: SEND_LINK_EVERY_MS / 1000 });
    // The member's card links stay live: knowing their email must not be enough to end one.
    const issued = await issueMemberCardLink(db, cache, { companyId: company.id, memberId: match.memberId }, Date.now(), { revokeOthers: false });
    const to = issued?.member.email;
    if (!issued || !to) return;
    await sender.sendEmail({ to, ...cardLinkEmail(company, issued.member.firstName, `${origin}/card/${issued.token}`) });
    logger.info("card link emailed", { company_id: company.id, member_id: match.memberId });
  } catch (err) {
    logger.error("card link email failed", { company_id: company.id, member_id: match.memberId, ...describeError(err) });
  }
}

export const sendLinkRoutes = new Hono<AppEnv>().post("/join/:companyId/send-link", async (c) => {
  const companyId = c.req.param("companyId");
  const guard = await guardJoinPost(c, companyId);
  if (!guard.ok) return refusalPage(c, guard.refusal, companyId);
  const form = guard.form;

  const contact = { email: contactValue(form.email, emailField), phone: contactValue(form.phone, phoneField) };
  const { company, existing } = await readJoin(c.get("services").db, companyId, contact.email || contact.phone ? contact : undefined);
  if (!company || joinClosed(company)) return closedResponse(c, company);
  const problem = await turnstileProblem(c, form);
  if (problem) {
    return renderJoin(
      c,
      <PlainPage title="Not sent" back={`/join/${company.id}`}>
        <p>{problem}</p>
      </PlainPage>,
      400,
    );
  }

  const sender = joinEmailSender(c);
  if (!sender) return renderJoin(c, <NoSenderPage />, 200);
  if (existing?.active && existing.email) c.executionCtx.waitUntil(sendCardLink(c, sender, company, existing, publicOrigin(c)));
  return renderJoin(c, <LinkSentPage company={company} />, 200);
});
