import type { Context } from "hono";
import { FORM_ERROR, LimitsPatch, type FormValues, type LimitsPatchBody } from "../../admin/inputs";
import type { Limits } from "../../loyalty/limits";
import { MANAGER_TRIES } from "../../storage/dashboard-sessions";
import type { DashboardEnv } from "../env";
import { FormProblems, PostForm, TextField, type FormState } from "../forms";
import { count } from "../format";
import { keptFormValues, validateForm, type FormMapping, type Validated } from "./programme-forms";

// The limits form (PATCH /admin/v1/limits's LimitsPatch, saved by updateLimits) and manager mode:
// the manager code entered once in a session lets it save the limits, make adjustments over the
// large-adjustment size and make a manager's API key. Until a company has a manager code, any
// session may save the limits (so the first code can be set); from then on, only a manager.

export const limitsMapping: FormMapping = {
  fields: {
    max_redemptions_per_member_day: "nullableInt",
    max_redemptions_per_order: "nullableInt",
    max_points_per_member_day: "nullableInt",
    large_adjustment_points: "nullableInt",
    flag_transactions_per_day: "int",
    manager_code: "optionalString",
  },
  required: ["flag_transactions_per_day"],
};

/** Never filled back in: a code typed is a secret, and stays out of the page. */
const SECRET_FIELDS = ["manager_code", "manager_code_again"];
export const TYPE_CODE_AGAIN = "Type the code again: a code is never filled back in";
export const CODES_DIFFER = "Must be the same code as above";

const limitText = (n: number | null) => (n === null ? "" : String(n));

export function limitsFormValues(l: Limits): Record<string, string> {
  return {
    max_redemptions_per_member_day: limitText(l.maxRedemptionsPerMemberDay),
    max_redemptions_per_order: limitText(l.maxRedemptionsPerOrder),
    max_points_per_member_day: limitText(l.maxPointsPerMemberDay),
    large_adjustment_points: limitText(l.largeAdjustmentPoints),
    flag_transactions_per_day: String(l.flagTransactionsPerDay),
  };
}

/** What was typed, without the code. */
export function keptLimitsValues(form: FormValues): Record<string, string> {
  const values = keptFormValues(form, limitsMapping);
  for (const name of SECRET_FIELDS) delete values[name];
  return values;
}

const typedCode = (form: FormValues) => (typeof form.manager_code === "string" ? form.manager_code.trim() : "");

/** The form through LimitsPatch, and the code typed twice the same. */
export function readLimitsForm(form: FormValues): Validated<LimitsPatchBody> {
  const result = validateForm(LimitsPatch, form, limitsMapping);
  const again = typeof form.manager_code_again === "string" ? form.manager_code_again.trim() : "";
  const errors = result.ok ? {} : { ...result.errors };
  if (typedCode(form) !== again && !errors.manager_code) errors.manager_code_again = CODES_DIFFER;
  if (Object.keys(errors).length === 0 && result.ok) return result;
  return { ok: false, errors: withCodeRetyped(form, errors) };
}

/** A refusal of a form with a code typed: say it must be typed again (it is not drawn back). */
export function withCodeRetyped(form: FormValues, errors: Record<string, string>): Record<string, string> {
  if (typedCode(form) === "" || errors.manager_code) return errors;
  return { ...errors, manager_code: TYPE_CODE_AGAIN };
}

