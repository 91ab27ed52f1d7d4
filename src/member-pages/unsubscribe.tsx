import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { publicOrigin } from "../kounta/origin";
import { readEmailConsent, setEmailConsent, type ConsentHolder } from "../loyalty/members/email-consent";
import { checkUnsubscribeSignature } from "../loyalty/notifications/unsubscribe";
import type { AppEnv } from "../services";
import { MemberDocument, renderMemberPage } from "./layout";

// The unsubscribe link of every message (src/loyalty/notifications/unsubscribe.ts):
// GET /unsubscribe/:companyId/:memberId/:sig asks "stop these emails?" with one button, and POST to
// the same address stops them. (A GET never changes anything: mail scanners open links.) Mail
// programs' one-click unsubscribe (RFC 8058: List-Unsubscribe-Post) posts to the same address, so
// the POST needs no form of ours: the signature in the address is what proves it comes from the
// member's own email, as the link itself does. POST .../subscribe undoes it from the answer page.
// A wrong signature is "not found", whatever the ids.

type Ctx = Context<AppEnv>;

async function holder(c: Ctx): Promise<ConsentHolder | null> {
  const { companyId, memberId, sig } = c.req.param() as { companyId: string; memberId: string; sig: string };
  const { config, db } = c.get("services");
  const keys = [config.REDEEM_SIGNING_KEY, config.REDEEM_SIGNING_KEY_PREVIOUS].filter((k): k is string => Boolean(k));
  if (!(await checkUnsubscribeSignature(keys, companyId, memberId, sig))) return null;
  return readEmailConsent(db, companyId, memberId);
}

const base = (c: Ctx) => new URL(c.req.url).pathname.replace(/\/subscribe$/, "");

function notFound(c: Ctx) {
  return renderMemberPage(
    c,
    <MemberDocument title="Link not valid">
      <h1>This link is not valid</h1>
      <p>It may have been copied only in part. Use the link at the bottom of one of our emails, or ask at the counter to stop the emails.</p>
    </MemberDocument>,
    404,
  );
}

function ConsentPage(props: { who: ConsentHolder; action: string; changed?: boolean }) {
  const { who, action } = props;
  const programme = `${who.companyName} loyalty programme`;
  if (!who.consent) {
    return (
      <MemberDocument title="Unsubscribed">
        <h1>{props.changed ? "You are unsubscribed" : "You get no emails from us"}</h1>
        <p role="status">
          {who.firstName}, you will get no more emails about your points and rewards from the {programme}. Your card and your points are
          not changed.
        </p>
        <form method="post" action={`${action}/subscribe`} class="stack">
          <div class="actions">
            <button type="submit" class="secondary">
              Email me again
            </button>
          </div>
        </form>
      </MemberDocument>
    );
  }
  return (
    <MemberDocument title="Stop emails">
      <h1>Stop emails from the {programme}?</h1>
      {props.changed ? <p role="status">You will get our emails again.</p> : null}
      <p>{who.firstName}, we email you when a reward is ready and before your points expire. Your card and your points stay as they are either way.</p>
      <form method="post" action={action} class="stack">
        <div class="actions">
          <button type="submit">Unsubscribe</button>
        </div>
      </form>
    </MemberDocument>
  );
}

export const unsubscribeRoutes = new Hono<AppEnv>();

const PATH = "/unsubscribe/:companyId/:memberId/:sig";
unsubscribeRoutes.use("/unsubscribe/*", bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.text("Too large", 413) }));

unsubscribeRoutes.get(PATH, async (c) => {
  const who = await holder(c);
  if (!who) return notFound(c);
  return renderMemberPage(c, <ConsentPage who={who} action={base(c)} />);
});

// Subscribing again is only ever posted from our own answer page (unlike a one-click unsubscribe):
// Hono's csrf refuses it from anywhere else.
unsubscribeRoutes.post(`${PATH}/subscribe`, csrf({ origin: (origin, c) => origin === publicOrigin(c as Ctx) }));

for (const [path, consent] of [
  [PATH, false],
  [`${PATH}/subscribe`, true],
] as const) {
  unsubscribeRoutes.post(path, async (c) => {
    const who = await holder(c);
    if (!who) return notFound(c);
    const { db, logger } = c.get("services");
    const { companyId } = c.req.param() as { companyId: string };
    const now = await setEmailConsent(db, companyId, who.memberId, consent);
    logger.info(consent ? "member subscribed again" : "member unsubscribed", { company_id: companyId, member_id: who.memberId });
    return renderMemberPage(c, <ConsentPage who={now ?? who} action={base(c)} changed={now?.consent !== who.consent} />);
  });
}
