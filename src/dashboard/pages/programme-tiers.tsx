import type { Context } from "hono";
import { FORM_ERROR, formBody, TiersPut, type FormValues, type TiersPutBody } from "../../admin/inputs";
import { formatMoney } from "../../lib/money";
import { MAX_TIERS, type TierProgramme } from "../../loyalty/tiers/tiers";
import type { DashboardEnv } from "../env";
import { CheckboxField, FormProblems, keptValues, PostForm, SelectField, TextField, type FormState } from "../forms";
import { amountText, centsOf, MUST_NOT_BE_EMPTY, NOT_AN_AMOUNT, type Validated } from "./programme-forms";

// The tiers form (PUT /admin/v1/tiers's TiersPut, written as a whole by putTierProgramme): what a
// level counts, and up to six rows of name, threshold and multiplier. A row keeps its tier's id in a
// hidden field (its members and rewards stay with it); a tier's "remove" box leaves it out; an empty
// row adds a tier. Rows go in threshold order, whatever order they were typed in. On the spend basis a
// threshold is an amount in the company's currency ("500.00"), sent as cents.

const ROW_FIELDS = ["id", "name", "threshold", "multiplier"] as const;
export const rowField = (row: number, field: (typeof ROW_FIELDS)[number] | "remove") => `tier_${row}_${field}`;

/** The message of the schema for two thresholds in the wrong order: rows are sorted first, so only a tie is left. */
const ORDER_MESSAGE = "Must be more than the tier before's";
export const SAME_THRESHOLD = "Another tier has the same threshold";
export const CLEARED_ROW = "Give the tier a name and a threshold, or tick Remove this tier";

/** The form's starting values: the programme as stored, thresholds as the basis writes them. */
export function tiersFormValues(p: TierProgramme): Record<string, string> {
  const values: Record<string, string> = { basis: p.basis, window: p.window, window_months: String(p.windowMonths) };
  p.tiers.forEach((t, row) => {
    values[rowField(row, "id")] = t.id;
    values[rowField(row, "name")] = t.name;
    values[rowField(row, "threshold")] = p.basis === "spend" ? amountText(t.threshold) : String(t.threshold);
    values[rowField(row, "multiplier")] = String(t.multiplier);
  });
  return values;
}

const blank = (v: unknown) => v === undefined || (typeof v === "string" && v.trim() === "");

/** The posted form through TiersPut: its output, or one message per form field. */
export function readTiersForm(form: FormValues): Validated<TiersPutBody> {
  const top = formBody(form, { basis: "string", window: "string", window_months: "int" });
  const spend = top.basis === "spend";
  const own: Record<string, string> = {};
  const items: Array<{ row: number; item: Record<string, unknown> }> = [];
  for (let row = 0; row < MAX_TIERS; row++) {
    const sent = formBody(form, {
      [rowField(row, "id")]: "optionalString",
      [rowField(row, "name")]: "string",
      [rowField(row, "threshold")]: spend ? "string" : "int",
      [rowField(row, "multiplier")]: "number",
      [rowField(row, "remove")]: "boolean",
    });
    if (sent[rowField(row, "remove")] === true) continue;
    const id = sent[rowField(row, "id")];
    const typed = (["name", "threshold", "multiplier"] as const).map((f) => form[rowField(row, f)]);
    if (id === undefined && typed.every(blank)) continue;
    if (typed.every(blank)) own[rowField(row, "name")] = CLEARED_ROW;
    const item: Record<string, unknown> = { name: sent[rowField(row, "name")] ?? "" };
    if (id !== undefined) item.id = id;
    const threshold = sent[rowField(row, "threshold")];
    if (blank(form[rowField(row, "threshold")])) own[rowField(row, "threshold")] = MUST_NOT_BE_EMPTY;
    else if (spend) {
      const cents = typeof threshold === "string" ? centsOf(threshold) : null;
      if (cents === null) own[rowField(row, "threshold")] = NOT_AN_AMOUNT;
      item.threshold = cents ?? threshold;
    } else item.threshold = threshold;
    if (sent[rowField(row, "multiplier")] !== undefined) item.multiplier = sent[rowField(row, "multiplier")];
    items.push({ row, item });
  }
  // Lowest first, as the schema wants them (a new tier typed in the last row may go anywhere).
  if (items.every((i) => typeof i.item.threshold === "number")) items.sort((a, b) => (a.item.threshold as number) - (b.item.threshold as number));
  const parsed = TiersPut.safeParse({ ...top, tiers: items.map((i) => i.item) });
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [first, index, field] = issue.path;
      let name: string = FORM_ERROR;
      let message = issue.message;
      if (first === "tiers" && typeof index === "number" && typeof field === "string" && field !== "id") {
        name = rowField(items[index]!.row, field as (typeof ROW_FIELDS)[number]);
        if (message === ORDER_MESSAGE) message = SAME_THRESHOLD;
      } else if (first === "basis" || first === "window" || first === "window_months") name = first;
      else if (first === "tiers") message = `At most ${MAX_TIERS} tiers`;
      if (!(name in errors)) errors[name] = message;
    }
  }
  Object.assign(errors, own);
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, data: parsed.data };
  return { ok: false, errors };
}

