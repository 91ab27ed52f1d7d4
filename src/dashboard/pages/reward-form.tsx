import type { Context } from "hono";
import { formatMoney } from "../../lib/money";
import type { TierLevel } from "../../loyalty/tiers/tiers";
import type { Company, Reward, RewardKind } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { CheckboxField, FormProblems, PostForm, SelectField, TextArea, TextField, type FormState } from "../forms";
import { Layout } from "../layout";
import { kindNames, kindsOffered } from "./reward-kinds";

// The pages that add and edit a reward: first the kind, then the fields of that kind.

type Ctx = Context<DashboardEnv>;

export function KindChooserPage(props: { c: Ctx }) {
  return (
    <Layout c={props.c} section="Rewards" title="Add a reward">
      <p>First choose what the reward gives the member.</p>
      <div class="grid2">
        {kindsOffered.map((kind) => (
          <section class="card">
            <h2>
              <a href={`/dashboard/rewards/new?kind=${kind}`}>{kindNames[kind].name}</a>
            </h2>
            <p class="muted">{kindNames[kind].description}</p>
          </section>
        ))}
      </div>
      <p>
        <a href="/dashboard/rewards">Back to the rewards</a>
      </p>
    </Layout>
  );
}

/** What redeeming a reward of this kind needs from the programme settings, when it is not set. */
function SetupWarning(props: { kind: RewardKind; settings: Company }) {
  const { kind, settings } = props;
  let missing: string | null = null;
  if (kind === "amount_off" && !settings.rewardProductId) missing = "the reward product (the POS takes the amount off with it)";
  if (kind === "points_payment" && !settings.loyaltyPaymentMethodId) missing = "the loyalty payment method (the POS pays with it)";
  if (!missing) return null;
  return (
    <p class="notice warn">
      Before a member can redeem this reward, set {missing} under <a href="/dashboard/programme">Programme</a>.
    </p>
  );
}

function KindFields(props: { kind: RewardKind; form: FormState; currency: string }) {
  const { kind, form } = props;
  switch (kind) {
    case "amount_off":
      return (
        <TextField
          form={form}
          name="amount"
          label={`Amount off, in ${props.currency}`}
          inputmode="decimal"
          placeholder="5.00"
          hint={`How much comes off the sale's total, e.g. 5.00 for ${formatMoney(500, props.currency)} off.`}
        />
      );
    case "percent_off":
      return (
        <TextField
          form={form}
          name="percent"
          label="Percentage off"
          inputmode="decimal"
          placeholder="20"
          hint="The percentage taken off every line of the sale, from 0.01 to 100 (20 for 20% off)."
        />
      );
    case "free_product":
      return (
        <TextField
          form={form}
          name="product_id"
          label="Kounta product id"
          inputmode="numeric"
          hint="The product the POS adds at no charge: its id in Kounta (digits only)."
        />
      );
    case "points_payment":
      return null;
  }
}

/** "For members of": every member, or a tier and those above it (none offered without tiers). */
function TierField(props: { form: FormState; tiers: TierLevel[] }) {
  const { form, tiers } = props;
  const current = form.values.min_tier_id ?? "";
  if (tiers.length === 0 && current === "") return null;
  const options = [{ value: "", label: "Every member" }, ...tiers.map((t) => ({ value: t.id, label: `${t.name} and above` }))];
  // A tier since removed from the programme: shown as it is, so that saving says to choose another.
  if (current !== "" && !tiers.some((t) => t.id === current)) options.push({ value: current, label: "A tier that was removed" });
  return (
    <SelectField
      form={form}
      name="min_tier_id"
      label="For members of"
      options={options}
      hint="Only members at this level or above see this reward at the till and may redeem it."
    />
  );
}

export function RewardFormPage(props: { c: Ctx; settings: Company; tiers: TierLevel[]; kind: RewardKind; reward?: Reward; form: FormState }) {
  const { c, settings, kind, reward, form } = props;
  const label = settings.pointsLabel;
  const action = reward ? `/dashboard/rewards/${encodeURIComponent(reward.id)}` : "/dashboard/rewards";
  const payment = kind === "points_payment";
  return (
    <Layout c={c} section="Rewards" title={reward ? `Edit “${reward.title}”` : `Add a reward: ${kindNames[kind].name.toLowerCase()}`}>
      <p>
        {kindNames[kind].description}{" "}
        {reward ? (
          <span class="muted">A reward's kind cannot change: to give something else, add a new reward and deactivate this one.</span>
        ) : (
          <a href="/dashboard/rewards/new">Choose another kind</a>
        )}
      </p>
      <SetupWarning kind={kind} settings={settings} />
      <FormProblems form={form} />
      <PostForm c={c} action={action} label={reward ? "Edit the reward" : "New reward"}>
        {reward ? null : <input type="hidden" name="kind" value={kind} />}
        <TextField form={form} name="title" label="Title" maxlength={100} hint="What the cashier sees on the POS, e.g. Free coffee." />
        <KindFields kind={kind} form={form} currency={settings.currency} />
        <TextField
          form={form}
          name="points_required"
          label={payment ? `Most ${label} one payment may use` : `${label} needed`}
          inputmode="numeric"
          hint={
            payment
              ? `The most ${label} a member may spend in one payment; each is worth ${formatMoney(settings.pointValueCents, settings.currency)}.`
              : `How many ${label} a member spends to get this reward.`
          }
        />
        <TierField form={form} tiers={props.tiers} />
        <TextArea form={form} name="terms" label="Terms (optional)" maxlength={500} hint="Shown under the title on the POS, e.g. Any regular hot drink." />
        <TextField
          form={form}
          name="action_label"
          label="Button caption (optional)"
          maxlength={30}
          hint="The caption of the reward's button on the POS; leave it empty to show Redeem."
        />
        {reward ? (
          <CheckboxField form={form} name="active" label="Active" hint="Ticked: the POS offers this reward. Unticked: it is off the POS, and its history stays." />
        ) : null}
        <div class="actions">
          <button type="submit">{reward ? "Save the reward" : "Add the reward"}</button>
          <a href="/dashboard/rewards">Cancel</a>
        </div>
      </PostForm>
    </Layout>
  );
}
