import { publicOrigin } from "../../kounta/origin";
import { Hono, type Context } from "hono";
import { Adjustment, adjustmentOf, fieldErrors, FORM_ERROR, formBody, MemberPatch, patchFields } from "../../admin/inputs";
import { describeError } from "../../lib/logger";
import { refreshMemberCard, syncMemberCard } from "../../loyalty/cache";
import { adjustPoints } from "../../loyalty/ledger/adjust-points";
import { deactivateMember, getMember, MemberError, reactivateMember, updateMember } from "../../loyalty/members/member-admin";
import { iconType, MAX_ICON_BYTES, removeMemberIcon, setMemberIcon } from "../../loyalty/members/member-icons";
import { getLimits } from "../../loyalty/limits";
import { getSettings } from "../../loyalty/settings";
import type { DashboardEnv } from "../env";
import { keptValues, readForm } from "../forms";
import { count } from "../format";
import { seeOther } from "../layout";
import { dashboardActor } from "../session";
import { ADJUST_FIELDS, DETAIL_FIELDS, memberPath, newAdjustmentForm } from "./member-forms";
import { memberNotFound, memberPage } from "./member-page";

// The member page's forms: GET /dashboard/members/:id, and a POST per change. Each runs the admin
// API's schema and mapping, the same domain call and the same card-cache step as the admin route
// (src/admin/routes/members.ts, points.ts, member-icon.ts), always within the session's company: a
// member of another company is the 404 page, and nothing changes.

type Ctx = Context<DashboardEnv>;

const companyOf = (c: Ctx) => c.get("session").companyId;

/** A duplicate or a missing contact, as a form shows it: beside the field it concerns. */
export function memberErrorFields(err: MemberError): Record<string, string> {
  if (err.field === "email") return { email: "Another member already has this email." };
  if (err.field === "card_number") return { card_number: "Another member already has this card number." };
  return { [FORM_ERROR]: err.message };
}

/** Why a change larger than the company lets anyone but a manager make was refused, and what to do. */
export function managerRequired(most: number, pointsLabel: string, codeSet: boolean): string {
  const what = `A change of more than ${count(most)} ${pointsLabel} at once needs a manager`;
  return codeSet
    ? `${what}: enter the manager code under Manager mode on the Programme page, then send this again. Nothing was changed.`
    : `${what}, and no manager code is set yet: set one under Limits on the Programme page, enter it under Manager mode, then send this again. Nothing was changed.`;
}

/** The member of this company, or null (none, or another company's: the handler answers 404). */
const ownMember = (c: Ctx) => getMember(c.get("services").db, companyOf(c), c.req.param("id") ?? "");

export const memberPageRoutes = new Hono<DashboardEnv>();

memberPageRoutes.get("/members/:id", (c) => memberPage(c, c.req.param("id")));

memberPageRoutes.post("/members/:id", async (c) => {
  const member = await ownMember(c);
  if (!member) return memberNotFound(c);
  const { db, cache } = c.get("services");
  const form = await readForm(c);
  const parsed = MemberPatch.safeParse(formBody(form, DETAIL_FIELDS));
  if (!parsed.success) return memberPage(c, member.id, { details: { values: keptValues(form), errors: fieldErrors(parsed.error.issues) } }, 400);
  const patch = patchFields(parsed.data);
  // The consent box left as it was drawn, with the email unchanged: no change of consent (the member
  // may have unsubscribed since the page was drawn). A changed email takes the box as it is sent.
  const was = form.email_consent_was;
  const emailChanged = patch.email !== undefined && patch.email !== member.email;
  if (typeof was === "string" && patch.emailConsent !== undefined && was === String(patch.emailConsent) && !emailChanged) delete patch.emailConsent;
  let row;
  try {
    row = await updateMember(db, companyOf(c), member.id, patch);
  } catch (err) {
    if (!(err instanceof MemberError)) throw err;
    const status = err.kind === "conflict" ? 409 : 400;
    return memberPage(c, member.id, { details: { values: keptValues(form), errors: memberErrorFields(err) } }, status);
  }
  if (!row) return memberNotFound(c);
  await syncMemberCard(db, cache, companyOf(c), row.id, row.status === "active");
  return seeOther(c, memberPath(row.id), "saved");
});

