import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { FORM_ERROR, formBody, type FormValues } from "../admin/inputs";
import { emptyForm, keptValues, type FormState } from "../dashboard/forms";
import { publicOrigin } from "../kounta/origin";
import { TURNSTILE_FIELD } from "../lib/turnstile";
import { joinClosed, joinDetailsSchema, joinProgramme, readJoin, type JoinCompany, type JoinDetails } from "../loyalty/members/join";
import type { AppEnv } from "../services";
import { canSendLinks, closedResponse, formExtras, refusalPage, refusals, retryAfter, turnstileOn, turnstileProblem } from "./join-common";
import { guardJoinPost, type GuardRefusal } from "./join-guard";
import { joinErrors } from "./join-messages";
import { sendLinkRoutes } from "./join-send-link";
import { ExistsPage, JoinFormPage, PlainPage, renderJoin } from "./join-views";

// Joining a company's programme: GET /join/:companyId (the form), POST /join/:companyId (the member,
// their card number and card link, then their card: 303 to /card/<token>), and POST
// /join/:companyId/send-link (join-send-link.tsx). docs/member-pages.md#joining.
//
// A post passes, in turn: our own page's form (join-guard.ts: Origin and a signed token: 403), the
// rate limits per IP and per company (429; a stale token or a limit draws the form again with what
// was typed, the sentence above it), the honeypot field (400, saying nothing of why), the
// company taking members (404/403), Turnstile when configured (400), the fields (400, each message
// by its field, what was typed kept), nobody of the company having this email or phone (409). Only
// then is anything written, in one D1 batch.

type Ctx = Context<AppEnv>;

/** A join form is a few hundred bytes: anything much larger is no form of ours. */
const MAX_BODY = 16 * 1024;

/** The honeypot's name: a field people never see (join-views.tsx), which form-filling robots fill. */
export const HONEYPOT_FIELD = "website";

const formKinds = { first_name: "string", last_name: "optionalString", email: "optionalString", phone: "optionalString", consent: "boolean", email_consent: "boolean" } as const;

async function formPage(c: Ctx, company: JoinCompany, form: FormState, status: 200 | 400 | 403 | 429, retryAfterSeconds?: number) {
  return renderJoin(c, <JoinFormPage company={company} form={form} extras={await formExtras(c, company.id)} />, status, {
    turnstile: turnstileOn(c),
    retryAfterSeconds,
  });
}

/** What was typed, to draw the form again: never the honeypot nor the Turnstile answer. */
function typedValues(form: FormValues): Record<string, string> {
  const values = keptValues(form);
  delete values[HONEYPOT_FIELD];
  delete values[TURNSTILE_FIELD];
  return values;
}

/** A post the guard refused after reading it (a stale token, a limit): the form again, as typed. */
async function refusedForm(c: Ctx, companyId: string, refusal: GuardRefusal, form: FormValues) {
  const { company } = await readJoin(c.get("services").db, companyId);
  if (!company || joinClosed(company)) return closedResponse(c, company);
  const { status, sentence } = refusals[refusal];
  return formPage(c, company, { values: typedValues(form), errors: { [FORM_ERROR]: sentence } }, status, retryAfter(refusal));
}

export const joinRoutes = new Hono<AppEnv>();

joinRoutes.use("/join/*", bodyLimit({ maxSize: MAX_BODY, onError: (c) => refusalPage(c as Ctx, "unreadable", c.req.param("companyId") ?? "") }));

joinRoutes.get("/join/:companyId", async (c) => {
  const { company } = await readJoin(c.get("services").db, c.req.param("companyId"));
  if (!company || joinClosed(company)) return closedResponse(c, company);
  return formPage(c, company, emptyForm(), 200);
});

joinRoutes.post("/join/:companyId", async (c) => {
  const companyId = c.req.param("companyId");
  const { db, logger } = c.get("services");
  const guard = await guardJoinPost(c, companyId);
  if (!guard.ok) return guard.form ? refusedForm(c, companyId, guard.refusal, guard.form) : refusalPage(c, guard.refusal, companyId);
  const form = guard.form;

  const honeypot = form[HONEYPOT_FIELD];
  if (honeypot !== undefined && !(typeof honeypot === "string" && honeypot.trim() === "")) {
    logger.warn("join post refused", { refusal: "honeypot", path: c.req.path });
    return renderJoin(
      c,
      <PlainPage title="Could not join">
        <p>Sorry, we could not join you up here. Please ask at the counter.</p>
      </PlainPage>,
      400,
    );
  }

  const parsed = joinDetailsSchema.safeParse(formBody(form, formKinds));
  const details: JoinDetails | null = parsed.success ? parsed.data : null;
  const contact = details ? { email: details.email ?? null, phone: details.phone ?? null } : undefined;
  const { company, existing } = await readJoin(db, companyId, contact);
  if (!company || joinClosed(company)) return closedResponse(c, company);

  const values = typedValues(form);
  const problem = await turnstileProblem(c, form);
  if (problem) return formPage(c, company, { values, errors: { [FORM_ERROR]: problem } }, 400);
  if (!details) return formPage(c, company, { values, errors: joinErrors(parsed.error?.issues ?? []) }, 400);

  const exists = () => existsPage(c, company, details.email ?? null, details.phone ?? null);
  if (existing) return exists();
  const outcome = await joinProgramme(db, company, details);
  if (outcome.kind === "exists") return exists();
  logger.info("member joined", { company_id: company.id, member_id: outcome.memberId });
  // Their welcome email, when they gave an email and agreed to emails (after the answer).
  c.executionCtx.waitUntil(c.get("services").notifier(publicOrigin(c)).welcome(company.id, outcome.memberId));
  return c.body(null, 303, { Location: `/card/${outcome.token}`, "Cache-Control": "no-store" });
});

async function existsPage(c: Ctx, company: JoinCompany, email: string | null, phone: string | null) {
  return renderJoin(
    c,
    <ExistsPage company={company} email={email} phone={phone} canSend={await canSendLinks(c, company.id)} extras={await formExtras(c, company.id)} />,
    409,
    { turnstile: turnstileOn(c) },
  );
}

joinRoutes.route("/", sendLinkRoutes);
