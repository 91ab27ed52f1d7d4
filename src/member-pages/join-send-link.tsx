import { Hono, type Context } from "hono";
import { publicOrigin } from "../kounta/origin";
import { joinClosed, readJoin, type ContactMatch, type JoinCompany } from "../loyalty/members/join";
import { emailField, phoneField } from "../loyalty/members/member-fields";
import type { AppEnv } from "../services";
import type { FormValues } from "../admin/inputs";
import { canSendLinks, closedResponse, formExtras, refusalPage, refusals, retryAfter, turnstileOn, turnstileProblem } from "./join-common";
import { guardJoinPost } from "./join-guard";
import { ExistsPage, LinkSentPage, NoSenderPage, renderJoin } from "./join-views";

// POST /join/:companyId/send-link: "Send me my card link", from the page that says a member already
// has the details typed. The same checks as the join form (our page's form, the rate limits,
// Turnstile). The answer is the same sentence whether or not a member has those details, has an
// email, or is active: the form tells nobody who is a member. The email is a message of kind
// card_link (src/loyalty/notifications/): recorded and enqueued after the answer (waitUntil), so the
// time it takes tells nothing either; the queue's consumer issues the link and sends it. One per
// member every ten minutes, whoever asks (the message's occasion), so the form cannot flood an inbox.
// A press refused after the form was read (a stale token, a limit, Turnstile) draws the page again,
// with the details it carries, so the customer can press once more.

type Ctx = Context<AppEnv>;

/** A posted value through a member field schema; anything unusable is as if not sent. */
function contactValue(value: unknown, schema: typeof emailField | typeof phoneField): string | null {
  if (typeof value !== "string" || !value.trim()) return null;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

async function queueCardLink(c: Ctx, company: JoinCompany, match: ContactMatch): Promise<void> {
  const services = c.get("services");
  await services.notifier(publicOrigin(c)).cardLink(company.id, match.memberId);
  services.logger.info("card link asked for", { company_id: company.id, member_id: match.memberId });
}

/** A posted detail as it was sent (the page's own hidden field), to send again. */
const sent = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value.trim() : null);

/** The page with the button again, the details it carried and why the last press was refused. */
async function pressAgain(c: Ctx, company: JoinCompany, form: FormValues, problem: string, status: 400 | 403 | 429, retryAfterSeconds?: number) {
  return renderJoin(
    c,
    <ExistsPage
      company={company}
      email={sent(form.email)}
      phone={sent(form.phone)}
      canSend={await canSendLinks(c, company.id)}
      extras={await formExtras(c, company.id)}
      problem={problem}
    />,
    status,
    { turnstile: turnstileOn(c), retryAfterSeconds },
  );
}

export const sendLinkRoutes = new Hono<AppEnv>().post("/join/:companyId/send-link", async (c) => {
  const companyId = c.req.param("companyId");
  const { db } = c.get("services");
  const guard = await guardJoinPost(c, companyId);
  if (!guard.ok) {
    if (!guard.form) return refusalPage(c, guard.refusal, companyId);
    const { company } = await readJoin(db, companyId);
    if (!company || joinClosed(company)) return closedResponse(c, company);
    const { status, sentence } = refusals[guard.refusal];
    return pressAgain(c, company, guard.form, sentence, status, retryAfter(guard.refusal));
  }
  const form = guard.form;

  const contact = { email: contactValue(form.email, emailField), phone: contactValue(form.phone, phoneField) };
  const { company, existing } = await readJoin(db, companyId, contact.email || contact.phone ? contact : undefined);
  if (!company || joinClosed(company)) return closedResponse(c, company);
  const problem = await turnstileProblem(c, form);
  if (problem) return pressAgain(c, company, form, problem, 400);

  if (!(await canSendLinks(c, company.id))) return renderJoin(c, <NoSenderPage />, 200);
  if (existing?.active && existing.email) c.executionCtx.waitUntil(queueCardLink(c, company, existing));
  return renderJoin(c, <LinkSentPage company={company} />, 200);
});
