import type { Context } from "hono";
import { Hono } from "hono";
import { adminErrorFields, NewReward, newRewardInput, RewardOrder, RewardPatch, rewardPatch } from "../../admin/inputs";
import { createReward, deactivateReward, getReward, listRewards, reorderRewards, updateReward, type RewardChange } from "../../loyalty/rewards/reward-admin";
import { getSettings } from "../../loyalty/settings";
import { getTierProgramme, type TierLevel } from "../../loyalty/tiers/tiers";
import type { Company, Reward, RewardKind } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { errorPage } from "../error-page";
import { emptyForm, readForm, type FormState } from "../forms";
import { noticeFor, render, seeOther, type Notices } from "../layout";
import { keptFormValues, validateForm } from "./programme-forms";
import { KindChooserPage, RewardFormPage } from "./reward-form";
import { isRewardKind, newRewardMapping, rewardFormValues, rewardPatchMapping } from "./reward-kinds";
import { RewardListPage } from "./reward-list";

// The rewards pages: the list in POS order, add, edit, reorder, deactivate and reactivate. Every
// change goes through the admin API's schemas and the same domain functions as /admin/v1/rewards,
// which write the change through to the POS's reward catalogue before they answer.

type Ctx = Context<DashboardEnv>;

const notices: Notices = {
  created: "The reward was added: the POS offers it from now on.",
  saved: "The reward was saved: the POS shows the change from its next lookup.",
  ordered: "The new order was saved: the POS lists the rewards in this order.",
  deactivated: "The reward is off the POS. Its history stays, and Reactivate brings it back.",
  reactivated: "The reward is back on the POS.",
};

export const TIER_REMOVED =
  "This reward was for a tier that has since been removed, so it was not brought back: edit it, choose who it is for (a tier, or every member) and tick Active.";

const ORDER_REFUSED =
  "The new order could not be saved: the list had changed in the meantime. Nothing was changed; this is the current order, try again.";

async function programme(c: Ctx): Promise<Company> {
  const settings = await getSettings(c.get("services").db, c.get("session").companyId);
  // A session exists only for a company that exists (its row is never deleted).
  if (!settings) throw new Error("signed-in company has no row");
  return settings;
}

/** The company's tiers (a reward may be for one of them and above). */
async function tiersOf(c: Ctx): Promise<TierLevel[]> {
  return (await getTierProgramme(c.get("services").db, c.get("session").companyId))?.tiers ?? [];
}

/** A reward's form page (new or edit): the programme's settings and tiers with it. */
async function formPage(c: Ctx, kind: RewardKind, form: FormState, status: 200 | 400, reward?: Reward) {
  const [settings, tiers] = await Promise.all([programme(c), tiersOf(c)]);
  return render(c, <RewardFormPage c={c} settings={settings} tiers={tiers} kind={kind} reward={reward} form={form} />, status);
}

export const CHOOSE_A_TIER = "Choose one of the programme's tiers.";

const noSuchReward = (c: Ctx) => errorPage(c, 404, "There is no such reward in your programme.");

async function listPage(c: Ctx, status: 200 | 400 | 409, problem?: string) {
  const companyId = c.get("session").companyId;
  const [settings, rewards, tiers] = await Promise.all([programme(c), listRewards(c.get("services").db, companyId), tiersOf(c)]);
  const notice = status === 200 ? noticeFor(c, notices) : null;
  return render(c, <RewardListPage c={c} settings={settings} rewards={rewards} tiers={tiers} notice={notice} problem={problem} />, status);
}

const editPage = (c: Ctx, reward: Reward, form: FormState, status: 200 | 400) => formPage(c, reward.kind, form, status, reward);

/** The refusal of a change the schema accepted, as the edit form shows it (not found is the 404 page). */
async function refusedChange(c: Ctx, reward: Reward, form: FormState, result: Extract<RewardChange, { ok: false }>) {
  if (result.error === "not_found") return noSuchReward(c);
  const errors = adminErrorFields(result);
  if (errors.min_tier_id) errors.min_tier_id = CHOOSE_A_TIER;
  return editPage(c, reward, { values: form.values, errors }, 400);
}

