import type { Context } from "hono";
import { listLedger, listRedemptions } from "../../loyalty/ledger/ledger-queries";
import { decodeCursor, type ListWindow } from "../../loyalty/listing";
import { cardLinkIssuedAt } from "../../loyalty/members/card-links";
import { getMember } from "../../loyalty/members/member-admin";
import { iconUrl } from "../../loyalty/members/member-icons";
import { listRewards } from "../../loyalty/rewards/reward-admin";
import { getLimits } from "../../loyalty/limits";
import { getSettings } from "../../loyalty/settings";
import { getMemberTier } from "../../loyalty/tiers/member-tier";
import { getTierProgramme } from "../../loyalty/tiers/tiers";
import type { Member } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { errorPage } from "../error-page";
import { emptyForm, type FormState } from "../forms";
import { count, dateTime, memberName } from "../format";
import { Layout, noticeFor, render } from "../layout";
import { CardLinkSection, cardLinkNotices } from "./member-card-link";
import { AdjustForm, DetailsForm, detailValues, IconForm, memberPath, newAdjustmentForm, StatusForm } from "./member-forms";
import { LedgerTable, RedemptionTable } from "./member-history";
import { TierCard, tierFormValues, TierHistory } from "./member-tier";

// GET /dashboard/members/:id: the member's card as the till shows it, the forms that change it, and
// their history. A member of another company (or none) is the 404 page.

const LEDGER_PAGE = 25;
const REDEMPTION_PAGE = 10;

export const NO_SUCH_MEMBER = "This company has no such member.";

/** The forms of the page, when one of them is drawn again after a refusal. */
export interface MemberForms {
  details?: FormState;
  adjust?: FormState;
  icon?: FormState;
  status?: FormState;
  tier?: FormState;
}

export function memberNotFound(c: Context<DashboardEnv>) {
  return errorPage(c, 404, NO_SUCH_MEMBER);
}

function notices(pointsLabel: string) {
  return {
    created: "The member was added. The till finds them from now on.",
    saved: "The details were saved. The till shows them at its next lookup.",
    adjusted: `The ${pointsLabel} balance was changed. The till shows the new balance at its next lookup.`,
    deactivated: "The member was deactivated. The till no longer finds them.",
    reactivated: "The member was reactivated. The till finds them again.",
    icon: "The picture was uploaded.",
    tier: "The level was saved. The till shows it at its next lookup.",
    "icon-removed": "The picture was removed.",
    ...cardLinkNotices,
  };
}

/** A page's window from a cursor in the address; null for a cursor we never gave out. */
function windowOf(cursor: string | undefined, limit: number): ListWindow | null {
  if (cursor === undefined) return { limit };
  const after = decodeCursor(cursor);
  return after ? { limit, after } : null;
}

/** The member page (also drawn again, with a refused form and its status, by a POST handler). */
/** The member's page with one list's cursor kept (none: the page as it is). */
const withCursor = (base: string, param: string, cursor: string | undefined) => (cursor ? `${base}?${param}=${encodeURIComponent(cursor)}` : base);

