// `npm run bench`: the Worker under load, locally, against a seeded D1 of N members.
//
//   npm run bench                               100,000 members, 3 rounds of 5 s per scenario, 16 in flight
//   npm run bench -- --members 20000 --rounds 2 --duration 5 --concurrency 8
//   npm run bench -- --compare                  also: rows read per search at 10,000 vs 1,000,000 members
//
// Each state lives in .wrangler/bench/<N> (reused when it already holds N synthetic members). The
// Worker runs as `wrangler dev --port 8797 --persist-to <dir>` with its own secrets (not .dev.vars);
// its log goes to .bench/wrangler-<N>.log. A small keep-alive HTTP load generator (127.0.0.1 only)
// runs each scenario for --duration seconds with --concurrency requests in flight and reads the
// Worker's Server-Timing header (D1 rows read, KV hit/miss). /health, /ready, search and warm lookup
// run in --rounds interleaved rounds (each round in another order) and each ratio is the median of
// the rounds' ratios: the machine's speed drifts over a run, and a ratio taken within one round
// compares like with like. Each scenario also reports the CPU time per request of the Worker's
// processes (Linux: /proc) and of the load generator. Results: stdout and .bench/results.md.
//
// The dashboard's overview: the synthetic members get a year of ledger history (HISTORY_ROWS_PER_MEMBER
// rows each, generated in SQL: about 300,000 rows at 100,000 members, counted by the running-total
// triggers of migration 0015 as they go in), and GET /dashboard is asked with a session cookie whose
// row the benchmark writes into dashboard_sessions itself. Target: under 1,000 D1 rows read per
// overview, not growing with the members (--compare measures it at 10,000 and 1,000,000 too).

import { execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sha256Base64Url } from "../src/lib/crypto.ts";
import { nationalPhoneDigits } from "../src/loyalty/search/search-terms.ts";
import { startKountaStandIn, waitForKountaStandIn } from "./lib/kounta-stand-in.ts";
import { prng } from "./lib/prng.ts";
import { applyMigrations, d1Query, ROOT, runScript, runWrangler, startWrangler } from "./lib/wrangler.ts";

const HOST = "127.0.0.1";
const PORT = 8797;
const COMPANY = "456";
const SITE = "123";
/** The demo company's phone country code (scripts/seed.ts). */
const COUNTRY_CODE = "61";
const ADDON_KEY = "bench-addon-key-123";
const BENCH_VARS = {
  KOUNTA_ADDON_KEY: ADDON_KEY,
  REDEEM_SIGNING_KEY: "bench-signing-key-0123456789abcdefghij",
  // The OAuth client the local Kounta stand-in knows (its default: dev/kounta-stand-in/state.ts).
  KOUNTA_CLIENT_ID: "local-dev-client-id",
  KOUNTA_CLIENT_SECRET: "local-dev-client-secret",
  // The local key the seed encrypts the demo company's Kounta tokens with (.dev.vars.example).
  TOKEN_ENCRYPTION_KEYS: "local-1:cjXFEE8h2zJt9Qb1mObUpAQ220oRwLyZ9GOcFVp6J9M=",
};
const KOUNTA_PORT = 8788;
// Wrangler's local trace store, on by default in `wrangler dev`, writes every span of every request
// into a SQLite file on the Worker's thread (here about 0.4 ms per /health and 0.6 ms per search)
// and grows without bound (over 1 GB after a few runs). Production has nothing like it: off here.
const NO_LOCAL_TRACES = { X_LOCAL_OBSERVABILITY: "false" };
const RESULTS_DIR = path.join(ROOT, ".bench");
const TARGETS = { search: 0.7, warm: 0.85, overviewRowsRead: 1000 };
/** The dashboard's overview page (src/dashboard/pages/overview.tsx). */
const OVERVIEW_PATH = "/dashboard";
/** The dashboard's session cookie (src/connect/sign-in.ts). */
const SESSION_COOKIE = "loyalty_session";
/** Ledger rows of history per synthetic member, spread over the last 365 days. */
const HISTORY_ROWS_PER_MEMBER = 3;
/** Synthetic members per history statement (one `wrangler d1 execute` file holds them all). */
const HISTORY_MEMBERS_PER_STATEMENT = 25_000;

// ---------------------------------------------------------------------------------------------
// Options