export const rewardsRoutes = new Hono<DashboardEnv>()
  .get("/rewards", (c) => listPage(c, 200))
  .get("/rewards/new", async (c) => {
    const kind = c.req.query("kind");
    if (!isRewardKind(kind)) return render(c, <KindChooserPage c={c} />);
    return formPage(c, kind, emptyForm(), 200);
  })
  .post("/rewards", async (c) => {
    const { db, cache } = c.get("services");
    const form = await readForm(c);
    // The kind comes from the page the form was on: only a forged or broken form lacks one.
    if (!isRewardKind(form.kind)) return errorPage(c, 400, "This request could not be read. Nothing was changed.");
    const mapping = newRewardMapping(form.kind);
    const result = validateForm(NewReward, form, mapping);
    if (!result.ok) return formPage(c, form.kind, { values: keptFormValues(form, mapping), errors: result.errors }, 400);
    const created = await createReward(db, cache, newRewardInput(result.data, c.get("session").companyId));
    // The schema took the form: only a tier not (or no longer) the company's is refused.
    if (!created.ok) return formPage(c, form.kind, { values: keptFormValues(form, mapping), errors: { min_tier_id: CHOOSE_A_TIER } }, 400);
    return seeOther(c, "/dashboard/rewards", "created");
  })
  .post("/rewards/order", async (c) => {
    const { db, cache } = c.get("services");
    const sent = (await readForm(c)).ids;
    const parsed = RewardOrder.safeParse({ ids: sent === undefined ? [] : Array.isArray(sent) ? sent : [sent] });
    if (!parsed.success) return listPage(c, 400, ORDER_REFUSED);
    const result = await reorderRewards(db, cache, { companyId: c.get("session").companyId, ids: parsed.data.ids });
    if (!result.ok) return listPage(c, 400, ORDER_REFUSED);
    return seeOther(c, "/dashboard/rewards", "ordered");
  })
  .get("/rewards/:id", async (c) => {
    const reward = await getReward(c.get("services").db, c.get("session").companyId, c.req.param("id"));
    if (!reward) return noSuchReward(c);
    return editPage(c, reward, emptyForm(rewardFormValues(reward)), 200);
  })
  .post("/rewards/:id", async (c) => {
    const { db, cache } = c.get("services");
    const companyId = c.get("session").companyId;
    const reward = await getReward(db, companyId, c.req.param("id"));
    if (!reward) return noSuchReward(c);
    const form = await readForm(c);
    const mapping = rewardPatchMapping(reward.kind);
    const result = validateForm(RewardPatch, form, mapping);
    if (!result.ok) return editPage(c, reward, { values: keptFormValues(form, mapping), errors: result.errors }, 400);
    const change = await updateReward(db, cache, { companyId, id: reward.id, patch: rewardPatch(result.data) });
    if (!change.ok) return refusedChange(c, reward, emptyForm(keptFormValues(form, mapping)), change);
    return seeOther(c, "/dashboard/rewards", "saved");
  })
  .post("/rewards/:id/deactivate", async (c) => {
    const { db, cache } = c.get("services");
    const change = await deactivateReward(db, cache, { companyId: c.get("session").companyId, id: c.req.param("id") });
    if (!change.ok) return noSuchReward(c);
    return seeOther(c, "/dashboard/rewards", "deactivated");
  })
  .post("/rewards/:id/reactivate", async (c) => {
    // As PATCH /rewards/{id} with { active: true } (the admin API's way back).
    const { db, cache } = c.get("services");
    const change = await updateReward(db, cache, { companyId: c.get("session").companyId, id: c.req.param("id"), patch: { active: true } });
    if (!change.ok) return change.error === "not_found" ? noSuchReward(c) : listPage(c, 409, TIER_REMOVED);
    return seeOther(c, "/dashboard/rewards", "reactivated");
  });
