import type { Context } from "hono";
import { formatMoney } from "../../lib/money";
import type { MemberTier, TierChange } from "../../loyalty/tiers/member-tier";
import type { TierProgramme } from "../../loyalty/tiers/tiers";
import type { Member, TierChangeReason } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { FormProblems, PostForm, SelectField, TextField, type FormState } from "../forms";
import { count, dateTime, dayOf } from "../format";
import { actorLabel } from "./activity-labels";
import { memberPath } from "./member-forms";

// A member's level on their page: where they stand (getMemberTier), the form of the level set by
// hand (posted to member-tier-routes.tsx) and the history of changes of level.

const DAY_MS = 86_400_000;


export const tierReasonLabels: Record<TierChangeReason, string> = {
  earned: "Earned on a sale",
  reversed: "A sale was refunded or taken back",
  adjusted: "A change of points by hand",
  manual: "Set by hand",
  review: "Daily review",
};

export interface TierView {
  tier: MemberTier;
  programme: TierProgramme;
  pointsLabel: string;
  currency: string;
}

/** The form's starting values: the manual level as stored, its end as the last day it holds. */
export function tierFormValues(t: MemberTier): Record<string, string> {
  const floor = t.floor;
  return { tier_id: floor?.tierId ?? "", until: floor?.until ? new Date(floor.until - DAY_MS).toISOString().slice(0, 10) : "" };
}

function amount(view: TierView, value: number): string {
  return view.programme.basis === "spend" ? formatMoney(value, view.currency) : `${count(value)} ${view.pointsLabel}`;
}

function windowText(p: TierProgramme): string {
  return p.window === "calendar_year" ? "this calendar year" : `this month and the ${p.windowMonths} before it`;
}

export function TierCard(props: { c: Context<DashboardEnv>; member: Member; view: TierView | null; form: FormState }) {
  const { c, member, view, form } = props;
  if (!view || view.programme.tiers.length === 0) {
    return (
      <section class="card" aria-labelledby="level-title">
        <h2 id="level-title">Level</h2>
        <p class="muted">
          The programme has no tiers. <a href="/dashboard/programme#tiers">Set them up under Programme</a>.
        </p>
      </section>
    );
  }
  const { tier, programme } = view;
  const counted = programme.basis === "spend" ? "spent" : "earned";
  return (
    <section class="card" aria-labelledby="level-title">
      <h2 id="level-title">Level</h2>
      <p>
        <strong data-figure="member-tier">{tier.tier?.name ?? "No level yet"}</strong>
      </p>
      <p>
        <span data-figure="tier-value">{amount(view, tier.value)}</span> {counted} {windowText(programme)}.{" "}
        {tier.next ? (
          <span data-figure="tier-next">
            {amount(view, tier.next.missing)} more to reach {tier.next.tier.name}.
          </span>
        ) : (
          <span data-figure="tier-next">The highest level.</span>
        )}
      </p>
      {tier.floor ? (
        <p data-figure="tier-manual">
          Set by hand: at least {tier.floor.tier?.name ?? "a tier that was removed"}
          {tier.floor.until ? ` until ${dayOf(tier.floor.until - DAY_MS)} (the end of that day, UTC)` : ", for good"}.
        </p>
      ) : null}
      <FormProblems form={form} />
      <PostForm c={c} action={`${memberPath(member.id)}/tier`} label="Set the level by hand">
        <SelectField
          form={form}
          idPrefix="lv"
          name="tier_id"
          label="Level set by hand"
          options={[{ value: "", label: "None: the level they reach" }, ...programme.tiers.map((t) => ({ value: t.id, label: t.name }))]}
          hint="The member stays at this level at least (higher if they reach one), while it lasts."
        />
        <TextField form={form} idPrefix="lv" name="until" label="Until (optional)" type="date" hint="The last day (UTC) it holds; leave it empty to hold it for good." />
        <div class="actions">
          <button type="submit">Save the level</button>
        </div>
      </PostForm>
    </section>
  );
}

/** The changes of the member's level, newest first (the latest 50). */
export function TierHistory(props: { changes: TierChange[] }) {
  if (props.changes.length === 0) return <p class="muted">No change of level yet.</p>;
  return (
    <div class="table-wrap" tabindex={0}>
      <table data-table="tier-changes">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Why</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {props.changes.map((change) => (
            <tr data-tier-change={change.id}>
              <td>{dateTime(change.created_at)}</td>
              <td>{change.from_name ?? "No level"}</td>
              <td>{change.to_name ?? "No level"}</td>
              <td>{tierReasonLabels[change.reason]}</td>
              <td>{actorLabel(change.actor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
