import type { Context } from "hono";
import { raw } from "hono/html";
import { qrCodeSvg } from "../../lib/barcodes";
import type { Member } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { PostForm } from "../forms";
import { dateTime, memberName } from "../format";
import { Layout } from "../layout";
import { memberPath } from "./member-forms";

// The member page's "Card link" section, and the page that shows a link just issued. Only a hash
// of a link is kept, so an existing link can never be shown again: "Show a card link" issues a new
// one (the one given before stops working) and shows it once, with its QR code, for the customer to
// scan from the cashier's screen. The routes: member-card-link-routes.tsx.

export const cardLinkPaths = {
  issue: (memberId: string) => `${memberPath(memberId)}/card-link`,
  revoke: (memberId: string) => `${memberPath(memberId)}/card-link/revoke`,
};

export const cardLinkNotices = {
  "card-link-revoked": "The card link was revoked: it no longer opens the member's card.",
  "card-link-none": "This member had no card link to revoke.",
};

/** The section on the member page: whether a link is live, issue a new one, revoke it. */
export function CardLinkSection(props: { c: Context<DashboardEnv>; member: Member; issuedAt: number | null }) {
  const { c, member, issuedAt } = props;
  return (
    <section class="card" aria-labelledby="card-link-heading">
      <h2 id="card-link-heading">Card link</h2>
      <p data-figure="card-link-status">
        {issuedAt ? `A card link was given on ${dateTime(issuedAt)}.` : "This member has no card link."}
      </p>
      {member.status === "active" ? null : (
        <p class="muted">This member is inactive: their card page says the card is no longer active.</p>
      )}
      <PostForm c={c} action={cardLinkPaths.issue(member.id)} label="Show a card link">
        <p class="hint" id="card-link-hint">
          Shows a new link to the member's own card page and its QR code, for the customer to scan from this screen.
          {issuedAt ? " The link given before stops working." : ""}
          {member.cardNumber ? "" : " The member has no card number yet: they get one, for the till to scan."}
        </p>
        <div class="actions">
          <button type="submit" aria-describedby="card-link-hint">
            Show a card link
          </button>
        </div>
      </PostForm>
      {issuedAt ? (
        <PostForm
          c={c}
          action={cardLinkPaths.revoke(member.id)}
          label="Revoke the card link"
          confirm="Revoke the card link? It stops opening the member's card."
        >
          <div class="actions">
            <button type="submit" class="secondary">
              Revoke the card link
            </button>
          </div>
        </PostForm>
      ) : null}
    </section>
  );
}

/** The page after "Show a card link": the address and its QR code, shown this once. */
export function IssuedCardLinkPage(props: { c: Context<DashboardEnv>; member: Member; url: string }) {
  const { c, member, url } = props;
  const name = memberName(member.firstName, member.lastName);
  return (
    <Layout c={c} section="Members" title={`Card link for ${name}`}>
      <p>
        <a href={memberPath(member.id)}>Back to {name}</a>
      </p>
      <section class="card" aria-labelledby="issued-link-heading">
        <h2 id="issued-link-heading">Scan to open the card</h2>
        <p>Turn the screen to the customer: their phone's camera opens their card from this code.</p>
        <figure class="barcodes" data-figure="card-link-qr">
          {raw(qrCodeSvg(url, { label: `QR code of the card link for ${member.firstName}` }))}
        </figure>
        <p>Or send them the address:</p>
        <code class="copy-value" id="card-link-url" data-figure="card-link-url">
          {url}
        </code>
        <div class="actions">
          <button type="button" class="secondary" data-copy="card-link-url">
            Copy the address
          </button>
        </div>
        <p class="muted">
          This link is shown only now. Any link given before no longer works; "Show a card link" gives a new one.
        </p>
      </section>
    </Layout>
  );
}
