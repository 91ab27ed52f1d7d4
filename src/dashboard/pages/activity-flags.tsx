import { Hono, type Context } from "hono";
import { AdminError } from "../../admin/errors";
import { FORM_ERROR, ListQuery, listWindow } from "../../admin/inputs";
import { listFlags, type FlagRow } from "../../loyalty/flags/flags";
import type { ListWindow, Page } from "../../loyalty/listing";
import { flagKinds, type FlagKind } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { count, dateTime, dayOf, memberName } from "../format";
import { FormProblems, SelectField, type FormState } from "../forms";
import { Layout, render } from "../layout";
import { activityHref } from "./activity-filters";

// Activity, Flags: suspicious activity (GET /admin/v1/activity/flags's listFlags), newest first, a
// page at a time, by kind. Refusals by a limit and large changes by hand are listed as they happen;
// many transactions and reversed orders by the daily job, once the UTC day is over.

const PAGE_SIZE = 25;
const DAY_MS = 86_400_000;
const PATH = "/dashboard/activity/flags";

export const flagKindLabels: Record<FlagKind, { name: string; what: string }> = {
  many_transactions: { name: "Many transactions in a day", what: "More earnings and redemptions in a UTC day than the limit set under Programme, Limits." },
  limit_refused: { name: "Redemptions refused by a limit", what: "Rewards the till refused because of a limit set under Programme, Limits." },
  large_adjustment: { name: "Large changes by hand", what: "Changes of points by hand larger than the size set under Programme, Limits." },
  reversed_orders: { name: "Sales reversed after earning", what: "More than two sales that earned were refunded or taken back within 30 days." },
};

export const NOT_A_KIND = "Choose one of the kinds in the list";
export const EXPIRED_LINK = "This page link no longer works: the list starts again from the newest.";

interface FlagsQuery {
  kind: FlagKind | undefined;
  window: ListWindow | null;
  errors: Record<string, string>;
}

const isFlagKind = (kind: string): kind is FlagKind => (flagKinds as readonly string[]).includes(kind);

function readFlagsQuery(query: Record<string, string>): FlagsQuery {
  const kindText = query.kind ?? "";
  const kind = kindText === "" ? undefined : isFlagKind(kindText) ? kindText : null;
  if (kind === null) return { kind: undefined, window: null, errors: { kind: NOT_A_KIND } };
  const parsed = ListQuery.safeParse({ limit: PAGE_SIZE, cursor: query.cursor || undefined });
  if (!parsed.success) return { kind, window: null, errors: { [FORM_ERROR]: EXPIRED_LINK } };
  try {
    return { kind, window: listWindow(parsed.data), errors: {} };
  } catch (err) {
    if (err instanceof AdminError) return { kind, window: null, errors: { [FORM_ERROR]: EXPIRED_LINK } };
    throw err;
  }
}

function FlagTable(props: { page: Page<FlagRow> }) {
  return (
    <div class="table-wrap" tabindex={0}>
      <table data-table="flags">
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Member</th>
            <th scope="col">What</th>
            <th scope="col" class="num">
              How many
            </th>
            <th scope="col">Detail</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {props.page.data.map((f) => (
            <tr data-flag={f.id}>
              <td>{dayOf(f.day * DAY_MS)}</td>
              <td>
                <a href={`/dashboard/members/${encodeURIComponent(f.member_id)}`}>{memberName(f.first_name, f.last_name)}</a>
              </td>
              <td>{flagKindLabels[f.kind].name}</td>
              <td class="num">{count(f.count)}</td>
              <td>{f.detail}</td>
              <td>{dateTime(f.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FlagsPage(props: { c: Context<DashboardEnv>; form: FormState; page: Page<FlagRow> | null; cursor: string | undefined; kind: FlagKind | undefined }) {
  const { c, form, page } = props;
  const link = (cursor: string | undefined) => activityHref(PATH, { kind: props.kind, cursor });
  return (
    <Layout c={c} section="Activity" title="Suspicious activity">
      <p>
        <a href="/dashboard/activity">All activity</a>
      </p>
      <p>Members whose activity may need a look, a row per member, kind and day:</p>
      <ul>
        {flagKinds.map((k) => (
          <li>
            <strong>{flagKindLabels[k].name}</strong>: {flagKindLabels[k].what}
          </li>
        ))}
      </ul>
      <p class="muted">Refused redemptions and large changes are listed at once; the other two the day after.</p>
      <form method="get" action={PATH} class="card stack" aria-label="Filter the flags">
        <FormProblems form={form} />
        <SelectField
          form={form}
          name="kind"
          label="Kind"
          options={[{ value: "", label: "Every kind" }, ...flagKinds.map((k) => ({ value: k, label: flagKindLabels[k].name }))]}
        />
        <div class="actions">
          <button type="submit">Show</button>
        </div>
      </form>
      {page ? (
        <section aria-labelledby="flags">
          <h2 id="flags">Flags</h2>
          {page.data.length === 0 ? <p class="muted">{props.cursor ? "No older flags." : "Nothing is flagged."}</p> : <FlagTable page={page} />}
          {props.cursor || page.next_cursor ? (
            <nav class="pager" aria-label="Pages">
              {props.cursor ? <a href={link(undefined)}>Newest</a> : <span></span>}
              {page.next_cursor ? <a href={link(page.next_cursor)}>Older</a> : null}
            </nav>
          ) : null}
        </section>
      ) : (
        <p>
          <a href={PATH}>Show the newest flags</a>
        </p>
      )}
    </Layout>
  );
}

export const activityFlagRoutes = new Hono<DashboardEnv>().get("/activity/flags", async (c) => {
  const query = c.req.query();
  const q = readFlagsQuery(query);
  const form = { values: { kind: query.kind ?? "" }, errors: q.errors };
  if (!q.window) return render(c, <FlagsPage c={c} form={form} page={null} cursor={undefined} kind={undefined} />, 400);
  const page = await listFlags(c.get("services").db, { companyId: c.get("session").companyId, kind: q.kind, window: q.window });
  return render(c, <FlagsPage c={c} form={form} page={page} cursor={query.cursor || undefined} kind={q.kind} />);
});
