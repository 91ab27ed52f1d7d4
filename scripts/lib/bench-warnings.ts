// The benchmark's expiry warnings (issue 19): one run of the warnings pass of the cron's
// warn-expiring-points job over the benchmark's synthetic company (scripts/bench.ts; alone with
// `npm run bench -- --only warnings`).
//
// The state is a copy of the benchmark's D1 (.wrangler/bench/<N> copied to .wrangler/bench/<N>-warnings,
// made again each run, so the main scenarios never see what this adds and each run starts the same):
// the company gets an expiry policy (EXPIRY_MONTHS), a share of its synthetic members agree to emails
// (CONSENT_PERCENT, by pk), and each of the two days whose points expire in 30 days and in 1 day gets
// LOTS_PER_DAY new earn lots (a day's sales: each of a member picked at random, with an order id, the
// member's balance raised by it as a sale would). Those days already hold lots of the state's own (the
// synthetic year of history, and the seed's opening balances); the pass reads them all.
//
// The Worker is scripts/lib/bench-warnings-worker.ts under `wrangler dev` (the project's Worker whose
// scheduled handler runs only warnExpiringPoints, over a D1 binding that records every statement with
// D1's own meta), triggered through wrangler's /cdn-cgi/local/scheduled at the instant the lots were
// placed for. It runs twice: the run, then a re-run of the same day (which must record nothing). What
// is reported is measured: the messages recorded (the job's summary, and the rows counted in D1
// afterwards), the statements, D1's rows read and written, its SQL time, the pass's wall time in the
// Worker, and EXPLAIN QUERY PLAN of each kind of statement (the index ranges it reads); the tables are
// bench-warnings-report.ts's. The settings (EXPIRY_MONTHS and the others) are in bench-config.ts.

import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { DAY_MS, isoDay, lotsExpiringOn } from "../../src/loyalty/earning/expiry.ts";
import { WARNING_DAYS } from "../../src/loyalty/notifications/expiry-warnings.ts";
import type { WarningsMeasurement } from "./bench-warnings-worker.ts";
import {
  COMPANY,
  SITE,
  WARNINGS_CONSENT_PERCENT as CONSENT_PERCENT,
  WARNINGS_EXPIRY_MONTHS as EXPIRY_MONTHS,
  WARNINGS_LOTS_PER_DAY as LOTS_PER_DAY,
} from "./bench-config.ts";
import { warningsLines } from "./bench-warnings-report.ts";
import { fmt } from "./bench-report.ts";
import { rel, request, sleep, startServer } from "./bench-server.ts";
import { prepareState } from "./bench-state.ts";
import { prng } from "./prng.ts";
import { d1Query, executeSqlFile, ROOT } from "./wrangler.ts";


const WORKER = path.join(ROOT, "scripts", "lib", "bench-warnings-worker.ts");
const MARKER = "BENCH_WARNINGS ";
/** Synthetic members have ids of "mem_" + 16 characters (as in bench-state.ts). */
const SYNTHETIC = `company_id = '${COMPANY}' AND length(id) = 20`;
/** The ledger rows this measurement adds carry keys "earn:bench-warn-..." (and order ids "bench-warn-..."). */
const ORDER_PREFIX = "bench-warn-";

export interface WarningDay {
  days: number;
  /** YYYY-MM-DD on which the points expire. */
  expiresOn: string;
  range: { from: number; before: number };
  /** Lots created in the range: all of them, and those this measurement added. */
  lots: number;
  added: number;
  /** Distinct members with a lot that day, and of them those who can be sent a warning. */
  members: number;
  reachable: number;
  /** Warnings in D1 for that day after the run. */
  recorded: number;
}

export interface WarningsResult {
  members: number;
  stateDir: string;
  days: WarningDay[];
  first: WarningsMeasurement;
  rerun: WarningsMeasurement;
  /** Node's view: the scheduled request's round trip, ms. */
  firstRoundTripMs: number;
  rerunRoundTripMs: number;
  progress: { expiry_warned_day: number | null; expiry_warn_cursor: string | null } | null;
}

function q(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}