export function LimitsSection(props: { c: Context<DashboardEnv>; form: FormState; limits: Limits; pointsLabel: string }) {
  const { c, form, limits, pointsLabel } = props;
  const manager = c.get("session").manager;
  return (
    <section class="card" aria-labelledby="limits-title" id="limits">
      <h2 id="limits-title">Limits</h2>
      <p>
        What one member may redeem, checked at the till as the reward is taken (taps at the same moment cannot get past them): the cashier reads why a
        reward was refused. Leave a limit empty for none.
      </p>
      {limits.managerCodeSet ? (
        manager ? null : (
          <p class="notice warn" data-figure="limits-locked">
            Only a manager can save these limits: enter the manager code under <a href="#manager">Manager mode</a> first.
          </p>
        )
      ) : (
        <p class="notice warn" data-figure="limits-open">
          No manager code is set yet, so anyone signed in can save these limits. Set a manager code below: from then on only a session in manager mode can
          change them.
        </p>
      )}
      <FormProblems form={form} />
      <PostForm c={c} action="/dashboard/programme/limits" label="Limits">
        <fieldset>
          <legend>Redemptions</legend>
          <TextField form={form} idPrefix="l" name="max_redemptions_per_member_day" label="Rewards per member per day" inputmode="numeric" hint="At most this many rewards for one member in a UTC day (1 to 1000)." />
          <TextField form={form} idPrefix="l" name="max_redemptions_per_order" label="Rewards per order" inputmode="numeric" hint="At most this many rewards on one sale (1 to 100)." />
          <TextField
            form={form}
            idPrefix="l"
            name="max_points_per_member_day"
            label={`${pointsLabel} redeemed per member per day`}
            inputmode="numeric"
            hint={`At most this many ${pointsLabel} spent on rewards by one member in a UTC day.`}
          />
        </fieldset>
        <fieldset>
          <legend>Changes by hand and suspicious activity</legend>
          <TextField
            form={form}
            idPrefix="l"
            name="large_adjustment_points"
            label={`Large change of ${pointsLabel}`}
            inputmode="numeric"
            hint={`A change by hand of more ${pointsLabel} than this (either way) needs manager mode (or a manager's API key), and is listed under Activity, Flags. Empty: any size.`}
          />
          <TextField
            form={form}
            idPrefix="l"
            name="flag_transactions_per_day"
            label="Flag a member after this many transactions a day"
            inputmode="numeric"
            hint="A member who earns or redeems more often than this in a UTC day is listed under Activity, Flags the next day (1 to 1000; 5 is usual)."
          />
        </fieldset>
        <fieldset>
          <legend>Manager code</legend>
          <p class="muted">{limits.managerCodeSet ? "A manager code is set. Type a new one to change it; leave these empty to keep it." : "No manager code is set yet."}</p>
          <TextField
            form={form}
            idPrefix="l"
            name="manager_code"
            label={limits.managerCodeSet ? "New manager code (optional)" : "Manager code"}
            type="password"
            inputmode="numeric"
            autocomplete="new-password"
            maxlength={12}
            hint="4 to 12 digits. It is kept only in a scrambled form: nobody can read it back, so keep it somewhere safe."
          />
          <TextField form={form} idPrefix="l" name="manager_code_again" label="The same code again" type="password" inputmode="numeric" autocomplete="new-password" maxlength={12} />
        </fieldset>
        <div class="actions">
          <button type="submit">Save the limits</button>
        </div>
      </PostForm>
    </section>
  );
}

export function ManagerSection(props: { c: Context<DashboardEnv>; form: FormState; limits: Limits; pointsLabel: string }) {
  const { c, form, limits } = props;
  const session = c.get("session");
  const large = limits.largeAdjustmentPoints === null ? null : `${count(limits.largeAdjustmentPoints)} ${props.pointsLabel}`;
  return (
    <section class="card" aria-labelledby="manager-title" id="manager">
      <h2 id="manager-title">Manager mode</h2>
      <p>
        In manager mode this session can change the limits{large ? "," : " and"} make a manager's API key
        {large ? ` and change a member's ${props.pointsLabel} by more than ${large} at once` : ""}. It lasts until you leave it or sign out.
      </p>
      <FormProblems form={form} />
      {session.manager ? (
        <PostForm c={c} action="/dashboard/manager/leave" label="Leave manager mode">
          <p>
            <span class="badge manager">This session is in manager mode.</span>
          </p>
          <div class="actions">
            <button type="submit" class="secondary">
              Leave manager mode
            </button>
          </div>
        </PostForm>
      ) : !limits.managerCodeSet ? (
        <p class="muted" data-figure="manager-no-code">
          No manager code is set yet: set one in the <a href="#limits">Limits</a> form below, then enter it here.
        </p>
      ) : session.managerTries >= MANAGER_TRIES ? (
        form.errors[FORM_ERROR] ? null : <p class="notice bad" data-figure="manager-no-tries">
          This session has tried too many wrong codes. Sign out and sign in again to try again.
        </p>
      ) : (
        <PostForm c={c} action="/dashboard/manager" label="Enter manager mode">
          <TextField
            form={form}
            idPrefix="m"
            name="manager_code"
            label="Manager code"
            type="password"
            inputmode="numeric"
            autocomplete="off"
            maxlength={12}
            required
            hint={`${MANAGER_TRIES - session.managerTries} tries left in this session.`}
          />
          <div class="actions">
            <button type="submit">Enter manager mode</button>
          </div>
        </PostForm>
      )}
    </section>
  );
}
