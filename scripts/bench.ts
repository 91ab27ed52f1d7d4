// `npm run bench`: the Worker under load, locally, against a seeded D1 of N members.
//
//   npm run bench                               100,000 members, 3 rounds of 5 s per scenario, 16 in flight
//   npm run bench -- --members 20000 --rounds 2 --duration 5 --concurrency 8
//   npm run bench -- --compare                  also: rows read per search at 10,000 vs 1,000,000 members
//   npm run bench -- --far-primary              also: the latency model of a D1 primary far away
//   npm run bench -- --far-primary --primary-ms 200 --replica-ms 3 --kv-ms 2
//   npm run bench -- --only warnings            only one run of the expiry warnings pass (scripts/lib/bench-warnings.ts)
//   npm run bench -- --only search-parts --rounds 10 --duration 3
//                                               only where a search's time goes (scripts/lib/bench-search-parts.ts)
//
// Each state lives in .wrangler/bench/<N> (reused when it already holds N synthetic members). The
// Worker runs as `wrangler dev --port 8797 --persist-to <dir>` with its own secrets (not .dev.vars);
// its log goes to .bench/wrangler-<N>.log. A small keep-alive HTTP load generator (127.0.0.1 only)
// runs each scenario for --duration seconds with --concurrency requests in flight and reads the
// Worker's Server-Timing header (D1 round trips, rows read and session, KV hit/miss). /health,
// /ready, search and warm lookup run in --rounds interleaved rounds (each round in another order) and
// each ratio is the median of the rounds' ratios: the machine's speed drifts over a run, and a ratio
// taken within one round compares like with like. The headlines: search against /ready (the same one
// D1 round trip with nothing to read), warm lookup against /health. Each scenario also reports the
// CPU time per request of the Worker's processes (Linux: /proc) and of the load generator. Results:
// stdout and .bench/results.md.
//
// --far-primary re-times every measured POS call as if the D1 primary were far away and read
// replicas near (scripts/lib/bench-model.ts has the formula): p50/p99 with every read on the primary
// and with replicas, from each request's Server-Timing (round trips, and those to the primary).
//
// The dashboard's overview: the synthetic members get a year of ledger history (HISTORY_ROWS_PER_MEMBER
// rows each, generated in SQL: about 300,000 rows at 100,000 members, counted by the running-total
// triggers of migration 0015 as they go in), and GET /dashboard is asked with a session cookie whose
// row the benchmark writes into dashboard_sessions itself. Target: under 1,000 D1 rows read per
// overview, not growing with the members (--compare measures it at 10,000 and 1,000,000 too).
//
// The parts: scripts/lib/bench-config.ts (ports, company, targets), bench-options.ts (the command
// line), bench-state.ts (the seeded state), bench-server.ts (wrangler dev, the Kounta stand-in, the
// HTTP client), bench-load.ts (the load generator), bench-server-timing.ts (what a response's
// Server-Timing says), bench-workload.ts (keywords, members, paths), bench-report.ts (the tables),
// bench-model.ts (the far-primary model), bench-compare.ts (the overview and --compare's runs),
// bench-warnings.ts and bench-warnings-report.ts (the expiry warnings) and bench-search-parts.ts (where a search's time goes).

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { prng } from "./lib/prng.ts";
import { HOST, KOUNTA_PORT, OVERVIEW_PATH, PORT, RESULTS_DIR, TARGETS } from "./lib/bench-config.ts";
import { load, mergeRounds, ratioOf, type Job, type Result } from "./lib/bench-load.ts";
import { modelLine, modelRows, modelTable, modelVerdicts, type ModelLine } from "./lib/bench-model.ts";
import { parseBenchOptions } from "./lib/bench-options.ts";
import {
  compareTable,
  compareVerdicts,
  fmt,
  headlineTable,
  headlineVerdicts,
  kindTable,
  mainTable,
  printResult,
  redemptionTable,
  type CompareRow,
  type Headline,
} from "./lib/bench-report.ts";
import { rel, request, shutDown, sleep, startServer, startStandIn } from "./lib/bench-server.ts";
import { linkCustomers, openBenchSession, prepareState, richMembers, sampleMembers } from "./lib/bench-state.ts";
import { benchOverview, compareRun } from "./lib/bench-compare.ts";
import { benchSearchParts, searchPartsMarkdown } from "./lib/bench-search-parts.ts";
import { benchWarnings } from "./lib/bench-warnings.ts";
import { warningsMarkdown } from "./lib/bench-warnings-report.ts";
import { buildKeywords, cycle, lookupPath, NOT_REDEEMED, searchJob, searchPath, shuffle } from "./lib/bench-workload.ts";