memberPageRoutes.post("/members/:id/adjust", async (c) => {
  const member = await ownMember(c);
  if (!member) return memberNotFound(c);
  const { db, cache, logger } = c.get("services");
  const companyId = companyOf(c);
  const form = await readForm(c);
  const values = keptValues(form);
  const refuse = (errors: Record<string, string>, status: 400 | 403 | 409) => memberPage(c, member.id, { adjust: { values, errors } }, status);
  const parsed = Adjustment.safeParse(formBody(form, ADJUST_FIELDS));
  if (!parsed.success) return refuse(fieldErrors(parsed.error.issues), 400);
  const result = await adjustPoints(db, adjustmentOf(parsed.data, { companyId, memberId: member.id, actor: dashboardActor(c), manager: c.get("session").manager }));
  const label = async () => (await getSettings(db, companyId))?.pointsLabel ?? "Points";
  switch (result.outcome) {
    case "not_found":
      // Found above, so inactive (the page then says so in place of the form).
      return refuse({ [FORM_ERROR]: `This member is inactive: reactivate them to change their ${await label()}. Nothing was changed.` }, 409);
    case "insufficient":
      return refuse({ points: `Not enough ${await label()}: this member has ${count(result.balance)}, so ${count(result.needed)} cannot be taken away.` }, 409);
    case "manager_required":
      return refuse({ points: managerRequired(result.most, await label(), (await getLimits(db, companyId))?.managerCodeSet ?? false) }, 403);
    case "key_reused":
      // This form was already sent with other values (a page kept open after its change): a fresh
      // key, so sending it again makes the change the merchant now asks for, once.
      return memberPage(
        c,
        member.id,
        {
          adjust: {
            values: { ...values, idempotency_key: newAdjustmentForm().values.idempotency_key! },
            errors: { [FORM_ERROR]: "This form was already used for another change. Nothing more was changed: check the balance and send it again if needed." },
          },
        },
        409,
      );
    case "adjusted":
    case "repeated":
      break;
  }
  // A credit may make a reward affordable: its message is recorded and enqueued (never sent here).
  if (result.outcome === "adjusted" && result.entry.delta > 0) {
    await c.get("services").notifier(publicOrigin(c)).balanceRose(companyId, member.id, result.balance - result.entry.delta, result.balance);
  }
  // The points are committed: a cache failure must not answer an error that invites a second adjustment.
  await refreshMemberCard(db, cache, companyId, member.id).catch((err: unknown) =>
    logger.warn("member card not refreshed", { member_id: member.id, ...describeError(err) }),
  );
  return seeOther(c, memberPath(member.id), "adjusted");
});

memberPageRoutes.post("/members/:id/deactivate", async (c) => {
  const { db, cache } = c.get("services");
  const row = await deactivateMember(db, companyOf(c), c.req.param("id"));
  if (!row) return memberNotFound(c);
  await syncMemberCard(db, cache, companyOf(c), row.id, false);
  return seeOther(c, memberPath(row.id), "deactivated");
});

memberPageRoutes.post("/members/:id/reactivate", async (c) => {
  const { db, cache } = c.get("services");
  let row;
  try {
    row = await reactivateMember(db, companyOf(c), c.req.param("id"));
  } catch (err) {
    if (!(err instanceof MemberError)) throw err;
    return memberPage(c, c.req.param("id"), { status: { values: {}, errors: memberErrorFields(err) } }, 409);
  }
  if (!row) return memberNotFound(c);
  await syncMemberCard(db, cache, companyOf(c), row.id, true);
  return seeOther(c, memberPath(row.id), "reactivated");
});

memberPageRoutes.post("/members/:id/icon", async (c) => {
  const member = await ownMember(c);
  if (!member) return memberNotFound(c);
  const { db, cache } = c.get("services");
  const form = await readForm(c);
  const refuse = (message: string) => memberPage(c, member.id, { icon: { values: {}, errors: { icon: message } } }, 400);
  const file = form.icon;
  if (!(file instanceof File) || file.size === 0) return refuse("Choose a PNG or JPEG image to upload.");
  // The admin API's rules (member-icons.ts): PNG or JPEG by their first bytes, at most 1 MB.
  const contentType = iconType(file.type, new Uint8Array(await file.slice(0, 8).arrayBuffer()));
  if (!contentType) return refuse("This file is not a PNG or JPEG image. Save the picture as PNG or JPEG and upload it again.");
  if (file.size > MAX_ICON_BYTES) return refuse("This picture is larger than 1 MB. Make it smaller and upload it again.");
  const row = await setMemberIcon(db, cache, { companyId: companyOf(c), memberId: member.id, body: await file.arrayBuffer(), contentType });
  if (!row) return memberNotFound(c);
  await syncMemberCard(db, cache, companyOf(c), row.id, row.status === "active");
  return seeOther(c, memberPath(row.id), "icon");
});

memberPageRoutes.post("/members/:id/icon/remove", async (c) => {
  const { db, cache } = c.get("services");
  const row = await removeMemberIcon(db, cache, { companyId: companyOf(c), memberId: c.req.param("id") });
  if (!row) return memberNotFound(c);
  await syncMemberCard(db, cache, companyOf(c), row.id, row.status === "active");
  return seeOther(c, memberPath(row.id), "icon-removed");
});
