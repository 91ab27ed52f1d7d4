import { Hono, type Context } from "hono";
import { AdminError } from "../../admin/errors";
import { FORM_ERROR, listWindow, NotificationListQuery } from "../../admin/inputs";
import type { ListWindow, Page } from "../../loyalty/listing";
import { countDeadNotifications, listNotifications, type NotificationRow } from "../../loyalty/notifications/records";
import { notificationKinds, notificationStatuses, type NotificationKind, type NotificationStatus } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { count, dateTime, memberName } from "../format";
import { FormProblems, SelectField, type FormState } from "../forms";
import { Layout, render } from "../layout";
import { activityHref } from "./activity-filters";
import { messageKindLabels, messageOutcomeLabel, messageStatusLabels } from "./message-labels";
import { SENDING_NOT_SET_UP } from "./programme-messages";

// Activity, Messages: the company's messages to members (GET /admin/v1/notifications's
// listNotifications), newest first, a page at a time, by status and kind; the messages that were
// given up on (dead) counted at the top, a click away.

const PAGE_SIZE = 25;
const PATH = "/dashboard/activity/messages";

export const NOT_A_STATUS = "Choose one of the statuses in the list";
export const NOT_A_KIND = "Choose one of the kinds in the list";
export const EXPIRED_LINK = "This page link no longer works: the list starts again from the newest.";

interface MessagesQuery {
  status: NotificationStatus | undefined;
  kind: NotificationKind | undefined;
  window: ListWindow | null;
  errors: Record<string, string>;
}

const oneOf = <T extends string>(list: readonly T[], text: string): T | undefined | null =>
  text === "" ? undefined : (list as readonly string[]).includes(text) ? (text as T) : null;

function readMessagesQuery(query: Record<string, string>): MessagesQuery {
  const status = oneOf(notificationStatuses, query.status ?? "");
  const kind = oneOf(notificationKinds, query.kind ?? "");
  const errors: Record<string, string> = {};
  if (status === null) errors.status = NOT_A_STATUS;
  if (kind === null) errors.kind = NOT_A_KIND;
  if (status === null || kind === null) return { status: undefined, kind: undefined, window: null, errors };
  const parsed = NotificationListQuery.safeParse({ status, kind, limit: PAGE_SIZE, cursor: query.cursor || undefined });
  if (!parsed.success) return { status, kind, window: null, errors: { [FORM_ERROR]: EXPIRED_LINK } };
  try {
    return { status, kind, window: listWindow(parsed.data), errors: {} };
  } catch (err) {
    if (err instanceof AdminError) return { status, kind, window: null, errors: { [FORM_ERROR]: EXPIRED_LINK } };
    throw err;
  }
}

function MessageTable(props: { page: Page<NotificationRow> }) {
  return (
    <div class="table-wrap" tabindex={0}>
      <table data-table="messages">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Member</th>
            <th scope="col">What</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Tries
            </th>
            <th scope="col">Sent</th>
          </tr>
        </thead>
        <tbody>
          {props.page.data.map((m) => (
            <tr data-message={m.id}>
              <td>{dateTime(m.created_at)}</td>
              <td>
                <a href={`/dashboard/members/${encodeURIComponent(m.member_id)}`}>{memberName(m.first_name, m.last_name)}</a>
              </td>
              <td>{messageKindLabels[m.kind].name}</td>
              <td>
                <span class={`badge ${m.status}`}>{messageStatusLabels[m.status]}</span>
                {m.outcome ? <span class="muted"> {messageOutcomeLabel(m.outcome)}</span> : null}
              </td>
              <td class="num">{count(m.attempts)}</td>
              <td>{m.sent_at === null ? "" : dateTime(m.sent_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface MessagesView {
  form: FormState;
  page: Page<NotificationRow> | null;
  cursor: string | undefined;
  status: NotificationStatus | undefined;
  kind: NotificationKind | undefined;
  dead: number;
  sendingConfigured: boolean;
}

function MessagesPage(props: { c: Context<DashboardEnv>; view: MessagesView }) {
  const { c } = props;
  const { form, page, dead, status, kind } = props.view;
  const link = (cursor: string | undefined) => activityHref(PATH, { status, kind, cursor });
  const filtered = status !== undefined || kind !== undefined;
  return (
    <Layout c={c} section="Activity" title="Messages to members">
      <p>
        <a href="/dashboard/activity">All activity</a>
      </p>
      {props.view.sendingConfigured ? null : (
        <p class="notice warn" data-figure="messages-not-set-up">
          {SENDING_NOT_SET_UP}
        </p>
      )}
      {dead > 0 ? (
        <p class="notice bad" role="alert" data-figure="messages-dead">
          {dead === 1 ? "One message" : `${count(dead)} messages`} could not be sent after every try.{" "}
          {status === "dead" ? null : <a href={activityHref(PATH, { status: "dead" })}>Show {dead === 1 ? "it" : "them"}</a>}
        </p>
      ) : null}
      <p>
        The emails sent to your members, newest first: welcomes, rewards ready, points expiring and card links. Which ones are sent, and the name they
        come from: <a href="/dashboard/programme#messages">Programme, Messages to members</a>.
      </p>
      <form method="get" action={PATH} class="card stack" aria-label="Filter the messages">
        <FormProblems form={form} />
        <div class="grid2">
          <SelectField
            form={form}
            name="status"
            label="Status"
            options={[{ value: "", label: "Every status" }, ...notificationStatuses.map((s) => ({ value: s, label: messageStatusLabels[s] }))]}
          />
          <SelectField
            form={form}
            name="kind"
            label="Kind"
            options={[{ value: "", label: "Every kind" }, ...notificationKinds.map((k) => ({ value: k, label: messageKindLabels[k].name }))]}
          />
        </div>
        <div class="actions">
          <button type="submit">Show</button>
          {filtered ? <a href={PATH}>Clear the filters</a> : null}
        </div>
      </form>
      {page ? (
        <section aria-labelledby="messages">
          <h2 id="messages">Messages</h2>
          {page.data.length === 0 ? (
            <p class="muted">{props.view.cursor ? "No older messages." : filtered ? "No message matches these filters." : "No message has been sent yet."}</p>
          ) : (
            <MessageTable page={page} />
          )}
          {props.view.cursor || page.next_cursor ? (
            <nav class="pager" aria-label="Pages">
              {props.view.cursor ? <a href={link(undefined)}>Newest</a> : <span></span>}
              {page.next_cursor ? <a href={link(page.next_cursor)}>Older</a> : null}
            </nav>
          ) : null}
        </section>
      ) : (
        <p>
          <a href={PATH}>Show the newest messages</a>
        </p>
      )}
    </Layout>
  );
}

export const activityMessageRoutes = new Hono<DashboardEnv>().get("/activity/messages", async (c) => {
  const { db, emailSender } = c.get("services");
  const companyId = c.get("session").companyId;
  const query = c.req.query();
  const q = readMessagesQuery(query);
  const form = { values: { status: query.status ?? "", kind: query.kind ?? "" }, errors: q.errors };
  const base = { form, cursor: undefined, status: q.status, kind: q.kind, sendingConfigured: emailSender !== null };
  if (!q.window) {
    const dead = await countDeadNotifications(db, companyId);
    return render(c, <MessagesPage c={c} view={{ ...base, page: null, dead }} />, 400);
  }
  const [page, dead] = await Promise.all([
    listNotifications(db, { companyId, status: q.status, kind: q.kind, window: q.window }),
    countDeadNotifications(db, companyId),
  ]);
  return render(c, <MessagesPage c={c} view={{ ...base, page, dead, cursor: query.cursor || undefined }} />);
});