const OPTIONS = parseBenchOptions();
const { members: MEMBERS, durationMs: DURATION_MS, rounds: ROUNDS, concurrency: CONCURRENCY } = OPTIONS;

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
  await linkCustomers(dir, shuffled);
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
      { name: "customer search", next: cycle(keywords, searchJob) },
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
        `  round ${round + 1}: ` +
          results.map((r) => `${r.name} ${fmt(r.rps)} req/s (${fmt(r.rps / results[0]!.rps, 2)}x)`).join("; ") +
          `; search against /ready ${fmt(results[2]!.rps / results[1]!.rps, 2)}x`,
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

/** Writes the report to stdout and .bench/results.md. */
function writeResults(text: string, started: number): void {
  console.log(`\n${text}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, "results.md"), text);
  console.log(`Written to ${rel(path.join(RESULTS_DIR, "results.md"))} in ${fmt((performance.now() - started) / 1000)} s total.`);
}

async function main(): Promise<void> {
  const started = performance.now();
  // The load generator, wrangler and workerd share this machine: say how busy it was.
  const machine = `${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)} at the start`;
  // --only: one measurement, its section under a heading of its own.
  const only = async (title: string, section: () => Promise<string[]>) => {
    const lines = await section();
    const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    writeResults([`### Benchmark: ${title} (${when})`, "", `Local \`wrangler dev\` on one machine: ${machine}.`, "", ...lines].join("\n"), started);
  };
  if (OPTIONS.only === "warnings") {
    return only(`expiry warnings at ${MEMBERS.toLocaleString("en-AU")} members`, async () => warningsMarkdown(await benchWarnings(MEMBERS)));
  }
  if (OPTIONS.only === "search-parts") {
    return only("where a search's time goes", async () => searchPartsMarkdown(await benchSearchParts(OPTIONS), OPTIONS));
  }
  const run = await benchMain(MEMBERS);
  const { health, search, warm } = run;
  const results = [run.health, run.ready, run.search, run.cold, run.warm, run.redeem, ...(run.overview ? [run.overview] : [])];

  // The headlines, each against its floor within the same rounds.
  const headlines: Headline[] = [
    { name: "search against /ready", rounds: run.searchVsReady, target: TARGETS.searchVsReady, scenario: search, reference: run.ready },
    { name: "warm lookup against /health", rounds: warm.ratios ?? [ratioOf(warm, health)], target: TARGETS.warmVsHealth, scenario: warm, reference: health },
  ];
  const model = OPTIONS.model;
  const modelLines: ModelLine[] | null = model ? modelRows(run).map((row) => modelLine(row, model)) : null;

  let compare: CompareRow[] | null = null;
  if (OPTIONS.compare) {
    console.log("\nCompare: rows read per search at 10,000 and 1,000,000 members");
    compare = [await compareRun(10_000), await compareRun(1_000_000)];
  }

  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const md: string[] = [
    `### Benchmark: ${MEMBERS.toLocaleString("en-AU")} members, ${CONCURRENCY} in flight, ${ROUNDS} rounds of ${DURATION_MS / 1000} s per scenario (${when})`,
    "",
    `Local \`wrangler dev\` (workerd, local D1 and KV) and the load generator on one machine: ${machine}.`,
    "",
    "Headlines (throughput within the same interleaved rounds, the median of the rounds' ratios):",
    "",
    headlineTable(headlines),
    "",
    mainTable(results, health),
    "",
    redemptionTable(run.redeem),
    "",
  ];
  if (model && modelLines) md.push(modelTable(modelLines, model), "");
  md.push("Customer search by kind of keyword:", "", kindTable(search), "");
  if (compare) {
    md.push("Rows read per search, the same kinds of keyword against two sizes of company:", "", compareTable(compare), "");
  }
  // The expiry warnings (issue 19); a failure there does not lose the scenarios above.
  md.push(
    ...(await benchWarnings(MEMBERS).then(warningsMarkdown, (err: unknown) => [
      `Expiry warnings: not measured: ${err instanceof Error ? err.message : String(err)}`,
    ])),
    "",
  );
  md.push(
    "Latency is measured by the load generator (it includes wrangler's local proxy); \"Worker ms\" is the " +
      "Worker's own Server-Timing `total` (D1 and KV parts), averaged.",
    "",
    "Targets:",
    "",
    ...headlineVerdicts(headlines).map((line) => `- ${line}`),
    ...(model && modelLines ? modelVerdicts(modelLines, model) : ["far primary: not modelled (run with --far-primary)"]).map((line) => `- ${line}`),
    `- for reference, against /health (medians of the rounds): /ready (one trivial D1 round trip) ${fmt(ratioOf(run.ready, health), 2)}x, ` +
      `search ${fmt(ratioOf(search, health), 2)}x (the headline before issue 18, target 0.7x)`,
    ...compareVerdicts(compare, MEMBERS, run.overview, health, OVERVIEW_PATH).map((line) => `- ${line}`),
    "",
  );
  writeResults(md.join("\n"), started);
}

main()
  .catch(async (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(shutDown);