const { values: opts } = parseArgs({
  options: {
    members: { type: "string", default: "100000" },
    duration: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "16" },
    compare: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  console.log(`Usage: npm run bench -- [--members N] [--rounds R] [--duration S] [--concurrency C] [--compare]
  --members N       synthetic members in the benchmarked company (default 100000)
  --rounds R        interleaved rounds of /health, /ready, search and warm lookup (default 3)
  --duration S      seconds per scenario and round (default 5)
  --concurrency C   requests in flight (default 16)
  --compare         also seed 10,000 and 1,000,000 members and compare rows read per search (minutes)`);
  process.exit(0);
}
const MEMBERS = wholeNumber("members", opts.members, 1);
const DURATION_MS = wholeNumber("duration", opts.duration, 1) * 1000;
const ROUNDS = wholeNumber("rounds", opts.rounds, 1);
const CONCURRENCY = wholeNumber("concurrency", opts.concurrency, 1);

function wholeNumber(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be a whole number >= ${min}, not "${value}"`);
    process.exit(2);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The local state: .wrangler/bench/<N>

function stateDir(members: number): string {
  return path.join(ROOT, ".wrangler", "bench", String(members));
}

/** Synthetic members have ids of "mem_" + 16 characters; the demo's are shorter. */
const SYNTHETIC = `company_id = '${COMPANY}' AND length(id) = 20`;

async function syntheticCount(dir: string): Promise<number | null> {
  try {
    const [rows] = await d1Query<{ n: number }>(`SELECT count(*) AS n FROM members WHERE ${SYNTHETIC}`, dir);
    return rows?.[0]?.n ?? null;
  } catch {
    return null;
  }
}

async function prepareState(members: number): Promise<string> {
  const dir = stateDir(members);
  const started = performance.now();
  let existing: number | null = null;
  if (existsSync(path.join(dir, "v3", "d1"))) {
    await applyMigrations(dir, { capture: true });
    existing = await syntheticCount(dir);
  }
  if (existing === members) {
    // Reuse the members; drop the KV state (cards and catalogue cached by the last run) so cold
    // lookups are cold again, and put the demo icons back with the (idempotent) demo seed.
    console.log(`State ${rel(dir)}: reusing ${members} members (KV cache cleared)`);
    rmSync(path.join(dir, "v3", "kv"), { recursive: true, force: true });
    // The traces wrangler recorded when earlier versions of this script left its trace store on
    // (over 1 GB after a few runs); nothing reads them.
    rmSync(path.join(dir, "v3", "observability"), { recursive: true, force: true });
    await runScript("seed.ts", ["--persist-to", dir]);
  } else {
    console.log(`State ${rel(dir)}: seeding ${members} members${existing !== null ? ` (found ${existing})` : ""}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await applyMigrations(dir, { capture: true });
    await runScript("seed.ts", ["--persist-to", dir, "--members", String(members)]);
  }
  await seedHistory(dir);
  console.log(`State ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** A member's history rows carry keys "bench:<pk>:<n>" (no other writer uses the prefix). */
const HISTORY_KEY = "bench:";

/**
 * A year of ledger history for the synthetic members, once per state: per member two earn rows and
 * one redemption of a demo reward (spending exactly what the two earned, so every balance, and the
 * balance = ledger invariant, stay as the seed left them), at days and hours spread by the member's
 * pk over the last 365 days. Plain INSERT ... SELECT with a recursive CTE for the row number: every
 * row fires the triggers of migration 0015, as any writer's would, so the overview's totals count it.
 */
async function seedHistory(dir: string): Promise<void> {
  const [flags, range] = await d1Query<{ n: number }>(
    `SELECT EXISTS (SELECT 1 FROM points_ledger WHERE company_id = '${COMPANY}' AND idempotency_key >= '${HISTORY_KEY}' AND idempotency_key < 'bench;') AS n;
     SELECT min(pk) AS n FROM members WHERE ${SYNTHETIC} UNION ALL SELECT max(pk) FROM members WHERE ${SYNTHETIC}`,
    dir,
  );
  if (flags?.[0]?.n === 1) return;
  const [low, high] = (range ?? []).map((r) => r.n);
  if (low === null || low === undefined || high === null || high === undefined) return;
  const started = performance.now();
  const now = Date.now();
  const rewardIds = ["rwd_coffee", "rwd_5off", "rwd_pay_points", "rwd_cake", "rwd_20pct"];
  const statements: string[] = [];
  for (let from = low; from <= high; from += HISTORY_MEMBERS_PER_STATEMENT) {
    const to = Math.min(high, from + HISTORY_MEMBERS_PER_STATEMENT - 1);
    // Row k of member pk: 0 to 364 days back (never before the member joined) at a time of day from
    // the pk; the earns are 5 to 24 points each, the redemption (the last row) their sum.
    statements.push(`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ${HISTORY_ROWS_PER_MEMBER})
INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, reward_id, actor, note, idempotency_key, created_at)
SELECT 'led_bench_' || m.pk || '_' || k.n, m.company_id, m.id,
  CASE WHEN k.n < ${HISTORY_ROWS_PER_MEMBER} THEN 5 + (m.pk * k.n) % 20 ELSE -(${Array.from({ length: HISTORY_ROWS_PER_MEMBER - 1 }, (_, i) => `(5 + (m.pk * ${i + 1}) % 20)`).join(" + ")}) END,
  CASE WHEN k.n < ${HISTORY_ROWS_PER_MEMBER} THEN 'earn' ELSE 'redeem' END,
  '${SITE}',
  CASE WHEN k.n = ${HISTORY_ROWS_PER_MEMBER} THEN json_extract('${JSON.stringify(rewardIds)}', '$[' || (m.pk % ${rewardIds.length}) || ']') END,
  'bench', 'Synthetic history', '${HISTORY_KEY}' || m.pk || ':' || k.n,
  max(m.created_at + k.n, ${now} - ((m.pk * (7 + 31 * k.n)) % 365) * 86400000 - (m.pk * 7919 + k.n * 104729) % 86400000)
FROM members m CROSS JOIN k
WHERE m.pk BETWEEN ${from} AND ${to} AND +m.company_id = '${COMPANY}' AND length(m.id) = 20;`);
  }
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-history-"));
  try {
    const file = path.join(work, "history.sql");
    writeFileSync(file, statements.join("\n"));
    await runWrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--file", file], { capture: true });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const members = high - low + 1;
  console.log(`  history: about ${(members * HISTORY_ROWS_PER_MEMBER).toLocaleString("en-AU")} ledger rows over 365 days in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * A dashboard session of the demo company, written straight into dashboard_sessions as a sign-in
 * would write it (src/storage/dashboard-sessions.ts: only the SHA-256 of the id is stored); the
 * Cookie header that carries it. Valid for the 7 days a session may live (12 hours idle).
 */
async function openBenchSession(dir: string): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  const idHash = await sha256Base64Url(id);
  const now = Date.now();
  await d1Query(
    `INSERT INTO dashboard_sessions (id_hash, company_id, csrf_token, created_at, last_seen_at, expires_at)
     VALUES ('${idHash}', '${COMPANY}', '${randomBytes(32).toString("base64url")}', ${now}, ${now}, ${now + 7 * 24 * 3600_000})`,
    dir,
  );
  return `${SESSION_COOKIE}=${id}`;
}

