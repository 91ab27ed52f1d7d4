import type { Context } from "hono";
import type { LedgerRow, RedemptionListRow } from "../../loyalty/ledger/ledger-queries";
import type { Page } from "../../loyalty/listing";
import type { MemberLabel } from "../../loyalty/members/member-names";
import { redemptionStatuses } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { count, dateTime } from "../format";
import { FormProblems, SelectField, TextField, type FormState } from "../forms";
import { Layout } from "../layout";
import { EXPORT_MAX_ROWS } from "./activity-export";
import { activityHref } from "./activity-filters";
import { actorLabel, memberLabelName, reasonLabels, redemptionStatusLabels, redemptionValue } from "./activity-labels";

// The Activity page: the filter form, the company's redemptions and its ledger (each a page at a
// time, newest first), and the downloads.

export interface ActivityData {
  redemptions: Page<RedemptionListRow>;
  ledger: Page<LedgerRow>;
  members: Map<string, MemberLabel>;
  rewardTitles: Map<string, string>;
  pointsLabel: string;
  currency: string;
}

const signed = (n: number) => (n > 0 ? `+${count(n)}` : count(n));

function Member(props: { id: string; members: Map<string, MemberLabel> }) {
  const name = memberLabelName(props.members.get(props.id)) ?? props.id;
  return <a href={`/dashboard/members/${encodeURIComponent(props.id)}`}>{name}</a>;
}

function Filters(props: { form: FormState }) {
  const { form } = props;
  return (
    <form method="get" action="/dashboard/activity" class="card stack" aria-label="Filter the activity">
      <FormProblems form={form} />
      <div class="grid2">
        <TextField form={form} name="from" label="From" type="date" hint="The first day to show (UTC)." />
        <TextField form={form} name="to" label="To" type="date" hint="The last day to show (UTC), included." />
      </div>
      <SelectField
        form={form}
        name="status"
        label="Redemption status"
        options={[{ value: "", label: "Every redemption" }, ...redemptionStatuses.map((s) => ({ value: s, label: redemptionStatusLabels[s] }))]}
      />
      <div class="actions">
        <button type="submit">Show</button>
        <a href="/dashboard/activity">Clear the filters</a>
      </div>
    </form>
  );
}

/** Older rows of one list, keeping the other list where it is. */
function Pager(props: { filters: Record<string, string>; own: "rcursor" | "lcursor"; cursors: Record<string, string | undefined>; next: string | null; hash: string }) {
  const { filters, own, cursors } = props;
  if (!cursors[own] && !props.next) return null;
  const link = (cursor: string | undefined) => activityHref("/dashboard/activity", { ...filters, ...cursors, [own]: cursor }, props.hash);
  return (
    <nav class="pager" aria-label="Pages">
      {cursors[own] ? <a href={link(undefined)}>Newest</a> : <span></span>}
      {props.next ? <a href={link(props.next)}>Older</a> : null}
    </nav>
  );
}

function Redemptions(props: { data: ActivityData }) {
  const { redemptions, members, rewardTitles, pointsLabel, currency } = props.data;
  if (redemptions.data.length === 0) return <p class="muted">No redemption matches these filters.</p>;
  return (
    <div class="table-wrap" tabindex={0}>
      <table data-table="redemptions">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Member</th>
            <th scope="col">Reward</th>
            <th scope="col" class="num">
              {pointsLabel}
            </th>
            <th scope="col">Worth</th>
            <th scope="col">Status</th>
            <th scope="col">Order</th>
          </tr>
        </thead>
        <tbody>
          {redemptions.data.map((r) => (
            <tr data-redemption={r.id}>
              <td>{dateTime(r.created_at)}</td>
              <td>
                <Member id={r.member_id} members={members} />
              </td>
              <td>{rewardTitles.get(r.reward_id) ?? r.reward_id}</td>
              <td class="num">{count(r.points)}</td>
              <td>{redemptionValue(r, currency)}</td>
              <td>
                <span class={`badge ${r.status}`}>{redemptionStatusLabels[r.status]}</span>
                {r.failure_reason ? <span class="muted"> {r.failure_reason}</span> : null}
              </td>
              <td>{r.order_id}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Ledger(props: { data: ActivityData }) {
  const { ledger, members, pointsLabel } = props.data;
  if (ledger.data.length === 0) return <p class="muted">No change of {pointsLabel} matches these dates.</p>;
  return (
    <div class="table-wrap" tabindex={0}>
      <table data-table="ledger">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Member</th>
            <th scope="col">What</th>
            <th scope="col" class="num">
              {pointsLabel}
            </th>
            <th scope="col">Note</th>
            <th scope="col">By</th>
            <th scope="col">Order</th>
          </tr>
        </thead>
        <tbody>
          {ledger.data.map((row) => (
            <tr data-ledger={row.id}>
              <td>{dateTime(row.created_at)}</td>
              <td>
                <Member id={row.member_id} members={members} />
              </td>
              <td>{reasonLabels[row.reason]}</td>
              <td class="num">{signed(row.delta)}</td>
              <td>{row.note ?? ""}</td>
              <td>{actorLabel(row.actor)}</td>
              <td>{row.order_id ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Downloads(props: { filters: Record<string, string>; pointsLabel: string }) {
  const { from, to, status } = props.filters;
  return (
    <section class="card" aria-labelledby="downloads">
      <h2 id="downloads">Download for a spreadsheet</h2>
      <p>Every row that matches the dates above (and the redemption status, for redemptions), as a CSV file.</p>
      <div class="actions">
        <a class="button secondary" href={activityHref("/dashboard/activity/ledger.csv", { from, to })}>
          Changes of {props.pointsLabel} (CSV)
        </a>
        <a class="button secondary" href={activityHref("/dashboard/activity/redemptions.csv", { from, to, status })}>
          Redemptions (CSV)
        </a>
      </div>
      <p class="muted">
        A file holds at most {count(EXPORT_MAX_ROWS)} rows, the newest first (its name then ends in “newest-{EXPORT_MAX_ROWS}”): for more, download a
        shorter period at a time. Times are in UTC.
      </p>
    </section>
  );
}

export function ActivityPage(props: { c: Context<DashboardEnv>; form: FormState; cursors: Record<string, string | undefined>; data: ActivityData | null }) {
  const { c, form, data, cursors } = props;
  const filters = form.values;
  return (
    <Layout c={c} section="Activity" title="Activity">
      <p>
        <a href="/dashboard/activity/flags">Suspicious activity</a>: members with many transactions in a day, redemptions refused by a limit, large
        changes by hand, sales reversed after earning.
      </p>
      <p>
        <a href="/dashboard/activity/messages">Messages to members</a>: the emails sent to members, and those that could not be.
      </p>
      <Filters form={form} />
      {data ? (
        <>
          <section aria-labelledby="redemptions">
            <h2 id="redemptions">Redemptions</h2>
            <Redemptions data={data} />
            <Pager filters={filters} own="rcursor" cursors={cursors} next={data.redemptions.next_cursor} hash="#redemptions" />
          </section>
          <section aria-labelledby="ledger">
            <h2 id="ledger">Changes of {data.pointsLabel}</h2>
            <Ledger data={data} />
            <Pager filters={filters} own="lcursor" cursors={cursors} next={data.ledger.next_cursor} hash="#ledger" />
          </section>
          <Downloads filters={filters} pointsLabel={data.pointsLabel} />
        </>
      ) : null}
    </Layout>
  );
}
