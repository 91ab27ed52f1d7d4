import type { Context } from "hono";
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, type ImportReport, type ImportRow, type ImportStatus } from "../../loyalty/members/member-import";
import type { DashboardEnv } from "../env";
import { count, memberName } from "../format";
import { FileField, FormProblems, PostForm, type FormState } from "../forms";
import { Layout } from "../layout";

// The Import page: what the file may hold, the upload, and after an import its report, row by row.

export interface ImportResult {
  report: ImportReport;
  /** The rows as read from the file, to show who each report row is. */
  rows: ImportRow[];
}

const EXAMPLE = `first_name,last_name,email,phone,card_number
Grace,Hopper,grace.hopper@example.com,0400 000 001,
Alan,Turing,,,100200302
Katherine,Johnson,katherine@example.com,,`;

const statusLabels: Record<ImportStatus, { label: string; badge: string }> = {
  created: { label: "Added", badge: "active" },
  updated: { label: "Updated", badge: "applied" },
  unchanged: { label: "Already up to date", badge: "" },
  rejected: { label: "Not imported", badge: "failed" },
};

function Columns(props: { pointsLabel: string }) {
  return (
    <section class="card" aria-labelledby="columns">
      <h2 id="columns">What the file holds</h2>
      <p>
        A header row first, naming the columns (in any order, only those you have): <code>{IMPORT_COLUMNS.join(", ")}</code>. Then one
        member per row. Other columns are refused, so remove them before importing.
      </p>
      <ul>
        <li>
          <code>first_name</code> is needed on every row, with at least one of <code>email</code>, <code>phone</code> or{" "}
          <code>card_number</code>.
        </li>
        <li>
          A row whose email, phone or card number belongs to one of your members updates that member; an empty cell keeps what the member
          already has. Any other row adds a new member, with 0 {props.pointsLabel.toLowerCase()}: {props.pointsLabel.toLowerCase()} are not
          imported.
        </li>
        <li>A row that is not valid (no first name, an email that is not one) is left out, and the report says why.</li>
        <li>Importing the same file again changes nothing.</li>
      </ul>
      <p>For example:</p>
      <pre class="example" tabindex={0}>
        <code>{EXAMPLE}</code>
      </pre>
    </section>
  );
}

const text = (values: Record<string, unknown>, name: string) => {
  const v = values[name];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
};

/** Who a row of the file names: the name and contact it gives. */
function RowMember(props: { row: ImportRow | undefined }) {
  if (!props.row || !("values" in props.row) || typeof props.row.values !== "object" || props.row.values === null) {
    return <span class="muted">(unreadable row)</span>;
  }
  const values = props.row.values as Record<string, unknown>;
  const first = text(values, "first_name");
  const contact = text(values, "email") ?? text(values, "phone") ?? text(values, "card_number");
  return (
    <>
      {first ? memberName(first, text(values, "last_name")) : <span class="muted">(no first name)</span>}
      {contact ? (
        <>
          <br />
          <span class="muted">{contact}</span>
        </>
      ) : null}
    </>
  );
}

function Report(props: { result: ImportResult }) {
  const { report, rows } = props.result;
  return (
    <section aria-labelledby="report">
      <h2 id="report">What happened</h2>
      <dl class="figures">
        <div class="figure">
          <dt>Added</dt>
          <dd data-figure="import-created">{count(report.created)}</dd>
        </div>
        <div class="figure">
          <dt>Updated</dt>
          <dd data-figure="import-updated">{count(report.updated)}</dd>
        </div>
        <div class="figure">
          <dt>Already up to date</dt>
          <dd data-figure="import-unchanged">{count(report.unchanged)}</dd>
        </div>
        <div class="figure">
          <dt>Not imported</dt>
          <dd data-figure="import-rejected">{count(report.rejected)}</dd>
        </div>
      </dl>
      {report.rejected > 0 ? (
        <p class="notice warn" role="status">
          {report.rejected === 1 ? "One row was" : `${count(report.rejected)} rows were`} not imported: see the reason on each below, correct the
          file and import it again (the rows already imported will not change twice).
        </p>
      ) : (
        <p class="notice good" role="status">
          Every row was imported.
        </p>
      )}
      <p class="muted">Row 1 is the first row under the header.</p>
      <div class="table-wrap" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col" class="num">
                Row
              </th>
              <th scope="col">In the file</th>
              <th scope="col">Result</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r) => {
              const status = statusLabels[r.status];
              return (
                <tr data-row={String(r.row)} data-status={r.status}>
                  <td class="num">{r.row}</td>
                  <td>
                    <RowMember row={rows[r.row - 1]} />
                  </td>
                  <td>
                    <span class={`badge ${status.badge}`.trim()}>{status.label}</span>
                  </td>
                  <td>{r.status === "rejected" ? r.reason : r.id ? <a href={`/dashboard/members/${encodeURIComponent(r.id)}`}>See the member</a> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ImportPage(props: { c: Context<DashboardEnv>; form: FormState; result: ImportResult | null; pointsLabel: string }) {
  const { c, form, result } = props;
  return (
    <Layout c={c} section="Import" title="Import members">
      {result ? <Report result={result} /> : null}
      <section class="card" aria-labelledby="upload">
        <h2 id="upload">{result ? "Import another file" : "Choose a file"}</h2>
        <p>Export your customer list from a spreadsheet as CSV, check the columns below, then import it.</p>
        <FormProblems form={form} />
        <PostForm c={c} action="/dashboard/import" multipart label="Import members">
          <FileField
            form={form}
            name="file"
            label="CSV file"
            accept=".csv,text/csv"
            hint={`At most ${count(IMPORT_MAX_ROWS)} members and 3 MB, saved as CSV (UTF-8).`}
          />
          <div class="actions">
            <button type="submit">Import</button>
          </div>
        </PostForm>
      </section>
      <Columns pointsLabel={props.pointsLabel} />
    </Layout>
  );
}
