import { Hono } from "hono";
import { NewEarningRule, newEarningRuleInput, ProgrammeSettingsPatch, settingsPatch } from "../../admin/inputs";
import { createEarningRule, deleteEarningRule } from "../../loyalty/earning/earning-rules";
import { getSettings, updateSettings } from "../../loyalty/settings";
import type { DashboardEnv } from "../env";
import { errorPage } from "../error-page";
import { readForm } from "../forms";
import { seeOther } from "../layout";
import { programmeActionRoutes } from "./programme-actions";
import { keptFormValues, validateForm } from "./programme-forms";
import { programmePage } from "./programme-page";
import { duplicateRule, isEarningRuleKind, ruleMapping } from "./programme-rules";
import { changedSettings, settingsMapping } from "./programme-settings";

// The programme page's routes: the settings (as PATCH /admin/v1/settings changes them;
// updateSettings writes the change through to the POS's catalogue and cards) and the earning rules
// (as POST and DELETE /admin/v1/earning-rules add and remove them) here; the tiers, the limits and
// manager mode in programme-actions.tsx.

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
  })
  .route("/", programmeActionRoutes);
