// `npm run bench -- --only search-parts`: where a customer search's time goes on this machine.
//
// The Worker is scripts/lib/bench-search-parts-worker.ts under `wrangler dev` (the project's Worker
// plus one route answering like the search with one part of its work changed) on the benchmark's
// state. /ready, the real search and each part run in --rounds interleaved rounds of --duration
// seconds (each round in another order), with the same keywords as the main run; each is reported
// as the median of its rounds' throughput against /ready, with the Worker's CPU per request. The
// differences between neighbours are what each part costs: the route itself (route against /ready),
// a D1 round trip from the route (select1), a full page of rows through D1 and the answer (rows), the
// search statement and its rows' way back (statement), and all of it (the search).

import path from "node:path";
import { HOST, PORT } from "./bench-config.ts";
import { load, median, type Job, type Result } from "./bench-load.ts";
import { fmt } from "./bench-report.ts";
import { rel, startServer, startStandIn } from "./bench-server.ts";
import { ROOT } from "./wrangler.ts";
import { prepareState, sampleMembers } from "./bench-state.ts";
import { buildKeywords, cycle, searchJob, searchPath } from "./bench-workload.ts";
import type { SearchPart } from "./bench-search-parts-worker.ts";

const WORKER = path.join(ROOT, "scripts", "lib", "bench-search-parts-worker.ts");

interface Scenario {
  name: string;
  what: string;
  next: () => Job;
}

export interface SearchPartsRow {
  name: string;
  what: string;
  /** Median over the rounds of throughput against /ready in the same round. */
  vsReady: number;
  /** Each round's ratio, in round order. */
  rounds: number[];
  /** CPU ms per request of the Worker's processes, median over the rounds (null: unknown). */
  cpuMs: number | null;
  rps: number;
  errors: number;
}

const PARTS: { part: SearchPart; what: string }[] = [
  { part: "route", what: "the search's route, parameters, key check and statement building; no member statement" },
  { part: "select1", what: "the route and one trivial D1 read (SELECT 1) in place of the search" },
  { part: "rows", what: `the route and a full page of constant rows through D1 (no table read), answered as members` },
  { part: "statement", what: "the route and the real search statement, its rows dropped before the answer" },
];

export async function benchSearchParts(options: { members: number; rounds: number; durationMs: number; concurrency: number }): Promise<SearchPartsRow[]> {
  const dir = await prepareState(options.members);
  const { sample } = await sampleMembers(dir);
  const keywords = buildKeywords(sample, 2000, 7);
  const partJob = (part: SearchPart) => (k: { keyword: string }) => ({ path: searchPath(k.keyword).replace("/customer-search", `/search-parts/${part}`) });
  const scenarios: Scenario[] = [
    { name: "/ready", what: "one trivial D1 read on its own route (the floor)", next: cycle(["/ready"], (p) => ({ path: p })) },
    ...PARTS.map(({ part, what }) => ({ name: part, what, next: cycle(keywords, partJob(part)) })),
    { name: "customer search", what: "the real search (statement, rows and answer)", next: cycle(keywords, searchJob) },
  ];

  const standIn = await startStandIn();
  console.log(`\nSearch parts: wrangler dev ${rel(WORKER)} on ${HOST}:${PORT} (state ${rel(dir)})`);
  const server = await startServer(dir, `search-parts-${options.members}`, [WORKER]);
  const perRound: Result[][] = [];
  try {
    const settings = { durationMs: options.durationMs, concurrency: options.concurrency };
    // Warm-up (not measured): the isolate, the JIT, SQLite's page cache, the programme in memory.
    for (const s of scenarios) await load("warm-up", s.next, { ...settings, durationMs: 1000 });
    for (let round = 0; round < options.rounds; round++) {
      const results = new Array<Result>(scenarios.length);
      // Each round starts with the next scenario, so none is always first or last.
      for (let k = 0; k < scenarios.length; k++) {
        const i = (round + k) % scenarios.length;
        results[i] = await load(scenarios[i]!.name, scenarios[i]!.next, settings);
      }
      perRound.push(results);
      console.log(`  round ${round + 1}: ` + results.map((r) => `${r.name} ${fmt(r.rps / results[0]!.rps, 2)}x`).join("; "));
    }
  } finally {
    await server.stop();
    await standIn.stop();
  }
  return scenarios.map((s, i) => {
    const results = perRound.map((row) => row[i]!);
    const rounds = perRound.map((row) => row[i]!.rps / row[0]!.rps);
    const cpu = results.every((r) => r.cpu.workerMs !== null) ? median(results.map((r) => r.cpu.workerMs! / Math.max(1, r.requests))) : null;
    return {
      name: s.name,
      what: s.what,
      vsReady: median(rounds),
      rounds,
      cpuMs: cpu,
      rps: median(results.map((r) => r.rps)),
      errors: results.reduce((a, r) => a + r.errors, 0),
    };
  });
}

export function searchPartsMarkdown(rows: SearchPartsRow[], options: { members: number; rounds: number; durationMs: number; concurrency: number }): string[] {
  const lines = [
    `Where a customer search's time goes: ${options.members.toLocaleString("en-AU")} members, ${options.concurrency} in flight, ` +
      `${options.rounds} interleaved rounds of ${options.durationMs / 1000} s (scripts/lib/bench-search-parts-worker.ts answers each part):`,
    "",
    "| scenario | what it does | against /ready (median) | rounds | req/s (median) | Worker CPU ms/req | errors |",
    "|---|---|---:|---|---:|---:|---:|",
  ];
  for (const r of rows) {
    const rounds = r.rounds.map((x) => fmt(x, 2)).join(" ");
    lines.push(`| ${r.name} | ${r.what} | ${fmt(r.vsReady, 3)}x | ${rounds} | ${fmt(r.rps)} | ${r.cpuMs === null ? "n/a" : fmt(r.cpuMs, 2)} | ${r.errors} |`);
  }
  const spread = rows.filter((r) => r.name !== "/ready").map((r) => Math.max(...r.rounds) - Math.min(...r.rounds));
  lines.push(
    "",
    `The rounds' ratios of one scenario spread by up to ${fmt(Math.max(0, ...spread), 2)} on this machine: differences ` +
      "between neighbouring rows smaller than that are noise, not a part's cost.",
  );
  return lines;
}
