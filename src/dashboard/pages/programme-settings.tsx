import type { Context } from "hono";
import { formatMoney } from "../../lib/money";
import type { SettingsPatch } from "../../loyalty/settings";
import { publicOrigin } from "../../kounta/origin";
import type { Company } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { CheckboxField, FormProblems, PostForm, TextArea, TextField, type FormState } from "../forms";
import { defaultJoinTerms } from "../../loyalty/members/join";
import { joinUrlOf } from "./poster";
import { amountText, type FormMapping } from "./programme-forms";

// The programme settings form (PATCH /admin/v1/settings's ProgrammeSettingsPatch). The minimum
// spend is typed in the company's currency ("5.00") and sent as minimum_spend_cents; the value of a
// point stays in whole cents, as the schema takes it (it is usually 1).

export const settingsMapping: FormMapping = {
  fields: {
    points_label: "string",
    intro_text: "nullableString",
    currency: "string",
    expiry_months: "nullableInt",
    auto_enrol: "boolean",
    self_enrol: "boolean",
    join_terms: "nullableString",
    phone_country_code: "nullableString",
    reward_product_id: "nullableString",
    loyalty_payment_method_id: "nullableString",
    point_value_cents: "int",
    points_per_currency_unit: "number",
  },
  money: { minimum_spend: "minimum_spend_cents" },
  required: ["point_value_cents", "points_per_currency_unit", "minimum_spend"],
};

export function settingsFormValues(s: Company): Record<string, string> {
  return {
    points_label: s.pointsLabel,
    intro_text: s.introText ?? "",
    currency: s.currency,
    expiry_months: s.expiryMonths === null ? "" : String(s.expiryMonths),
    auto_enrol: s.autoEnrol ? "true" : "false",
    self_enrol: s.selfEnrol ? "true" : "false",
    join_terms: s.joinTerms ?? "",
    phone_country_code: s.phoneCountryCode ?? "",
    reward_product_id: s.rewardProductId ?? "",
    loyalty_payment_method_id: s.loyaltyPaymentMethodId ?? "",
    point_value_cents: String(s.pointValueCents),
    points_per_currency_unit: String(s.pointsPerCurrencyUnit),
    minimum_spend: amountText(s.minimumSpendCents),
  };
}

/**
 * Only the settings that differ from the company's: the form sends every field, and a setting
 * sent unchanged would still do its work (an expiry invalidates every cached member card).
 */
export function changedSettings(patch: SettingsPatch, current: Company): SettingsPatch {
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(patch) as (keyof SettingsPatch)[]) {
    if (patch[key] !== undefined && patch[key] !== current[key]) changed[key] = patch[key];
  }
  return changed as SettingsPatch;
}

export function SettingsForm(props: { c: Context<DashboardEnv>; settings: Company; form: FormState }) {
  const { c, settings, form } = props;
  const label = settings.pointsLabel;
  const unit = formatMoney(100, settings.currency);
  const joinUrl = joinUrlOf(publicOrigin(c), settings.id);
  return (
    <section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <FormProblems form={form} />
      <PostForm c={c} action="/dashboard/programme" label="Programme settings">
        <fieldset>
          <legend>What the POS shows</legend>
          <TextField form={form} name="points_label" label="Name of your points" maxlength={30} hint="What the POS calls points under every balance, e.g. Points or Beans." />
          <TextArea form={form} name="intro_text" label="Intro text (optional)" maxlength={200} hint="One line the POS shows above the rewards; leave it empty for none." />
        </fieldset>
        <fieldset>
          <legend>Earning</legend>
          <TextField
            form={form}
            name="points_per_currency_unit"
            label={`${label} per ${unit} spent`}
            inputmode="decimal"
            hint={`How many ${label} a member earns for each ${unit} spent, e.g. 1 (up to 1000; 0.5 is one for every ${formatMoney(200, settings.currency)}).`}
          />
          <TextField
            form={form}
            name="minimum_spend"
            label={`Minimum spend to earn, in ${settings.currency}`}
            inputmode="decimal"
            hint={`A sale below this amount earns no ${label}; 0.00 lets every sale earn.`}
          />
          <TextField
            form={form}
            name="expiry_months"
            label={`${label} expire after (months, optional)`}
            inputmode="numeric"
            hint={`${label} expire this many months after they were earned, oldest first (1 to 120); leave it empty so they never expire.`}
          />
          <CheckboxField form={form} name="auto_enrol" label="Enrol customers automatically" hint="A Kounta customer with an email or phone becomes a member on their first sale." />
        </fieldset>
        <fieldset>
          <legend>Joining</legend>
          <CheckboxField
            form={form}
            name="self_enrol"
            label="Customers can join themselves"
            hint="Customers join at your join page (the QR code on your poster) and get their own card; when off, that page tells them to ask at the counter."
          />
          <TextArea
            form={form}
            name="join_terms"
            label="What customers agree to when they join (optional)"
            maxlength={1000}
            hint={`Shown next to the tick box on the join page; leave it empty for: "${defaultJoinTerms(settings.name)}"`}
          />
          <p class="muted">
            Your join page: <a href={joinUrl}>{joinUrl}</a>. <a href="/dashboard/poster">Print the poster with its QR code</a>.
          </p>
        </fieldset>
        <fieldset>
          <legend>Rewards and paying with {label}</legend>
          <TextField
            form={form}
            name="point_value_cents"
            label={`What each of your ${label} is worth, in cents`}
            inputmode="numeric"
            hint={`What each of their ${label} pays when a member pays with ${label}, in whole cents, e.g. 1 for one cent each.`}
          />
          <TextField
            form={form}
            name="reward_product_id"
            label="Reward product (Kounta product id)"
            inputmode="numeric"
            hint="The Kounta product an amount-off reward adds to the sale at a negative price; set it up tax-free in Kounta."
          />
          <TextField
            form={form}
            name="loyalty_payment_method_id"
            label="Loyalty payment method (Kounta payment method id)"
            inputmode="numeric"
            hint={`The Kounta payment method a pay-with-${label} reward pays with.`}
          />
        </fieldset>
        <fieldset>
          <legend>Region</legend>
          <TextField form={form} name="currency" label="Currency" maxlength={3} hint="The three-letter code of the currency your prices are in, e.g. AUD." />
          <TextField
            form={form}
            name="phone_country_code"
            label="Phone country code (optional)"
            inputmode="numeric"
            hint="Your country's calling code without +, e.g. 61, so 0412 345 678 and +61 412 345 678 find the same member."
          />
        </fieldset>
        <div class="actions">
          <button type="submit">Save the settings</button>
        </div>
      </PostForm>
    </section>
  );
}
