// The expiry warnings measurement's report (scripts/lib/bench-warnings.ts measures): the short
// lines for stdout and the section of .bench/results.md (and docs/benchmark.md).

import { DAY_MS, isoDay } from "../../src/loyalty/earning/expiry.ts";
import { LOTS_CHUNK } from "../../src/loyalty/notifications/expiry-warnings.ts";
import { WARNING_QUERY_BUDGET } from "../../src/jobs/notification-sweep.ts";
import type { WarningsResult } from "./bench-warnings.ts";
import type { PlanRow, RecordedStatement, WarningsMeasurement } from "./bench-warnings-worker.ts";
import { WARNINGS_CONSENT_PERCENT, WARNINGS_EXPIRY_MONTHS, WARNINGS_LOTS_PER_DAY } from "./bench-config.ts";
import { fmt } from "./bench-report.ts";

/** Which statement of the pass this is, from its SQL. */
function kindOf(sql: string): string {
  if (/FROM companies c LEFT JOIN notification_settings/.test(sql)) return "companies due (companiesDueWarnings)";
  if (/SELECT l\.id, l\.created_at, l\.member_id FROM points_ledger/.test(sql))
    return /l\.created_at > \?/.test(sql) ? "a chunk of the day's lots, resumed after the last (lotsCreatedStatement)" : "the first chunk of a day's lots (lotsCreatedStatement)";
  if (/INSERT INTO notifications/.test(sql)) return "the chunk's warnings (INSERT ... SELECT ... RETURNING)";
  if (/INSERT INTO notification_settings/.test(sql)) return "the company's progress (notification_settings)";
  return sql.replace(/\s+/g, " ").trim().slice(0, 60);
}

interface Totals {
  statements: number;
  rows: number;
  rowsRead: number;
  rowsWritten: number;
  sqlMs: number;
  ms: number;
}

function totals(statements: RecordedStatement[]): Totals {
  return statements.reduce(
    (t, s) => ({
      statements: t.statements + 1,
      rows: t.rows + s.rows,
      rowsRead: t.rowsRead + s.rowsRead,
      rowsWritten: t.rowsWritten + s.rowsWritten,
      sqlMs: t.sqlMs + s.sqlMs,
      ms: t.ms + s.ms,
    }),
    { statements: 0, rows: 0, rowsRead: 0, rowsWritten: 0, sqlMs: 0, ms: 0 },
  );
}

function byKind(statements: RecordedStatement[]): [string, Totals][] {
  const groups = new Map<string, RecordedStatement[]>();
  for (const s of statements) groups.set(kindOf(s.sql), [...(groups.get(kindOf(s.sql)) ?? []), s]);
  return [...groups.entries()].map(([kind, list]) => [kind, totals(list)]);
}

const n = (x: number) => x.toLocaleString("en-AU");

/** The short lines for stdout. */
export function warningsLines(r: WarningsResult): string[] {
  const t = totals(r.first.statements);
  const again = totals(r.rerun.statements);
  return [
    ...r.days.map(
      (d) =>
        `${d.days}-day warnings (points expiring ${d.expiresOn}): ${n(d.lots)} lots (${n(d.added)} added), ${n(d.members)} members, ${n(d.reachable)} reachable; ${n(d.recorded)} messages in D1`,
    ),
    `run: ${n(r.first.summary.recorded)} messages recorded, ${n(t.statements)} D1 statements (the job counts ${r.first.summary.queries}), ` +
      `rows read ${n(t.rowsRead)}, rows written ${n(t.rowsWritten)}, D1 SQL ${fmt(t.sqlMs)} ms, wall ${fmt(r.first.wallMs)} ms in the Worker ` +
      `(scheduled request ${fmt(r.firstRoundTripMs)} ms)${r.first.summary.incomplete ? "; INCOMPLETE (budget)" : ""}`,
    `re-run: ${n(r.rerun.summary.recorded)} recorded, ${n(again.statements)} statements, rows read ${n(again.rowsRead)}, written ${n(again.rowsWritten)}, wall ${fmt(r.rerun.wallMs)} ms`,
  ];
}

