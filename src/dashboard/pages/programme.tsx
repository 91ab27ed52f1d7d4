import type { Context } from "hono";
import { Hono } from "hono";
import { NewEarningRule, newEarningRuleInput, ProgrammeSettingsPatch, settingsPatch } from "../../admin/inputs";
import { createEarningRule, deleteEarningRule, listEarningRules } from "../../loyalty/earning/earning-rules";
import { getSettings, updateSettings } from "../../loyalty/settings";
import type { DashboardEnv } from "../env";
import { errorPage } from "../error-page";
import { emptyForm, readForm, type FormState } from "../forms";
import { Layout, noticeFor, render, seeOther, type Notices } from "../layout";
import { keptFormValues, validateForm } from "./programme-forms";
import { duplicateRule, EarningRules, isEarningRuleKind, ruleMapping, type RuleForms } from "./programme-rules";
import { changedSettings, SettingsForm, settingsFormValues, settingsMapping } from "./programme-settings";

// The programme page: the settings (as PATCH /admin/v1/settings changes them; updateSettings
// writes the change through to the POS's catalogue and cards) and the earning rules (as
// POST and DELETE /admin/v1/earning-rules add and remove them).

type Ctx = Context<DashboardEnv>;

const notices: Notices = {
  saved: "The settings were saved: the POS and earning use them from now on.",
  unchanged: "Nothing had changed: the settings are as they were.",
  "rule-added": "The rule was added: sales from now on earn by it.",
  "rule-removed": "The rule was removed: sales from now on earn without it.",
};

async function programmePage(c: Ctx, status: 200 | 400 | 409, forms: { settings?: FormState; rules?: RuleForms } = {}) {
  const { db } = c.get("services");
  const companyId = c.get("session").companyId;
  const [settings, rules] = await Promise.all([getSettings(db, companyId), listEarningRules(db, companyId)]);
  // A session exists only for a company that exists (its row is never deleted).
  if (!settings) throw new Error("signed-in company has no row");
  return render(
    c,
    <Layout c={c} section="Programme" title="Programme" notice={status === 200 ? noticeFor(c, notices) : null}>
      <p>How members earn {settings.pointsLabel}, what the POS shows them, and what the rewards use.</p>
      <SettingsForm c={c} settings={settings} form={forms.settings ?? emptyForm(settingsFormValues(settings))} />
      <EarningRules c={c} rules={rules} forms={forms.rules ?? {}} pointsLabel={settings.pointsLabel} />
    </Layout>,
    status,
  );
}

export const programmeRoutes = new Hono<DashboardEnv>()
  .get("/programme", (c) => programmePage(c, 200))
  .post("/programme", async (c) => {
    const { db, cache } = c.get("services");
    const companyId = c.get("session").companyId;
    const form = await readForm(c);
    const result = validateForm(ProgrammeSettingsPatch, form, settingsMapping);
    if (!result.ok) return programmePage(c, 400, { settings: { values: keptFormValues(form, settingsMapping), errors: result.errors } });
    const current = await getSettings(db, companyId);
    if (!current) throw new Error("signed-in company has no row");
    const patch = changedSettings(settingsPatch(result.data), current);
    if (Object.keys(patch).length === 0) return seeOther(c, "/dashboard/programme", "unchanged");
    await updateSettings(db, cache, { companyId, patch });
    return seeOther(c, "/dashboard/programme", "saved");
  })
  .post("/programme/rules", async (c) => {
    const { db } = c.get("services");
    const form = await readForm(c);
    // The kind comes from the form's hidden field: only a forged or broken form lacks one.
    if (!isEarningRuleKind(form.kind)) return errorPage(c, 400, "This request could not be read. Nothing was changed.");
    const kind = form.kind;
    const mapping = ruleMapping(kind);
    const values = keptFormValues(form, mapping);
    const result = validateForm(NewEarningRule, form, mapping);
    if (!result.ok) return programmePage(c, 400, { rules: { [kind]: { values, errors: result.errors } } });
    const rule = await createEarningRule(db, newEarningRuleInput(result.data, c.get("session").companyId));
    if (!rule) return programmePage(c, 409, { rules: { [kind]: { values, errors: { target_id: duplicateRule(kind) } } } });
    return seeOther(c, "/dashboard/programme", "rule-added");
  })
  .post("/programme/rules/:id/delete", async (c) => {
    const rule = await deleteEarningRule(c.get("services").db, { companyId: c.get("session").companyId, id: c.req.param("id") });
    if (!rule) return errorPage(c, 404, "There is no such earning rule in your programme.");
    return seeOther(c, "/dashboard/programme", "rule-removed");
  });