/** The policy, the consent and the lots, in the copy; what the two days hold. */
async function placeLots(dir: string, now: number): Promise<Omit<WarningDay, "recorded">[]> {
  const [synthetic] = await d1Query<{ pk: number; id: string }>(`SELECT pk, id FROM members WHERE ${SYNTHETIC} ORDER BY pk`, dir);
  const pool = synthetic ?? [];
  if (pool.length < LOTS_PER_DAY) throw new Error(`the state in ${rel(dir)} has ${pool.length} synthetic members, fewer than ${LOTS_PER_DAY}`);
  const today = Math.floor(now / DAY_MS);
  const rand = prng(19);
  const statements = [
    `UPDATE companies SET expiry_months = ${EXPIRY_MONTHS} WHERE id = '${COMPANY}';`,
    `DELETE FROM notification_settings WHERE company_id = '${COMPANY}';`,
    `DELETE FROM notifications WHERE company_id = '${COMPANY}' AND kind = 'points_expiring';`,
    `UPDATE members SET email_consent = CASE WHEN pk % 100 < ${CONSENT_PERCENT} THEN 1 ELSE 0 END WHERE ${SYNTHETIC};`,
  ];
  const days = WARNING_DAYS.map((days) => {
    const expiresOn = (today + days) * DAY_MS;
    return { days, expiresOn: isoDay(expiresOn), range: lotsExpiringOn(expiresOn, EXPIRY_MONTHS) };
  });
  for (const day of days) {
    // LOTS_PER_DAY distinct members, at random (a partial shuffle of the pool).
    const picked = [...pool];
    for (let i = 0; i < LOTS_PER_DAY; i++) {
      const j = i + Math.floor(rand() * (picked.length - i));
      [picked[i], picked[j]] = [picked[j]!, picked[i]!];
    }
    const span = day.range.before - day.range.from;
    picked.slice(0, LOTS_PER_DAY).forEach((m, n) => {
      const order = `${ORDER_PREFIX}${day.days}d-${n}`;
      const points = 5 + Math.floor(rand() * 40);
      const createdAt = day.range.from + Math.floor(rand() * span);
      statements.push(
        `INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, actor, note, idempotency_key, created_at) VALUES (` +
          [`led_${order}`, COMPANY, m.id, points, "earn", SITE, order, "bench", "Synthetic sale (expiry warnings)", `earn:${order}`, createdAt].map(q).join(", ") +
          ");",
        `UPDATE members SET points = points + ${points}, updated_at = ${now} WHERE company_id = '${COMPANY}' AND id = ${q(m.id)};`,
      );
    });
  }
  const started = performance.now();
  await executeSqlFile(statements, dir);
  console.log(
    `  placed: a ${EXPIRY_MONTHS}-month policy, ${CONSENT_PERCENT}% of the synthetic members with email consent, ` +
      `${LOTS_PER_DAY} lots on each of ${days.map((d) => `${isoDay(d.range.from)} (expiring ${d.expiresOn})`).join(" and ")} in ${fmt((performance.now() - started) / 1000)} s`,
  );

  // What the days hold, counted in D1 (the same lot rows the pass reads: earn, or a positive adjustment).
  const counts = await d1Query<{ lots: number; added: number; members: number; reachable: number }>(
    days
      .map(
        (d) => `SELECT count(*) AS lots, sum(l.idempotency_key >= 'earn:${ORDER_PREFIX}' AND l.idempotency_key < 'earn:${ORDER_PREFIX}~') AS added,
  count(DISTINCT l.member_id) AS members,
  count(DISTINCT CASE WHEN m.status = 'active' AND m.email IS NOT NULL AND m.email_consent = 1 THEN l.member_id END) AS reachable
FROM points_ledger l JOIN members m ON m.id = l.member_id
WHERE l.company_id = '${COMPANY}' AND l.created_at >= ${d.range.from} AND l.created_at < ${d.range.before}
  AND (l.reason = 'earn' OR (l.reason = 'adjustment' AND l.delta > 0))`,
      )
      .join(";\n"),
    dir,
  );
  return days.map((d, i) => {
    const c = counts[i]?.[0] ?? { lots: 0, added: 0, members: 0, reachable: 0 };
    return { ...d, lots: c.lots, added: c.added ?? 0, members: c.members, reachable: c.reachable };
  });
}

/** Triggers the Worker's scheduled handler at `time` and waits for the measurement line it logs. */
async function triggerRun(log: string, time: number, seen: number): Promise<{ measurement: WarningsMeasurement; roundTripMs: number }> {
  const started = performance.now();
  const res = await request(`/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/5 * * * *")}&time=${time}&format=json`, 300_000);
  const roundTripMs = performance.now() - started;
  if (res.status !== 200) throw new Error(`the scheduled handler answered ${res.status}: ${res.body.slice(0, 300)} (log ${rel(log)})`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lines = readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line.startsWith(MARKER));
    if (lines.length > seen) return { measurement: JSON.parse(lines[seen]!.slice(MARKER.length)) as WarningsMeasurement, roundTripMs };
    if (Date.now() > deadline) throw new Error(`no ${MARKER.trim()} line in ${rel(log)} after the scheduled run`);
    await sleep(200);
  }
}

export async function benchWarnings(members: number): Promise<WarningsResult> {
  console.log(`\nExpiry warnings: one run of the pass at ${members.toLocaleString("en-AU")} members`);
  const source = await prepareState(members);
  const dir = path.join(ROOT, ".wrangler", "bench", `${members}-warnings`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "v3"), { recursive: true });
  // D1 only: the KV of the copy starts empty (the outbox the consumer writes to).
  cpSync(path.join(source, "v3", "d1"), path.join(dir, "v3", "d1"), { recursive: true });
  console.log(`  state: a copy of ${rel(source)}'s D1 in ${rel(dir)}`);
  const now = Date.now();
  const placed = await placeLots(dir, now);

  console.log(`  Worker: wrangler dev ${rel(WORKER)} (state ${rel(dir)})`);
  const server = await startServer(dir, `warnings-${members}`, [WORKER]);
  let first: Awaited<ReturnType<typeof triggerRun>>;
  let rerun: Awaited<ReturnType<typeof triggerRun>>;
  try {
    first = await triggerRun(server.log, now, 0);
    rerun = await triggerRun(server.log, now, 1);
  } finally {
    await server.stop();
  }

  const [recordedRows, progressRows] = await d1Query<{ occasion: string; n: number } & { expiry_warned_day: number | null; expiry_warn_cursor: string | null }>(
    `SELECT occasion, count(*) AS n FROM notifications WHERE company_id = '${COMPANY}' AND kind = 'points_expiring' GROUP BY occasion;
     SELECT expiry_warned_day, expiry_warn_cursor FROM notification_settings WHERE company_id = '${COMPANY}'`,
    dir,
  );
  const recorded = new Map((recordedRows ?? []).map((r) => [r.occasion, r.n]));
  const days = placed.map((d) => ({ ...d, recorded: recorded.get(`${d.expiresOn}:${d.days}d`) ?? 0 }));
  const result: WarningsResult = {
    members,
    stateDir: dir,
    days,
    first: first.measurement,
    rerun: rerun.measurement,
    firstRoundTripMs: first.roundTripMs,
    rerunRoundTripMs: rerun.roundTripMs,
    progress: progressRows?.[0] ?? null,
  };
  for (const line of warningsLines(result)) console.log(`  ${line}`);
  return result;
}