export async function memberPage(c: Context<DashboardEnv>, id: string, forms: MemberForms = {}, status: 200 | 400 | 403 | 409 = 200) {
  const { db } = c.get("services");
  const companyId = c.get("session").companyId;
  // Only a plain GET pages through the history; a form drawn again shows the newest rows.
  const ledgerCursor = status === 200 ? c.req.query("ledger") : undefined;
  const redemptionCursor = status === 200 ? c.req.query("redemptions") : undefined;
  const ledgerWindow = windowOf(ledgerCursor, LEDGER_PAGE);
  const redemptionWindow = windowOf(redemptionCursor, REDEMPTION_PAGE);
  if (!ledgerWindow || !redemptionWindow) return errorPage(c, 400, "This page of the history does not exist. Open the member again from the list.");

  const scope = { companyId, memberId: id };
  const [member, settings, ledger, redemptions, rewards, linkIssuedAt, tier, programme, limits] = await Promise.all([
    getMember(db, companyId, id),
    getSettings(db, companyId),
    listLedger(db, scope, ledgerWindow),
    listRedemptions(db, scope, redemptionWindow),
    listRewards(db, companyId),
    cardLinkIssuedAt(db, scope),
    getMemberTier(db, companyId, id),
    getTierProgramme(db, companyId),
    getLimits(db, companyId),
  ]);
  if (!member || !ledger || !redemptions) return memberNotFound(c);

  const pointsLabel = settings?.pointsLabel ?? "Points";
  const currency = settings?.currency ?? "AUD";
  const name = memberName(member.firstName, member.lastName);
  const base = memberPath(member.id);
  const tierView = tier && programme ? { tier, programme, pointsLabel, currency } : null;
  const adjustOptions = {
    largeAdjustment: limits?.largeAdjustmentPoints ?? null,
    manager: c.get("session").manager,
    countsTowardTier: !!programme && programme.tiers.length > 0 && programme.basis === "points",
  };
  return render(
    c,
    <Layout c={c} section="Members" title={name} notice={status === 200 ? noticeFor(c, notices(pointsLabel)) : null}>
      <p>
        <a href="/dashboard/members">All members</a>
      </p>
      <MemberCard member={member} pointsLabel={pointsLabel} />
      <div class="grid2">
        <section class="card">
          <h2>Change {pointsLabel}</h2>
          <AdjustForm c={c} member={member} form={forms.adjust ?? newAdjustmentForm()} pointsLabel={pointsLabel} {...adjustOptions} />
        </section>
        <TierCard c={c} member={member} view={tierView} form={forms.tier ?? emptyForm(tier ? tierFormValues(tier) : {})} />
        <section class="card">
          <h2>Details</h2>
          <DetailsForm c={c} member={member} form={forms.details ?? emptyForm(detailValues(member))} />
        </section>
        <section class="card">
          <h2>Picture</h2>
          <IconForm c={c} member={member} form={forms.icon ?? emptyForm()} />
        </section>
        <section class="card">
          <h2>{member.status === "active" ? "Deactivate" : "Reactivate"}</h2>
          <StatusForm c={c} member={member} form={forms.status ?? emptyForm()} />
        </section>
        <CardLinkSection c={c} member={member} issuedAt={linkIssuedAt} />
      </div>
      <h2>History of {pointsLabel}</h2>
      <LedgerTable page={ledger} base={withCursor(base, "redemptions", redemptionCursor)} cursor={ledgerCursor} pointsLabel={pointsLabel} />
      {tierView && (programme!.tiers.length > 0 || tier!.changes.length > 0) ? (
        <>
          <h2>Changes of level</h2>
          <TierHistory changes={tier!.changes} />
        </>
      ) : null}
      <h2>Redemptions</h2>
      <RedemptionTable
        page={redemptions}
        base={withCursor(base, "ledger", ledgerCursor)}
        cursor={redemptionCursor}
        pointsLabel={pointsLabel}
        currency={currency}
        rewardTitles={new Map(rewards.map((r) => [r.id, r.title]))}
      />
    </Layout>,
    status,
  );
}

/** Whether the member may be emailed about their points and rewards, and since when. */
function consentText(member: Member): string {
  const at = member.emailConsentAt;
  if (member.emailConsent) return `Agreed to emails about their points and rewards${at === null ? "" : ` on ${dateTime(at)}`}.`;
  if (at === null) return "Has not agreed to emails about their points and rewards: none are sent.";
  return `Does not want emails about their points and rewards since ${dateTime(at)}: none are sent.`;
}

function MemberCard(props: { member: Member; pointsLabel: string }) {
  const { member, pointsLabel } = props;
  // Same origin (the CSP allows images from 'self' only): the icon route the POS uses.
  const icon = iconUrl("", member.companyId, member.id, member.iconVersion);
  const active = member.status === "active";
  return (
    <section class="card member-card" aria-label="Member card">
      {icon ? <img src={icon} alt="" width="64" height="64" /> : null}
      <div>
        <p>
          <strong data-figure="member-name">{memberName(member.firstName, member.lastName)}</strong>{" "}
          <span class={`badge ${member.status}`} data-figure="member-status">
            {active ? "Active" : "Inactive"}
          </span>
        </p>
        <p>
          <span data-figure="balance">{count(member.points)}</span> {pointsLabel}
        </p>
        <ul class="plain">
          {member.email ? <li data-figure="member-email">{member.email}</li> : null}
          {member.phone ? <li data-figure="member-phone">{member.phone}</li> : null}
          {member.cardNumber ? (
            <li>
              Card <span data-figure="member-card">{member.cardNumber}</span>
            </li>
          ) : null}
        </ul>
        <p data-figure="member-email-consent">{consentText(member)}</p>
        <p class="muted">Member since {dateTime(member.createdAt)}</p>
      </div>
    </section>
  );
}