function rel(p: string): string {
  return path.relative(ROOT, p) || ".";
}

// ---------------------------------------------------------------------------------------------
// The Worker under test

interface Server {
  child: ChildProcess;
  log: string;
  stop: () => Promise<void>;
}

let running: Server | null = null;

/**
 * Signals the process group of the wrangler we started (detached, so it leads its own group):
 * wrangler, its node child and workerd, even when wrangler itself has already exited.
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The local Kounta stand-in (dev/kounta-stand-in) on :8788: what redemption calls. */
async function startStandIn(): Promise<{ stop: () => Promise<void> }> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const fd = openSync(path.join(RESULTS_DIR, "kounta-stand-in.log"), "w");
  // --quiet: no line per call (the benchmark makes many).
  const child = startKountaStandIn({ port: KOUNTA_PORT, host: HOST, stdio: ["ignore", fd, fd], detached: true, quiet: true });
  closeSync(fd);
  const stop = async () => {
    killGroup(child, "SIGTERM");
    await sleep(1000);
    killGroup(child, "SIGKILL");
  };
  if (await waitForKountaStandIn(child, `http://${HOST}:${KOUNTA_PORT}`)) return { stop };
  await stop();
  throw new Error("the Kounta stand-in did not start (see .bench/kounta-stand-in.log)");
}

async function startServer(dir: string, label: string): Promise<Server> {
  if (await healthy()) throw new Error(`something already answers on ${HOST}:${PORT}; stop it first`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const log = path.join(RESULTS_DIR, `wrangler-${label}.log`);
  // An empty env file instead of .dev.vars: the benchmark's secrets are its own (--var below).
  const envFile = path.join(RESULTS_DIR, "empty.env");
  writeFileSync(envFile, "");
  const fd = openSync(log, "w");
  const args = ["dev", "--port", String(PORT), "--ip", HOST, "--persist-to", dir, "--env-file", envFile];
  for (const [name, value] of Object.entries(BENCH_VARS)) args.push("--var", `${name}:${value}`);
  const child = startWrangler(args, { stdio: ["ignore", fd, fd], detached: true, env: NO_LOCAL_TRACES });
  closeSync(fd);
  const server: Server = {
    child,
    log,
    stop: async () => {
      killGroup(child, "SIGTERM");
      const exited = await Promise.race([
        new Promise<boolean>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(true) : child.once("exit", () => resolve(true)))),
        sleep(8000).then(() => false),
      ]);
      // Whatever of the group outlived wrangler (or a wrangler that would not stop) goes now.
      if (exited) await sleep(500);
      killGroup(child, "SIGKILL");
      if (running === server) running = null;
    },
  };
  running = server;
  const deadline = Date.now() + 120_000;
  while (!(await healthy())) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await server.stop();
      const tail = readFileSync(log, "utf8").trim().split("\n").slice(-20).join("\n");
      throw new Error(`wrangler dev did not come up (log ${rel(log)}):\n${tail}`);
    }
    await sleep(250);
  }
  return server;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function healthy(): Promise<boolean> {
  try {
    const res = await request("/health", 2000);
    return res.status === 200;
  } catch {
    return false;
  }
}