/** What was typed, each remove box as sent ("true" or "false"). */
export function keptTiersValues(form: FormValues): Record<string, string> {
  const values = keptValues(form);
  for (let row = 0; row < MAX_TIERS; row++) {
    const name = rowField(row, "remove");
    values[name] = formBody(form, { [name]: "boolean" })[name] === true ? "true" : "false";
  }
  return values;
}

function TierRow(props: { form: FormState; row: number; thresholdLabel: string }) {
  const { form, row } = props;
  const id = form.values[rowField(row, "id")];
  return (
    <fieldset data-tier-row={row}>
      <legend>{id ? `Tier ${row + 1}` : "A new tier (leave empty for none)"}</legend>
      {id ? <input type="hidden" name={rowField(row, "id")} value={id} /> : null}
      <div class="tier-row">
        <TextField form={form} idPrefix="t" name={rowField(row, "name")} label="Name" maxlength={30} autocomplete="off" />
        <TextField form={form} idPrefix="t" name={rowField(row, "threshold")} label={props.thresholdLabel} inputmode="decimal" />
        <TextField form={form} idPrefix="t" name={rowField(row, "multiplier")} label="Earning multiplier" inputmode="decimal" placeholder="1" />
        {id ? (
          <div class="remove">
            <CheckboxField form={form} idPrefix="t" name={rowField(row, "remove")} label="Remove this tier" />
          </div>
        ) : null}
      </div>
    </fieldset>
  );
}

export function TiersSection(props: { c: Context<DashboardEnv>; form: FormState; programme: TierProgramme; currency: string; pointsLabel: string }) {
  const { c, form, currency, pointsLabel } = props;
  const spend = (form.values.basis ?? props.programme.basis) === "spend";
  return (
    <section class="card" aria-labelledby="tiers-title" id="tiers">
      <h2 id="tiers-title">Tiers</h2>
      <p>
        Levels that reward regulars: a member reaches a tier when what they earned (or spent) in the window reaches its threshold, and earns more{" "}
        {pointsLabel} on every sale by its multiplier (after the earning rules). A reward can be kept for members of a tier and above. Up to {MAX_TIERS}{" "}
        tiers; none: no levels.
      </p>
      <FormProblems form={form} />
      <PostForm c={c} action="/dashboard/programme/tiers" label="Tiers">
        <fieldset>
          <legend>What the levels count</legend>
          <SelectField
            form={form}
            idPrefix="t"
            name="basis"
            label="Count"
            options={[
              { value: "points", label: `${pointsLabel} earned on sales` },
              { value: "spend", label: `Amount spent, in ${currency}` },
            ]}
            hint={`${pointsLabel} earned count less what refunds took back, never ${pointsLabel} spent or expired; a change by hand counts only when it is marked to. The amount spent counts the sales that earned.`}
          />
          <SelectField
            form={form}
            idPrefix="t"
            name="window"
            label="Over"
            options={[
              { value: "rolling", label: "A rolling window of months" },
              { value: "calendar_year", label: "The calendar year (UTC)" },
            ]}
          />
          <TextField
            form={form}
            idPrefix="t"
            name="window_months"
            label="Months before the current one (rolling window)"
            inputmode="numeric"
            hint="12: this month and the 12 before it (1 to 36). A member goes down a level when old sales leave the window, checked once a day."
          />
        </fieldset>
        <p class="muted">
          Threshold: {spend ? `the amount spent in ${currency}, e.g. 500.00 for ${formatMoney(50000, currency)}` : `the ${pointsLabel} earned, e.g. 500`}. A
          member below the lowest threshold has no level (a lowest tier at 0 gives everyone one). Multiplier: 1 for none, 1.5 for half as many{" "}
          {pointsLabel} again (up to 10). Changing what the levels count? Type the thresholds in the new unit.
        </p>
        {Array.from({ length: MAX_TIERS }, (_, row) => (
          <TierRow form={form} row={row} thresholdLabel={spend ? `Threshold, in ${currency}` : `Threshold, in ${pointsLabel}`} />
        ))}
        <div class="actions">
          <button type="submit">Save the tiers</button>
        </div>
      </PostForm>
    </section>
  );
}
