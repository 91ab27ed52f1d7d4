import type { Context } from "hono";
import type { Member } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import type { FormState } from "../forms";
import { count, memberName } from "../format";
import { Layout, render } from "../layout";
import { memberPath } from "./member-forms";

// GET /dashboard/members: the search the till uses, or every member a page at a time (oldest first).

export interface MemberListView {
  rows: Member[];
  pointsLabel: string;
  /** The search box: its text, and a message when the text cannot be searched. */
  search: FormState;
  /** Searching (the results of the till's search) rather than paging. */
  searching: boolean;
  /** Paging: whether this is a later page, and the cursor of the next one. */
  later: boolean;
  next: string | null;
}

export function memberListPage(c: Context<DashboardEnv>, view: MemberListView, status: 200 | 400 = 200) {
  const { rows, pointsLabel, search, searching } = view;
  const message = search.errors.q;
  return render(
    c,
    <Layout c={c} section="Members" title="Members">
      <div class="actions">
        <a class="button" href="/dashboard/members/new">
          Add a member
        </a>
      </div>
      <form method="get" action="/dashboard/members" class="stack" role="search">
        <div class="field">
          <label for="s-q">Find a member</label>
          <input
            id="s-q"
            type="search"
            name="q"
            value={search.values.q ?? ""}
            maxlength={100}
            aria-invalid={message ? "true" : undefined}
            aria-describedby={message ? "s-q-error s-q-hint" : "s-q-hint"}
          />
          {message ? (
            <span class="error" id="s-q-error">
              {message}
            </span>
          ) : null}
          <span class="hint" id="s-q-hint">
            A name, email, phone or card number, as the till searches. It finds active members only.
          </span>
        </div>
        <div class="actions">
          <button type="submit">Search</button>
          {searching ? <a href="/dashboard/members">All members</a> : null}
        </div>
      </form>
      {searching ? (
        <h2 data-figure="result-count">{rows.length === 0 ? "No active member matches" : rows.length === 1 ? "One member found" : `${count(rows.length)} members found`}</h2>
      ) : null}
      {rows.length === 0 && !searching ? <p class="muted">{view.later ? "No more members." : "No members yet. Add the first one, or import a list."}</p> : null}
      {rows.length > 0 ? <MemberTable rows={rows} pointsLabel={pointsLabel} /> : null}
      {!searching && (view.later || view.next) ? (
        <nav class="pager" aria-label="Member pages">
          {view.later ? <a href="/dashboard/members">First page</a> : <span></span>}
          {view.next ? <a href={`/dashboard/members?cursor=${encodeURIComponent(view.next)}`}>Next page</a> : null}
        </nav>
      ) : null}
    </Layout>,
    status,
  );
}

function MemberTable(props: { rows: Member[]; pointsLabel: string }) {
  return (
    <div class="table-wrap" tabindex={0}>
      <table data-table="members">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Phone</th>
            <th scope="col">Card</th>
            <th scope="col" class="num">
              {props.pointsLabel}
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((m) => (
            <tr data-member={m.id}>
              <td>
                <a href={memberPath(m.id)}>{memberName(m.firstName, m.lastName)}</a>
              </td>
              <td>{m.email ?? ""}</td>
              <td>{m.phone ?? ""}</td>
              <td>{m.cardNumber ?? ""}</td>
              <td class="num">{count(m.points)}</td>
              <td>
                <span class={`badge ${m.status}`}>{m.status === "active" ? "Active" : "Inactive"}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