// Make sure the Worker goes when we do, whatever the reason.
process.on("exit", () => {
  if (running) killGroup(running.child, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (running) killGroup(running.child, "SIGTERM");
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Load generator: node:http with one keep-alive agent, only to 127.0.0.1.

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface Response {
  status: number;
  serverTiming: string;
  body: string;
}

/** Generous: a search that scans a large company waits its turn behind the others in flight. */
function request(pathAndQuery: string, timeoutMs = 120_000, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, path: pathAndQuery, method: "GET", agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          serverTiming: String(res.headers["server-timing"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

interface Job {
  path: string;
  /** Request headers (the dashboard's session cookie). */
  headers?: Record<string, string>;
  /** Groups results inside a scenario (the kind of keyword, for search). */
  kind?: string;
  /** Whether a 2xx body is an empty answer (a search that found nobody). */
  isEmpty?: (body: string) => boolean;
}

interface Sample {
  ms: number;
  ok: boolean;
  /** Server-Timing: the Worker's own time, and the D1 and KV parts of it. */
  serverMs: number;
  d1Ms: number;
  kvMs: number;
  rowsRead: number;
  /** Server-Timing: D1 round trips and Kounta API calls. */
  d1RoundTrips: number;
  kountaCalls: number;
  kountaMs: number;
  kv: string | null;
  kind: string;
  empty: boolean;
}

interface Result {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  rowsRead: number;
  rowsReadMax: number;
  serverMs: number;
  d1Ms: number;
  kvMs: number;
  kv: Record<string, number>;
  empty: number;
  samples: Sample[];
  firstError?: string;
  /** Throughput against /health in each round (scenarios measured in rounds). */
  ratios?: number[];
  /** CPU time spent during the scenario (ms): the Worker's processes (null where unknown) and the load generator. */
  cpu: { workerMs: number | null; loadGeneratorMs: number };
}

const ROWS_READ = /rows_read=(\d+)/;
const ROUND_TRIPS = /round_trips=(\d+)/;
const KOUNTA_CALLS = /kounta;[^,]*desc="calls=(\d+)"/;
const TIMING = (name: string) => new RegExp(`(?:^|,\\s*)${name};dur=([\\d.]+)`);
const TOTAL_DUR = TIMING("total");
const D1_DUR = TIMING("d1");
const KV_DUR = TIMING("kv");
const KOUNTA_DUR = TIMING("kounta");
const KV_OUTCOME = /(?:^|,\s*)kv;[^,]*desc="([^"]*)"/;

// CPU accounting: what the Worker's processes (wrangler, its proxy and workerd: the process group
// of the wrangler we started) and this load generator spend per request. Linux only (/proc); elsewhere
// the Worker's share is left out. On a machine this small the throughput follows the CPU a request
// costs in all of them, so this says where a scenario's time goes.
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU milliseconds used so far by the live processes of one process group, or null without /proc. */
function groupCpuMs(pgid: number | undefined): number | null {
  if (pgid === undefined || !existsSync("/proc/self/stat")) return null;
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // After "pid (comm) ": state, ppid, pgrp, ... utime is field 14 and stime 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

function cpuNow(): { worker: number | null; self: number } {
  const self = process.cpuUsage();
  return { worker: groupCpuMs(running?.child.pid), self: (self.user + self.system) / 1000 };
}

/**
 * Runs `next()` jobs with CONCURRENCY in flight until the duration is up, `maxRequests` were sent
 * or `next()` has no more.
 */
async function load(
  name: string,
  next: () => Job | null,
  options: { durationMs: number; concurrency: number; maxRequests?: number },
): Promise<Result> {
  const samples: Sample[] = [];
  let sent = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY;

  async function worker(): Promise<void> {
    while (performance.now() < deadline && sent < max) {
      const job = next();
      if (!job) return;
      sent++;
      const t = performance.now();
      try {
        const res = await request(job.path, undefined, job.headers);
        const ok = res.status >= 200 && res.status < 300;
        if (!ok) firstError ??= `${res.status} ${res.body.slice(0, 200)} (${job.path})`;
        samples.push({
          ms: performance.now() - t,
          ok,
          serverMs: Number(TOTAL_DUR.exec(res.serverTiming)?.[1] ?? 0),
          d1Ms: Number(D1_DUR.exec(res.serverTiming)?.[1] ?? 0),
          kvMs: Number(KV_DUR.exec(res.serverTiming)?.[1] ?? 0),
          rowsRead: Number(ROWS_READ.exec(res.serverTiming)?.[1] ?? 0),
          d1RoundTrips: Number(ROUND_TRIPS.exec(res.serverTiming)?.[1] ?? 0),
          kountaCalls: Number(KOUNTA_CALLS.exec(res.serverTiming)?.[1] ?? 0),
          kountaMs: Number(KOUNTA_DUR.exec(res.serverTiming)?.[1] ?? 0),
          kv: KV_OUTCOME.exec(res.serverTiming)?.[1] ?? null,
          kind: job.kind ?? name,
          empty: ok && !!job.isEmpty?.(res.body),
        });
      } catch (err) {
        firstError ??= `${err instanceof Error ? err.message : String(err)} (${job.path})`;
        const ms = performance.now() - t;
        samples.push({ ms, ok: false, serverMs: 0, d1Ms: 0, kvMs: 0, rowsRead: 0, d1RoundTrips: 0, kountaCalls: 0, kountaMs: 0, kv: null, kind: job.kind ?? name, empty: false });
      }
    }
  }

  const cpuBefore = cpuNow();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuNow();
  return summarise(name, samples, seconds, firstError, {
    workerMs: cpuBefore.worker !== null && cpuAfter.worker !== null ? cpuAfter.worker - cpuBefore.worker : null,
    loadGeneratorMs: cpuAfter.self - cpuBefore.self,
  });
}

function summarise(
  name: string,
  samples: Sample[],
  seconds: number,
  firstError?: string,
  cpu: Result["cpu"] = { workerMs: null, loadGeneratorMs: 0 },
): Result {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const kv: Record<string, number> = {};
  for (const s of samples) if (s.kv) kv[s.kv] = (kv[s.kv] ?? 0) + 1;
  return {
    name,
    requests: samples.length,
    seconds,
    rps: samples.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors: samples.filter((s) => !s.ok).length,
    rowsRead: mean(samples, (s) => s.rowsRead),
    rowsReadMax: samples.reduce((a, s) => Math.max(a, s.rowsRead), 0),
    serverMs: mean(samples, (s) => s.serverMs),
    d1Ms: mean(samples, (s) => s.d1Ms),
    kvMs: mean(samples, (s) => s.kvMs),
    kv,
    empty: samples.filter((s) => s.empty).length,
    samples,
    firstError,
    cpu,
  };
}

/** One scenario over all rounds: every sample, and its throughput against /health in each round. */
function mergeRounds(perRound: Result[], healthPerRound: Result[]): Result {
  const samples = perRound.flatMap((r) => r.samples);
  const seconds = perRound.reduce((a, r) => a + r.seconds, 0);
  const workerMs = perRound.every((r) => r.cpu.workerMs !== null) ? perRound.reduce((a, r) => a + r.cpu.workerMs!, 0) : null;
  const cpu = { workerMs, loadGeneratorMs: perRound.reduce((a, r) => a + r.cpu.loadGeneratorMs, 0) };
  const merged = summarise(perRound[0]!.name, samples, seconds, perRound.find((r) => r.firstError)?.firstError, cpu);
  merged.ratios = perRound.map((r, i) => r.rps / healthPerRound[i]!.rps);
  return merged;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Throughput against /health: the median of the rounds' ratios when measured in rounds. */
function ratioOf(r: Result, health: Result): number {
  return r.ratios ? median(r.ratios) : r.rps / health.rps;
}

function mean(samples: Sample[], value: (s: Sample) => number): number {
  return samples.length ? samples.reduce((a, s) => a + value(s), 0) / samples.length : 0;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// What to ask for: keywords and member ids that exist in the seeded data.

interface MemberRow {
  id: string;
  first_name: string;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  card_number: string | null;
}

function spaced(digits: string): string {
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

const KEYWORD_KINDS = [
  "first name",
  "full name",
  "last, first",
  "name prefix",
  "accented name",
  "email",
  "email start",
  "phone 0412 345 678",
  "phone +61412345678",
  "phone 412345678",
  "card number",
] as const;
type KeywordKind = (typeof KEYWORD_KINDS)[number];

function keywordFor(kind: KeywordKind, m: MemberRow, accented: MemberRow[], rand: () => number): string | null {
  switch (kind) {
    case "first name":
      return m.first_name;
    case "full name":
      return m.last_name ? `${m.first_name} ${m.last_name}` : null;
    case "last, first":
      return m.last_name ? `${m.last_name} ${m.first_name}` : null;
    case "name prefix":
      return m.first_name.slice(0, 2 + Math.floor(rand() * 2)).toLowerCase();
    case "accented name": {
      const a = accented[Math.floor(rand() * accented.length)];
      if (!a) return null;
      return a.last_name && rand() < 0.5 ? `${a.first_name} ${a.last_name}` : a.first_name;
    }
    case "email":
      return m.email;
    case "email start": {
      if (!m.email) return null;
      const local = m.email.split("@")[0]!;
      return local.slice(0, Math.min(local.length, 4 + Math.floor(rand() * 5)));
    }
    case "phone 0412 345 678":
      return m.phone ? `0${spaced(nationalPhoneDigits(m.phone, COUNTRY_CODE))}` : null;
    case "phone +61412345678":
      return m.phone ? `+61${nationalPhoneDigits(m.phone, COUNTRY_CODE)}` : null;
    case "phone 412345678":
      return m.phone ? nationalPhoneDigits(m.phone, COUNTRY_CODE) : null;
    case "card number":
      return m.card_number;
  }
}

/** Keywords, evenly spread over the kinds, each taken from a member that exists. */
function buildKeywords(sample: MemberRow[], count: number, seed: number): { kind: KeywordKind; keyword: string }[] {
  const rand = prng(seed);
  const accented = sample.filter((m) => /[^\u0000-\u007f]/.test(`${m.first_name}${m.last_name ?? ""}`));
  const out: { kind: KeywordKind; keyword: string }[] = [];
  let guard = 0;
  while (out.length < count && guard++ < count * 50) {
    const kind = KEYWORD_KINDS[out.length % KEYWORD_KINDS.length]!;
    const m = sample[Math.floor(rand() * sample.length)]!;
    const keyword = keywordFor(kind, m, accented, rand);
    if (keyword) out.push({ kind, keyword });
  }
  return out;
}

function searchPath(keyword: string): string {
  const q = new URLSearchParams({ keyword, site_id: SITE, company_id: COMPANY, order_id: "111" });
  return `/kounta/${ADDON_KEY}/customer-search?${q}`;
}

/** A Kounta customer id per member, the same in every run (so a rerun does not relink). */
function customerIdFor(memberId: string): string {
  let h = 2166136261;
  for (let i = 0; i < memberId.length; i++) h = Math.imul(h ^ memberId.charCodeAt(i), 16777619);
  return String(900_000_000 + ((h >>> 0) % 99_999_999));
}

function lookupPath(memberId: string): string {
  const q = new URLSearchParams({
    customer_id: customerIdFor(memberId),
    reference_id: memberId,
    site_id: SITE,
    company_id: COMPANY,
    order_id: "111",
  });
  return `/kounta/${ADDON_KEY}/reward-lookup?${q}`;
}

const EMPTY_SEARCH = (body: string) => body.replace(/\s/g, "") === '{"members":{}}';
const NOT_REDEEMED = (body: string) => !body.includes('"success":true');

/** Members of the demo company with points enough for a long run of 1-point redemptions. */
async function richMembers(dir: string): Promise<string[]> {
  const [rows] = await d1Query<{ id: string }>(`SELECT id FROM members WHERE company_id = '${COMPANY}' AND points >= 2000 LIMIT 100`, dir);
  return (rows ?? []).map((r) => r.id);
}

function cycle<T>(list: T[], map: (item: T) => Job): () => Job {
  let i = 0;
  return () => map(list[i++ % list.length]!);
}

/**
 * The dashboard's overview: GET OVERVIEW_PATH with the session cookie, under `options`. Null (and
 * said why) when the Worker does not answer it with a page: no such route yet, or the session not
 * accepted (a redirect to the sign-in page).
 */
async function benchOverview(
  cookie: string,
  options: { durationMs: number; concurrency: number; maxRequests?: number },
  name = "dashboard overview",
): Promise<Result | null> {
  const headers = { Cookie: cookie };
  const probe = await request(OVERVIEW_PATH, undefined, headers);
  if (probe.status !== 200) {
    const why = probe.status === 303 ? " (a redirect to the sign-in page: the session was not accepted)" : "";
    console.log(`  ${name}: not measured: GET ${OVERVIEW_PATH} answered ${probe.status}${why}`);
    return null;
  }
  return load(name, cycle([OVERVIEW_PATH], (p) => ({ path: p, headers })), options);
}

// ---------------------------------------------------------------------------------------------
// Reporting

function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-AU", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function kvText(kv: Record<string, number>): string {
  const parts = Object.entries(kv).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(", ") : "–";
}

function printResult(r: Result, health?: Result): void {
  const ratio = health ? ` (${fmt(ratioOf(r, health), 2)}x /health)` : "";
  console.log(
    `  ${r.name}: ${r.requests} requests in ${fmt(r.seconds)} s = ${fmt(r.rps)} req/s${ratio}; ` +
      `p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms; errors ${r.errors}; ` +
      `Worker ${fmt(r.serverMs)} ms avg (D1 ${fmt(r.d1Ms)}, KV ${fmt(r.kvMs)}); ` +
      `D1 rows read/req ${fmt(r.rowsRead)} (max ${r.rowsReadMax}); KV ${kvText(r.kv)}; CPU ms/req ${cpuText(r)}` +
      (r.empty ? `; empty answers ${r.empty}` : ""),
  );
  if (r.firstError) console.log(`    first error: ${r.firstError}`);
}

/** CPU per request: the Worker's processes / the load generator. */
function cpuText(r: Result): string {
  if (r.requests === 0) return "–";
  const worker = r.cpu.workerMs === null ? "?" : fmt(r.cpu.workerMs / r.requests, 2);
  return `${worker} / ${fmt(r.cpu.loadGeneratorMs / r.requests, 2)}`;
}

function mainTable(results: Result[], health: Result): string {
  const lines = [
    "| scenario | requests | req/s | vs /health (median) | each round | p50 ms | p99 ms | errors | Worker ms (D1 / KV) | D1 rows read/req | KV | CPU ms/req (Worker processes / load generator) |",
    "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|",
  ];
  for (const r of results) {
    const rounds = r.ratios ? r.ratios.map((x) => fmt(x, 2)).join(" / ") : "(once)";
    lines.push(
      `| ${r.name} | ${r.requests} | ${fmt(r.rps)} | ${fmt(ratioOf(r, health), 2)}x | ${rounds} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors} | ${fmt(r.serverMs)} (${fmt(r.d1Ms)} / ${fmt(r.kvMs)}) | ${fmt(r.rowsRead)} | ${kvText(r.kv)} | ${cpuText(r)} |`,
    );
  }
  return lines.join("\n");
}

function redemptionTable(r: Result): string {
  const ok = r.samples.filter((s) => s.ok && !s.empty);
  const avg = (f: (s: Sample) => number) => fmt(ok.length ? ok.reduce((a, s) => a + f(s), 0) / ok.length : 0);
  return [
    "Redemption, per successful redemption (Server-Timing):",
    "",
    "| redeemed | not redeemed | p50 ms | p99 ms | Worker ms | D1 round trips (batches) | D1 ms | Kounta calls | Kounta ms |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${ok.length} | ${r.samples.length - ok.length} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${avg((s) => s.serverMs)} | ${avg((s) => s.d1RoundTrips)} | ${avg((s) => s.d1Ms)} | ${avg((s) => s.kountaCalls)} | ${avg((s) => s.kountaMs)} |`,
  ].join("\n");
}

function byKind(r: Result): Result[] {
  const groups = new Map<string, Sample[]>();
  for (const s of r.samples) groups.set(s.kind, [...(groups.get(s.kind) ?? []), s]);
  // In KEYWORD_KINDS order (requests finish in any order), anything else after.
  const order = (kind: string) => {
    const i = (KEYWORD_KINDS as readonly string[]).indexOf(kind);
    return i < 0 ? KEYWORD_KINDS.length : i;
  };
  return [...groups.entries()].sort((a, b) => order(a[0]) - order(b[0])).map(([kind, samples]) => summarise(kind, samples, r.seconds));
}

function kindTable(r: Result): string {
  const lines = [
    "| keyword kind | requests | p50 ms | p99 ms | rows read avg | rows read max | no match |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const k of byKind(r)) {
    lines.push(`| ${k.name} | ${k.requests} | ${fmt(k.p50)} | ${fmt(k.p99)} | ${fmt(k.rowsRead)} | ${k.rowsReadMax} | ${k.empty} |`);
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Runs

async function sampleMembers(dir: string): Promise<{ sample: MemberRow[]; ids: string[] }> {
  const [sample, idRows] = await d1Query<MemberRow & { id: string }>(
    `SELECT id, first_name, last_name, email, phone, card_number FROM members WHERE company_id = '${COMPANY}' ORDER BY random() LIMIT 3000;
     SELECT id FROM members WHERE ${SYNTHETIC} LIMIT 20000`,
    dir,
  );
  return { sample: sample ?? [], ids: (idRows ?? []).map((r) => r.id) };
}

function shuffle<T>(list: T[], rand: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface BenchRun {
  health: Result;
  ready: Result;
  search: Result;
  cold: Result;
  warm: Result;
  redeem: Result;
  /** The dashboard's overview (null: GET /dashboard answered no page). */
  overview: Result | null;
  /** Search against /ready in each round: what a search costs beyond the D1 round trip itself. */
  searchVsReady: number[];
}

async function benchMain(members: number): Promise<BenchRun> {
  const dir = await prepareState(members);
  const { sample, ids } = await sampleMembers(dir);
  if (sample.length === 0 || ids.length < 100) throw new Error(`the state in ${rel(dir)} has too few members`);
  const rand = prng(42);
  const shuffled = shuffle(ids, rand);
  const warmIds = shuffled.slice(0, 50);
  const coldIds = shuffled.slice(50);
  const keywords = buildKeywords(sample, 2000, 7);
  // Written before the Worker starts: wrangler d1 execute and wrangler dev never share the state.
  const cookie = await openBenchSession(dir);

  console.log(`\nKounta stand-in: Node (dev/kounta-stand-in/node-server.ts) on ${HOST}:${KOUNTA_PORT}`);
  const kountaStandIn = await startStandIn();
  console.log(`Worker: wrangler dev on ${HOST}:${PORT} (state ${rel(dir)})`);
  const server = await startServer(dir, String(members)).catch(async (err: unknown) => {
    await kountaStandIn.stop();
    throw err;
  });
  try {
    const settings = { durationMs: DURATION_MS, concurrency: CONCURRENCY };
    console.log(`Load: ${CONCURRENCY} in flight; ${ROUNDS} rounds of ${DURATION_MS / 1000} s per scenario\n`);

    // Warm-up (not measured): the isolate, the JIT, SQLite's page cache. No lookups, so every
    // cold lookup below is the first for its member since the KV state was cleared.
    await load("warm-up", cycle(["/health"], (p) => ({ path: p })), { ...settings, durationMs: 1500 });
    await load("warm-up", cycle(keywords, (k) => ({ path: searchPath(k.keyword) })), { ...settings, durationMs: 2000 });

    // Warm lookups: a few members, each looked up once first (KV and memory get their card).
    for (const id of warmIds) await request(lookupPath(id));
    await sleep(500); // the card is written in waitUntil, after the response

    const scenarios: { name: string; next: () => Job | null }[] = [
      { name: "/health", next: cycle(["/health"], (p) => ({ path: p })) },
      { name: "/ready (one trivial D1 query)", next: cycle(["/ready"], (p) => ({ path: p })) },
      {
        name: "customer search",
        next: cycle(keywords, (k) => ({ path: searchPath(k.keyword), kind: k.kind, isEmpty: EMPTY_SEARCH })),
      },
      { name: "reward lookup, warm", next: cycle(warmIds, (id) => ({ path: lookupPath(id) })) },
    ];
    const rounds: Result[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const results: Result[] = new Array<Result>(scenarios.length);
      // Each round starts with another scenario, so none is always first or last.
      for (let k = 0; k < scenarios.length; k++) {
        const i = (round + k) % scenarios.length;
        results[i] = await load(scenarios[i]!.name, scenarios[i]!.next, settings);
      }
      rounds.push(results);
      console.log(
        `  round ${round + 1}: ` + results.map((r) => `${r.name} ${fmt(r.rps)} req/s (${fmt(r.rps / results[0]!.rps, 2)}x)`).join("; "),
      );
    }
    const healthRounds = rounds.map((row) => row[0]!);
    const [health, ready, search, warm] = scenarios.map((_, i) => mergeRounds(rounds.map((row) => row[i]!), healthRounds)) as [
      Result,
      Result,
      Result,
      Result,
    ];
    const searchVsReady = rounds.map((row) => row[2]!.rps / row[1]!.rps);
    console.log("");
    for (const r of [health, ready, search, warm]) printResult(r, health);

    // Cold: each request a member never looked up since the KV state was cleared.
    let nextCold = 0;
    const cold = await load(
      "reward lookup, cold",
      () => (nextCold < coldIds.length ? { path: lookupPath(coldIds[nextCold++]!) } : null),
      { ...settings, maxRequests: coldIds.length },
    );
    printResult(cold, health);
    if (nextCold >= coldIds.length) console.log(`    (ran out of cold members after ${coldIds.length} requests)`);

    // The dashboard's overview, signed in as the demo company (before the redemptions below add to its totals).
    const overview = await benchOverview(cookie, settings);
    if (overview) printResult(overview, health);

    // Redemption: "Pay with points", 1 point a time (so balances last), each on a new order, through
    // the signed redeem_url of a lookup, against the local Kounta stand-in.
    const redeemers = await richMembers(dir);
    const redeemUrls: string[] = [];
    for (const id of redeemers) {
      const res = await request(lookupPath(id));
      const reward = (JSON.parse(res.body).rewards as { id: string; redeem_url: string }[]).find((r) => r.id === "rwd_pay_points");
      if (reward) redeemUrls.push(new URL(reward.redeem_url).pathname + new URL(reward.redeem_url).search);
    }
    let order = 500_000;
    const redeem = await load(
      "redemption (pay with points)",
      cycle(redeemUrls, (url) => ({ path: `${url.replace("order_id=111", `order_id=${order++}`)}&quantity=1`, isEmpty: NOT_REDEEMED })),
      settings,
    );
    printResult(redeem, health);

    return { health, ready, search, cold, warm, redeem, overview, searchVsReady };
  } finally {
    await server.stop();
    await kountaStandIn.stop();
  }
}

interface CompareRow {
  members: number;
  search: Result;
  overview: Result | null;
}

/** Searches per kind of keyword in a --compare run (few: at 1M members a scanning search takes seconds). */
const COMPARE_PER_KIND = 20;

async function compareRun(members: number): Promise<CompareRow> {
  const dir = await prepareState(members);
  const { sample } = await sampleMembers(dir);
  const keywords = buildKeywords(sample, KEYWORD_KINDS.length * COMPARE_PER_KIND, 11);
  const cookie = await openBenchSession(dir);
  const server = await startServer(dir, String(members));
  try {
    // Rows read do not depend on load: one request at a time (so D1 time is the query's, not a
    // queue's), every keyword once, so both sizes get the same searches of each kind. Bounded at 10
    // minutes all the same.
    const concurrency = 1;
    let w = 0;
    await load("warm-up", () => (w < 4 ? toJob(keywords[w++]!) : null), { durationMs: 60_000, concurrency: 2 });
    let i = 0;
    const search = await load(`customer search @ ${members}`, () => (i < keywords.length ? toJob(keywords[i++]!) : null), {
      durationMs: 10 * 60_000,
      concurrency,
      maxRequests: keywords.length,
    });
    printResult(search);
    if (search.requests < keywords.length) console.log(`    (stopped after 10 minutes: ${search.requests} of ${keywords.length} searches)`);
    const overview = await benchOverview(cookie, { durationMs: 60_000, concurrency: 1, maxRequests: 20 }, `dashboard overview @ ${members}`);
    if (overview) printResult(overview);
    return { members, search, overview };
  } finally {
    await server.stop();
  }
}

function toJob(k: { kind: KeywordKind; keyword: string }): Job {
  return { path: searchPath(k.keyword), kind: k.kind, isEmpty: EMPTY_SEARCH };
}

function compareTable(rows: CompareRow[]): string {
  const kinds = byKind(rows[0]!.search).map((k) => k.name);
  const per = rows.map((r) => new Map(byKind(r.search).map((k) => [k.name, k])));
  const size = (r: CompareRow) => r.members.toLocaleString("en-AU");
  const columns: [string, (c: Result) => string][] = [
    ["rows read", (c) => `${fmt(c.rowsRead)} / ${c.rowsReadMax}`],
    // Server-Timing's D1 time: the query, and the local simulator's fixed cost of a round trip.
    ["D1 ms", (c) => fmt(c.d1Ms)],
    ["p50 ms", (c) => fmt(c.p50)],
  ];
  const header = `| keyword kind | ${columns.flatMap(([name]) => rows.map((r) => `${name} @ ${size(r)}${name === "rows read" ? " (avg / max)" : ""}`)).join(" | ")} |`;
  const lines = [header, `|---|${columns.flatMap(() => rows.map(() => "---:|")).join("")}`];
  for (const kind of [...kinds, "all"]) {
    const cells = per.map((m, i) => (kind === "all" ? rows[i]!.search : m.get(kind)));
    lines.push(`| ${kind} | ${columns.flatMap(([, value]) => cells.map((c) => (c ? value(c) : "–"))).join(" | ")} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const started = performance.now();
  // The load generator, wrangler and workerd share this machine: say how busy it was.
  const machine = `${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)} at the start`;
  const run = await benchMain(MEMBERS);
  const { health, search, warm } = run;
  const results = [run.health, run.ready, run.search, run.cold, run.warm, run.redeem, ...(run.overview ? [run.overview] : [])];
  const searchRatio = ratioOf(search, health);
  const warmRatio = ratioOf(warm, health);

  let compare: CompareRow[] | null = null;
  if (opts.compare) {
    console.log("\nCompare: rows read per search at 10,000 and 1,000,000 members");
    compare = [await compareRun(10_000), await compareRun(1_000_000)];
  }

  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const md: string[] = [
    `### Benchmark: ${MEMBERS.toLocaleString("en-AU")} members, ${CONCURRENCY} in flight, ${ROUNDS} rounds of ${DURATION_MS / 1000} s per scenario (${when})`,
    "",
    `Local \`wrangler dev\` (workerd, local D1 and KV) and the load generator on one machine: ${machine}.`,
    "",
    mainTable(results, health),
    "",
    redemptionTable(run.redeem),
    "",
    "Customer search by kind of keyword:",
    "",
    kindTable(search),
    "",
  ];
  if (compare) {
    md.push("Rows read per search, the same kinds of keyword against two sizes of company:", "", compareTable(compare), "");
  }
  const compareVerdict = compare
    ? (() => {
        const [small, large] = compare;
        // Rows read must not follow the company's size: the most any search reads stays put while the
        // members grow 100x. (The average may rise a little: a name has more matches, up to the
        // 20-result page, in a bigger company.)
        const ratio = large!.search.rowsReadMax / Math.max(1, small!.search.rowsReadMax);
        return (
          `rows read per search at most ${small!.search.rowsReadMax} at 10,000 vs ${large!.search.rowsReadMax} at 1,000,000 members ` +
          `(${fmt(ratio, 2)}x for 100x the members; average ${fmt(small!.search.rowsRead)} vs ${fmt(large!.search.rowsRead)}): ${ratio <= 1.5 ? "met" : "NOT met"}`
        );
      })()
    : "rows read per search, 10,000 vs 1,000,000 members: not measured (run with --compare)";
  const overview = run.overview;
  const overviewVerdict = overview
    ? `dashboard overview (GET ${OVERVIEW_PATH}): ${fmt(overview.rps)} req/s (${fmt(ratioOf(overview, health), 2)}x /health), D1 rows read per overview ` +
      `${fmt(overview.rowsRead)} (max ${overview.rowsReadMax}) at ${MEMBERS.toLocaleString("en-AU")} members with a year of history, target under ${TARGETS.overviewRowsRead}: ` +
      `${overview.rowsReadMax < TARGETS.overviewRowsRead ? "met" : "NOT met"}`
    : `dashboard overview (GET ${OVERVIEW_PATH}): not measured (the Worker answered no page there)`;
  const overviewCompare = (() => {
    const [small, large] = compare ?? [];
    if (!small?.overview || !large?.overview) return "rows read per overview, 10,000 vs 1,000,000 members: not measured (run with --compare)";
    // Not growing with the members: the same figures from the same bounded rows (the session and
    // settings reads aside), whatever the company's size.
    const ratio = large.overview.rowsReadMax / Math.max(1, small.overview.rowsReadMax);
    return (
      `rows read per overview at most ${small.overview.rowsReadMax} at 10,000 vs ${large.overview.rowsReadMax} at 1,000,000 members ` +
      `(${fmt(ratio, 2)}x for 100x the members): ${ratio <= 1.1 ? "met" : "NOT met"}`
    );
  })();
  md.push(
    "Latency is measured by the load generator (it includes wrangler's local proxy); \"Worker ms\" is the " +
      "Worker's own Server-Timing `total` (D1 and KV parts), averaged.",
    "",
    "Targets:",
    "",
    `- search ≥ ${TARGETS.search}x /health throughput: ${fmt(searchRatio, 2)}x — ${searchRatio >= TARGETS.search ? "met" : "NOT met"}`,
    `- warm reward lookup ≥ ${TARGETS.warm}x /health throughput: ${fmt(warmRatio, 2)}x — ${warmRatio >= TARGETS.warm ? "met" : "NOT met"}`,
    `- for reference, one trivial D1 round trip (/ready): ${fmt(ratioOf(run.ready, health), 2)}x /health; search: ${fmt(median(run.searchVsReady), 2)}x /ready`,
    `- ${compareVerdict}`,
    `- ${overviewVerdict}`,
    `- ${overviewCompare}`,
    "",
  );
  const text = md.join("\n");
  console.log(`\n${text}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, "results.md"), text);
  console.log(`Written to ${rel(path.join(RESULTS_DIR, "results.md"))} in ${fmt((performance.now() - started) / 1000)} s total.`);
}

main()
  .catch(async (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (running) await running.stop();
    agent.destroy();
  });
