import { Hono, type Context } from "hono";
import { FORM_ERROR, limitsPatch, NotificationSettingsPatch, notificationSettingsPatch, tierInputs } from "../../admin/inputs";
import { getLimits, isManagerCode, returnManagerTry, takeManagerTry, updateLimits } from "../../loyalty/limits";
import { updateNotificationSettings } from "../../loyalty/notifications/settings";
import { putTierProgramme, getTierProgramme } from "../../loyalty/tiers/tiers";
import { leaveManagerMode, MANAGER_TRIES, recordManagerTry } from "../../storage/dashboard-sessions";
import type { DashboardEnv } from "../env";
import { keptValues, readForm } from "../forms";
import { seeOther } from "../layout";
import { keptFormValues, validateForm } from "./programme-forms";
import { keptLimitsValues, readLimitsForm, withCodeRetyped } from "./programme-limits";
import { messagesMapping } from "./programme-messages";
import { programmePage } from "./programme-page";
import { keptTiersValues, readTiersForm, tiersFormValues } from "./programme-tiers";

// The programme page's tiers, limits and messages forms (as PUT /admin/v1/tiers, PATCH
// /admin/v1/limits and PATCH /admin/v1/notifications/settings), and manager mode: the manager code
// entered in this session (five wrong tries, then no more), and leaving it. A refusal draws the page
// again with what was typed (never a code) and changes nothing.

type Ctx = Context<DashboardEnv>;

const PATH = "/dashboard/programme";

export const LIMITS_NEED_MANAGER =
  "Only a manager can change the limits: enter the manager code under Manager mode above, then save them again. Nothing was changed.";
export const TIERS_CHANGED =
  "The tiers had changed in the meantime (in another window, or through the admin API): nothing was saved. These are the tiers now: make your change again.";
export const NO_MANAGER_CODE = "No manager code is set yet: set one in the Limits form below first.";
export const NO_TRIES_LEFT = "This session has tried too many wrong codes. Sign out and sign in again to try again.";
export const ENTER_THE_CODE = "Enter the manager code.";
export const companyTriesSpent = (msLeft: number) => {
  const minutes = Math.max(1, Math.ceil(msLeft / 60_000));
  return `Too many wrong manager codes have been tried for this company in the last hour. Try again in ${minutes === 1 ? "a minute" : `${minutes} minutes`}, or set a new code with a manager's API key (PATCH /admin/v1/limits).`;
};

export const wrongCode = (left: number) =>
  left > 0 ? `That is not the manager code. ${left === 1 ? "One try" : `${left} tries`} left in this session.` : `That is not the manager code. ${NO_TRIES_LEFT}`;

export const rewardNeedsTier = (reward: string, tier: string) =>
  `The reward “${reward}” is for ${tier} members and above: change it (or deactivate it) under Rewards before removing ${tier}. Nothing was saved.`;

const companyOf = (c: Ctx) => c.get("session").companyId;

async function saveTiers(c: Ctx) {
  const { db, cache } = c.get("services");
  const form = await readForm(c);
  const values = keptTiersValues(form);
  const result = readTiersForm(form);
  if (!result.ok) return programmePage(c, 400, { tiers: { values, errors: result.errors } });
  const body = result.data;
  const saved = await putTierProgramme(db, cache, {
    companyId: companyOf(c),
    basis: body.basis,
    window: body.window,
    windowMonths: body.window_months,
    tiers: tierInputs(body),
  });
  if (saved.outcome === "in_use") return programmePage(c, 409, { tiers: { values, errors: { [FORM_ERROR]: rewardNeedsTier(saved.reward, saved.tier) } } });
  if (saved.outcome === "unknown_tier" || saved.outcome === "changed_meanwhile") {
    const now = await getTierProgramme(db, companyOf(c));
    return programmePage(c, 409, { tiers: { values: now ? tiersFormValues(now) : {}, errors: { [FORM_ERROR]: TIERS_CHANGED } } });
  }
  return seeOther(c, PATH, "tiers-saved");
}

