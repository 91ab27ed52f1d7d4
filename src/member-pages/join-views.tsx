import type { Child } from "hono/jsx";
import { FORM_ERROR } from "../admin/inputs";
import type { Context } from "hono";
import { CheckboxField, FormProblems, TextField, type FormState } from "../dashboard/forms";
import { TURNSTILE_ORIGIN, TURNSTILE_SCRIPT } from "../lib/turnstile";
import { defaultJoinTerms, type JoinClosed, type JoinCompany } from "../loyalty/members/join";
import { MemberDocument, memberPageHeaders } from "./layout";

// The join pages a customer sees: the form, and the plain pages that answer it. Every sentence is
// written for a customer at the counter, on a phone.

/** The anti-forgery token, the Turnstile widget's site key when it is on. */
export interface FormExtras {
  token: string;
  turnstileSiteKey: string | undefined;
}

/** The policy of the member pages; with Turnstile on, its script and frame come from Cloudflare too. */
function contentSecurityPolicy(turnstile: boolean): string {
  const policy = memberPageHeaders["Content-Security-Policy"]!;
  if (!turnstile) return policy;
  return `${policy.replace("script-src 'self'", `script-src 'self' ${TURNSTILE_ORIGIN}`)}; frame-src ${TURNSTILE_ORIGIN}`;
}

export async function renderJoin(
  c: Context,
  node: Child,
  status: 200 | 400 | 403 | 404 | 409 | 429,
  options: { turnstile?: boolean; retryAfterSeconds?: number } = {},
) {
  const headers: Record<string, string> = {
    ...memberPageHeaders,
    "Content-Security-Policy": contentSecurityPolicy(Boolean(options.turnstile)),
    "Content-Type": "text/html; charset=utf-8",
  };
  if (options.retryAfterSeconds) headers["Retry-After"] = String(options.retryAfterSeconds);
  return c.body(`<!doctype html>${String(await node)}`, status, headers);
}

function Turnstile(props: { siteKey: string | undefined }) {
  if (!props.siteKey) return null;
  return (
    <>
      <div class="cf-turnstile" data-sitekey={props.siteKey}></div>
      <script src={TURNSTILE_SCRIPT} async defer></script>
    </>
  );
}

export function JoinFormPage(props: { company: JoinCompany; form: FormState; extras: FormExtras }) {
  const { company, form, extras } = props;
  return (
    <MemberDocument title={`Join ${company.name}`}>
      <h1>Join {company.name}</h1>
      {company.introText ? <p class="join-intro">{company.introText}</p> : null}
      <p>
        Collect {company.pointsLabel} when you buy, and see them and your rewards on your own card. Show the card at the counter and
        they scan it.
      </p>
      <FormProblems form={form} />
      <form method="post" action={`/join/${company.id}`} class="stack" aria-label={`Join ${company.name}`}>
        <input type="hidden" name="_csrf" value={extras.token} />
        <TextField form={form} name="first_name" label="First name" autocomplete="given-name" maxlength={100} required />
        <TextField form={form} name="last_name" label="Last name (optional)" autocomplete="family-name" maxlength={100} />
        <TextField
          form={form}
          name="email"
          label="Email"
          type="email"
          autocomplete="email"
          inputmode="email"
          maxlength={254}
          hint="Your email, your mobile number, or both: we find your card by either."
        />
        <TextField form={form} name="phone" label="Mobile" type="tel" autocomplete="tel" inputmode="tel" maxlength={40} />
        <CheckboxField form={form} name="consent" label={company.joinTerms ?? defaultJoinTerms(company.name)} />
        <CheckboxField
          form={form}
          name="email_consent"
          label={`Email me a welcome, when a reward is ready and before my ${company.pointsLabel} expire (optional; every email has a link to stop them).`}
        />
        {/* Only a robot fills this in: people never see it, nor reach it with the keyboard. */}
        <div class="join-extra" aria-hidden="true">
          <label for="f-website">Website (leave this empty)</label>
          <input id="f-website" name="website" type="text" value="" tabindex={-1} autocomplete="off" />
        </div>
        <Turnstile siteKey={extras.turnstileSiteKey} />
        <div class="actions">
          <button type="submit">Join and get my card</button>
        </div>
      </form>
    </MemberDocument>
  );
}

/** A page of one message: closed, refused, sent. */
export function PlainPage(props: { title: string; children: Child; back?: string }) {
  return (
    <MemberDocument title={props.title}>
      <h1>{props.title}</h1>
      {props.children}
      {props.back ? (
        <p>
          <a href={props.back}>Back to the join page</a>
        </p>
      ) : null}
    </MemberDocument>
  );
}

/** Why nobody can join here: 404 for no such programme, 403 when the company takes no one. */
export function closedPage(closed: JoinClosed, company: JoinCompany | null): { status: 403 | 404; node: Child } {
  if (closed === "unknown" || !company) {
    return {
      status: 404,
      node: (
        <PlainPage title="No programme here">
          <p>There is no loyalty programme at this address. Check the address on the poster, or ask at the counter.</p>
        </PlainPage>
      ),
    };
  }
  const why =
    closed === "not_connected"
      ? `${company.name}'s loyalty programme is not open at the moment, so you cannot join here for now.`
      : `${company.name} does not take new members on this page.`;
  return {
    status: 403,
    node: (
      <PlainPage title={`Joining ${company.name}`}>
        <p>{why} Ask at the counter.</p>
      </PlainPage>
    ),
  };
}

/** Someone of the company already has this email or phone: no second member, their card link instead. */
export function ExistsPage(props: {
  company: JoinCompany;
  email: string | null;
  phone: string | null;
  canSend: boolean;
  extras: FormExtras;
  /** Why the last press of "Send me my card link" was refused (the page drawn again). */
  problem?: string;
}) {
  const { company, extras } = props;
  return (
    <MemberDocument title={`Already a member of ${company.name}`}>
      <h1>You are already a member</h1>
      <p>A member of {company.name} already has this email or mobile number, so we have not made a second card.</p>
      {props.problem ? <FormProblems form={{ values: {}, errors: { [FORM_ERROR]: props.problem } }} /> : null}
      {props.canSend ? (
        <form method="post" action={`/join/${company.id}/send-link`} class="stack" aria-label="Send me my card link">
          <input type="hidden" name="_csrf" value={extras.token} />
          {props.email ? <input type="hidden" name="email" value={props.email} /> : null}
          {props.phone ? <input type="hidden" name="phone" value={props.phone} /> : null}
          <p>We can email the link to your card to the email address of that membership.</p>
          <Turnstile siteKey={extras.turnstileSiteKey} />
          <div class="actions">
            <button type="submit">Send me my card link</button>
          </div>
        </form>
      ) : (
        <p>{NO_SENDER}</p>
      )}
    </MemberDocument>
  );
}

/** The same sentence whether or not a member has those details: the form tells nobody who is one. */
export const LINK_SENT = "If a member has those details, we have sent their card link";
export const NO_SENDER = "Ask at the counter: they can show you your card link to scan with your phone.";

export function LinkSentPage(props: { company: JoinCompany }) {
  return (
    <PlainPage title="Check your email">
      <p>{LINK_SENT} to the email address of that membership. It can take a few minutes: look in your spam folder too.</p>
      <p>No email? Ask at the counter at {props.company.name}: they can show you your card link.</p>
    </PlainPage>
  );
}

export function NoSenderPage() {
  return (
    <PlainPage title="Your card link">
      <p>We cannot send emails from here. {NO_SENDER}</p>
    </PlainPage>
  );
}