/** A plan's rows as an indented tree (EXPLAIN QUERY PLAN's id/parent). */
function planText(rows: PlanRow[]): string[] {
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((row) => {
    const d = (depth.get(row.parent) ?? -1) + 1;
    depth.set(row.id, d);
    return `${"  ".repeat(d)}${row.detail}`;
  });
}

/** The section of .bench/results.md (and docs/benchmark.md). */
export function warningsMarkdown(r: WarningsResult): string[] {
  const t = totals(r.first.statements);
  const again = totals(r.rerun.statements);
  const row = (name: string, m: WarningsMeasurement, x: Totals, roundTrip: number) =>
    `| ${name} | ${n(m.summary.recorded)} | ${n(x.statements)} (${m.summary.queries}) | ${n(x.rowsRead)} | ${n(x.rowsWritten)} | ${fmt(x.sqlMs)} | ${fmt(x.ms)} | ${fmt(m.wallMs)} | ${fmt(roundTrip)} |`;
  const lines = [
    `Expiry warnings: one run of the pass of warn-expiring-points (warnExpiringPoints) at ${n(r.members)} members, ` +
      `through the Worker's scheduled handler (scripts/lib/bench-warnings-worker.ts, triggered at ${new Date(r.first.scheduledTime).toISOString()}). ` +
      `The company: a ${WARNINGS_EXPIRY_MONTHS}-month expiry policy, ${WARNINGS_CONSENT_PERCENT}% of its synthetic members with email consent, ${n(WARNINGS_LOTS_PER_DAY)} new earn lots on each day below ` +
      `(besides the state's own history and opening balances on those days).`,
    "",
    "| warning | points expire on | lots created on | lots in the range (added) | members with a lot | of them reachable (active, email, consent) | messages recorded |",
    "|---|---|---|---:|---:|---:|---:|",
    ...r.days.map(
      (d) => `| ${d.days} day${d.days === 1 ? "" : "s"} before | ${d.expiresOn} | ${isoDay(d.range.from)} | ${n(d.lots)} (${n(d.added)}) | ${n(d.members)} | ${n(d.reachable)} | ${n(d.recorded)} |`,
    ),
    "",
    `| pass | messages recorded | D1 statements (the job's count) | rows read | rows written | D1 SQL ms (meta.duration) | D1 calls ms in the Worker | wall ms in the Worker | scheduled request ms (Node) |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    row("the run", r.first, t, r.firstRoundTripMs),
    row("a re-run of the same day", r.rerun, again, r.rerunRoundTripMs),
    "",
    `The run's statements by kind (lots read ${n(LOTS_CHUNK)} a statement; the job's budget is ${WARNING_QUERY_BUDGET} statements a run${r.first.summary.incomplete ? "; this run ran OUT of it" : ", not reached"}):`,
    "",
    "| statement | count | rows returned | rows read | rows written | D1 SQL ms |",
    "|---|---:|---:|---:|---:|---:|",
    ...byKind(r.first.statements).map(([kind, k]) => `| ${kind} | ${k.statements} | ${n(k.rows)} | ${n(k.rowsRead)} | ${n(k.rowsWritten)} | ${fmt(k.sqlMs)} |`),
    "",
    `Progress left in notification_settings: expiry_warned_day ${r.progress?.expiry_warned_day ?? "none"}` +
      ` (${r.progress?.expiry_warned_day != null ? isoDay(r.progress.expiry_warned_day * DAY_MS) : "–"}), cursor ${r.progress?.expiry_warn_cursor ?? "none"}.`,
    "",
    "Query plans (EXPLAIN QUERY PLAN of the first statement of each kind, with its values):",
    "",
  ];
  const shown = new Set<string>();
  for (const plan of r.first.plans) {
    const kind = kindOf(plan.sql);
    if (shown.has(kind)) continue;
    shown.add(kind);
    lines.push(`- ${kind}:`, "", "  ```", ...(plan.rows ? (plan.rows.length ? planText(plan.rows) : ["(no table searched: one row's upsert by its key)"]) : [`(no plan: ${plan.error})`]).map((l) => `  ${l}`), "  ```", "");
  }
  return lines;
}