async function saveLimits(c: Ctx) {
  const { db } = c.get("services");
  const form = await readForm(c);
  const values = keptLimitsValues(form);
  const current = await getLimits(db, companyOf(c));
  if (!current) throw new Error("signed-in company has no row");
  // Until a code is set anyone may save (the first code is set so); from then on, a manager only.
  if (current.managerCodeSet && !c.get("session").manager) {
    return programmePage(c, 403, { limits: { values, errors: withCodeRetyped(form, { [FORM_ERROR]: LIMITS_NEED_MANAGER }) } });
  }
  const result = readLimitsForm(form);
  if (!result.ok) return programmePage(c, 400, { limits: { values, errors: result.errors } });
  // Without manager mode only while no code is set, checked in the UPDATE itself (a code set meanwhile wins).
  const manager = c.get("session").manager;
  const saved = await updateLimits(db, companyOf(c), limitsPatch(result.data), Date.now(), { onlyWhileNoManagerCode: !manager });
  if (!saved) return programmePage(c, 403, { limits: { values, errors: withCodeRetyped(form, { [FORM_ERROR]: LIMITS_NEED_MANAGER }) } });
  const firstCode = !current.managerCodeSet && typeof result.data.manager_code === "string";
  return seeOther(c, PATH, firstCode ? "limits-code-set" : "limits-saved");
}

async function saveMessages(c: Ctx) {
  const form = await readForm(c);
  const result = validateForm(NotificationSettingsPatch, form, messagesMapping);
  if (!result.ok) return programmePage(c, 400, { messages: { values: keptFormValues(form, messagesMapping), errors: result.errors } });
  const saved = await updateNotificationSettings(c.get("services").db, companyOf(c), notificationSettingsPatch(result.data));
  if (!saved) throw new Error("signed-in company has no row");
  return seeOther(c, PATH, "messages-saved");
}

async function enterManagerMode(c: Ctx) {
  const { db } = c.get("services");
  const session = c.get("session");
  const form = await readForm(c);
  // The message goes under the code while the page still draws its field, at the top of the section otherwise.
  const refuse = (status: 400 | 403 | 409, message: string, field = "manager_code") =>
    programmePage(c, status, { manager: { values: {}, errors: { [field]: message } } });
  if (session.manager) return seeOther(c, PATH, "manager-on");
  const limits = await getLimits(db, session.companyId);
  if (!limits?.managerCodeSet) return refuse(409, NO_MANAGER_CODE, FORM_ERROR);
  if (session.managerTries >= MANAGER_TRIES) return refuse(403, NO_TRIES_LEFT, FORM_ERROR);
  const code = keptValues(form).manager_code?.trim() ?? "";
  if (code === "") return refuse(400, ENTER_THE_CODE);
  // The company's hour of tries first (every session together), then this session's own: both
  // counted in D1, where the caps are the statements' own, so posts at once cannot pass either.
  const company = await takeManagerTry(db, session.companyId);
  if (!company.ok) return refuse(403, companyTriesSpent(company.until - Date.now()), FORM_ERROR);
  const right = await isManagerCode(db, session.companyId, code);
  const counted = await recordManagerTry(db, session.idHash, right);
  if (right || !counted) await returnManagerTry(db, session.companyId);
  if (!counted) {
    c.set("session", { ...session, managerTries: MANAGER_TRIES });
    return refuse(403, NO_TRIES_LEFT, FORM_ERROR);
  }
  if (right) return seeOther(c, PATH, "manager-on");
  const tries = session.managerTries + 1;
  c.set("session", { ...session, managerTries: tries });
  return refuse(403, wrongCode(MANAGER_TRIES - tries), tries >= MANAGER_TRIES ? FORM_ERROR : "manager_code");
}

export const programmeActionRoutes = new Hono<DashboardEnv>()
  .post("/programme/tiers", saveTiers)
  .post("/programme/limits", saveLimits)
  .post("/programme/messages", saveMessages)
  .post("/manager", enterManagerMode)
  .post("/manager/leave", async (c) => {
    await leaveManagerMode(c.get("services").db, c.get("session").idHash);
    return seeOther(c, PATH, "manager-off");
  })
  .get("/manager", (c) => seeOther(c, `${PATH}#manager`));
