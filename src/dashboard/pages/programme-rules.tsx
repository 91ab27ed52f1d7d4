import type { Context } from "hono";
import type { EarningRule } from "../../loyalty/earning/earning-rules";
import type { EarningRuleKind } from "../../storage/schema";
import { earningRuleKinds } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { dateTime } from "../format";
import { FormProblems, PostForm, TextField, type FormState } from "../forms";
import type { FormMapping } from "./programme-forms";

// The earning rules, as the admin API has them: a list, one rule added at a time (NewEarningRule),
// one removed at a time. A rule is changed by removing it and adding it again.

const kinds: Record<EarningRuleKind, { title: (label: string) => string; what: string; description: (label: string) => string; targetHint: string }> = {
  product_multiplier: {
    title: (label) => `More ${label} on a product`,
    what: "product",
    description: (label) => `Sales of this product earn a multiple of the usual ${label}.`,
    targetHint: "The product's id in Kounta (digits only).",
  },
  category_multiplier: {
    title: (label) => `More ${label} on a category`,
    what: "category",
    description: (label) => `Sales of any product in this category earn a multiple of the usual ${label}.`,
    targetHint: "The category's id in Kounta (digits only).",
  },
  excluded_payment_method: {
    title: (label) => `No ${label} when paid with`,
    what: "payment method",
    description: (label) => `The part of a sale paid this way (a gift card, say) earns no ${label}.`,
    targetHint: "The payment method's id in Kounta (digits only).",
  },
};

export function isEarningRuleKind(kind: unknown): kind is EarningRuleKind {
  return typeof kind === "string" && (earningRuleKinds as readonly string[]).includes(kind);
}

/** A rule form (its kind in a hidden field) -> NewEarningRule; a payment method has no multiplier. */
export function ruleMapping(kind: EarningRuleKind): FormMapping {
  return kind === "excluded_payment_method"
    ? { fields: { kind: "string", target_id: "string" } }
    : { fields: { kind: "string", target_id: "string", multiplier: "number" }, required: ["multiplier"] };
}

/** The message next to the target of a rule the company already has. */
export const duplicateRule = (kind: EarningRuleKind) =>
  `There is already a rule for this ${kinds[kind].what}: remove it first to change it`;

export type RuleForms = Partial<Record<EarningRuleKind, FormState>>;

function RuleTable(props: { c: Context<DashboardEnv>; rules: EarningRule[]; pointsLabel: string }) {
  if (props.rules.length === 0) return <p class="muted">There are no earning rules: every sale earns at the base rate.</p>;
  return (
    <div class="table-wrap" tabindex={0}>
      <table>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Applies to</th>
            <th scope="col">{props.pointsLabel}</th>
            <th scope="col">Added</th>
            <th scope="col">Remove</th>
          </tr>
        </thead>
        <tbody>
          {props.rules.map((rule) => (
            <tr data-rule={rule.id}>
              <td>{kinds[rule.kind].title(props.pointsLabel)}</td>
              <td>
                {kinds[rule.kind].what} {rule.targetId}
              </td>
              <td>{rule.kind === "excluded_payment_method" ? "none earned" : `× ${rule.multiplier ?? 1}`}</td>
              <td>{dateTime(rule.createdAt)}</td>
              <td>
                <PostForm
                  c={props.c}
                  action={`/dashboard/programme/rules/${encodeURIComponent(rule.id)}/delete`}
                  class="inline"
                  confirm="Remove this rule? Sales from now on earn without it; what was already earned stays."
                >
                  <button type="submit" class="secondary">
                    Remove
                  </button>
                </PostForm>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddRule(props: { c: Context<DashboardEnv>; kind: EarningRuleKind; form: FormState; pointsLabel: string }) {
  const { kind, form } = props;
  const prefix = `rule-${kind}`;
  return (
    <section class="card" aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`}>{kinds[kind].title(props.pointsLabel)}</h3>
      <p class="muted">{kinds[kind].description(props.pointsLabel)}</p>
      <FormProblems form={form} />
      <PostForm c={props.c} action="/dashboard/programme/rules" label={kinds[kind].title(props.pointsLabel)}>
        <input type="hidden" name="kind" value={kind} />
        <TextField form={form} idPrefix={prefix} name="target_id" label={`Kounta ${kinds[kind].what} id`} inputmode="numeric" hint={kinds[kind].targetHint} />
        {kind === "excluded_payment_method" ? null : (
          <TextField
            form={form}
            idPrefix={prefix}
            name="multiplier"
            label={`Multiply the ${props.pointsLabel} by`}
            inputmode="decimal"
            hint={`2 for double ${props.pointsLabel}, 1.5 for half as many again (more than 0, up to 100).`}
          />
        )}
        <div class="actions">
          <button type="submit">Add the rule</button>
        </div>
      </PostForm>
    </section>
  );
}

export function EarningRules(props: { c: Context<DashboardEnv>; rules: EarningRule[]; forms: RuleForms; pointsLabel: string }) {
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Earning rules</h2>
      <p>On top of the base rate in the settings: a product or a category can earn more {props.pointsLabel}, and a payment method can earn none.</p>
      <RuleTable c={props.c} rules={props.rules} pointsLabel={props.pointsLabel} />
      <div class="grid2">
        {earningRuleKinds.map((kind) => (
          <AddRule c={props.c} kind={kind} form={props.forms[kind] ?? { values: {}, errors: {} }} pointsLabel={props.pointsLabel} />
        ))}
      </div>
    </section>
  );
}
