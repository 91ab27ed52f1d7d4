// The benchmark's tables and lines (stdout and .bench/results.md).

import { TARGETS } from "./bench-config.ts";
import { median, ratioOf, summarise, type Result, type Sample } from "./bench-load.ts";
import { KEYWORD_KINDS } from "./bench-workload.ts";

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-AU", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function kvText(kv: Record<string, number>): string {
  const parts = Object.entries(kv).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(", ") : "–";
}

export function printResult(r: Result, health?: Result): void {
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

/** CPU per request of the Worker's processes (wrangler, its proxy and workerd); "?" where unknown. */
function workerCpuText(r: Result): string {
  if (r.requests === 0) return "–";
  return r.cpu.workerMs === null ? "?" : fmt(r.cpu.workerMs / r.requests, 2);
}

/** CPU per request: the Worker's processes / the load generator. */
function cpuText(r: Result): string {
  if (r.requests === 0) return "–";
  return `${workerCpuText(r)} / ${fmt(r.cpu.loadGeneratorMs / r.requests, 2)}`;
}

export function mainTable(results: Result[], health: Result): string {
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

export interface Headline {
  name: string;
  /** Throughput against the reference in each round (the same interleaved rounds). */
  rounds: number[];
  target: number;
  /** The scenario and the one it is measured against, for their CPU per request. */
  scenario: Result;
  reference: Result;
}

/** The headline: the median of the rounds' ratios (printed to 3 digits, so 0.898x does not read as a met 0.90x). */
export function headlineRatio(h: Headline): number {
  return median(h.rounds);
}

export function headlineMet(h: Headline): boolean {
  return headlineRatio(h) >= h.target;
}

/**
 * The headline ratios: search against /ready (the same one D1 round trip with nothing to read) and
 * warm lookup against /health, medians of the rounds' ratios, with the CPU per request of both sides.
 */
export function headlineTable(headlines: Headline[]): string {
  const lines = [
    "| headline | throughput ratio (median) | each round | target | | CPU ms/req, Worker processes / load generator |",
    "|---|---:|---|---:|---|---|",
  ];
  for (const h of headlines) {
    lines.push(
      `| ${h.name} | ${fmt(headlineRatio(h), 3)}x | ${h.rounds.map((x) => fmt(x, 2)).join(" / ")} | ≥ ${fmt(h.target, 2)}x | ${headlineMet(h) ? "met" : "NOT met"} | ` +
        `${shortName(h.scenario)} ${cpuText(h.scenario)}; ${shortName(h.reference)} ${cpuText(h.reference)} |`,
    );
  }
  return lines.join("\n");
}

/** "/ready (one trivial D1 query)" → "/ready", "reward lookup, warm" → "warm lookup". */
function shortName(r: Result): string {
  if (r.name.startsWith("/")) return r.name.split(" ")[0]!;
  if (r.name === "reward lookup, warm") return "warm lookup";
  if (r.name === "customer search") return "search";
  return r.name;
}

export function headlineVerdicts(headlines: Headline[]): string[] {
  return headlines.map(
    (h) =>
      `${h.name} throughput ≥ ${fmt(h.target, 2)}x: ${fmt(headlineRatio(h), 3)}x — ${headlineMet(h) ? "met" : "NOT met"} ` +
      `(CPU ms/req of the Worker's processes: ${shortName(h.scenario)} ${workerCpuText(h.scenario)}, ${shortName(h.reference)} ${workerCpuText(h.reference)})`,
  );
}

export function redemptionTable(r: Result): string {
  const ok = r.samples.filter((s) => s.ok && !s.empty);
  const avg = (f: (s: Sample) => number) => fmt(ok.length ? ok.reduce((a, s) => a + f(s), 0) / ok.length : 0);
  return [
    "Redemption, per successful redemption (Server-Timing):",
    "",
    "| redeemed | not redeemed | p50 ms | p99 ms | Worker ms | D1 round trips (batches) | of them to the primary | D1 ms | Kounta calls | Kounta ms |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${ok.length} | ${r.samples.length - ok.length} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${avg((s) => s.serverMs)} | ${avg((s) => s.d1RoundTrips)} | ${avg((s) => s.d1PrimaryTrips)} | ${avg((s) => s.d1Ms)} | ${avg((s) => s.kountaCalls)} | ${avg((s) => s.kountaMs)} |`,
  ].join("\n");
}

export function byKind(r: Result): Result[] {
  const groups = new Map<string, Sample[]>();
  for (const s of r.samples) groups.set(s.kind, [...(groups.get(s.kind) ?? []), s]);
  // In KEYWORD_KINDS order (requests finish in any order), anything else after.
  const order = (kind: string) => {
    const i = (KEYWORD_KINDS as readonly string[]).indexOf(kind);
    return i < 0 ? KEYWORD_KINDS.length : i;
  };
  return [...groups.entries()].sort((a, b) => order(a[0]) - order(b[0])).map(([kind, samples]) => summarise(kind, samples, r.seconds));
}

export function kindTable(r: Result): string {
  const lines = [
    "| keyword kind | requests | p50 ms | p99 ms | rows read avg | rows read max | no match |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const k of byKind(r)) {
    lines.push(`| ${k.name} | ${k.requests} | ${fmt(k.p50)} | ${fmt(k.p99)} | ${fmt(k.rowsRead)} | ${k.rowsReadMax} | ${k.empty} |`);
  }
  return lines.join("\n");
}

export interface CompareRow {
  members: number;
  search: Result;
  overview: Result | null;
}

export function compareTable(rows: CompareRow[]): string {
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

/** The verdicts of a --compare run (or why there are none). */
export function compareVerdicts(compare: CompareRow[] | null, members: number, overview: Result | null, health: Result, overviewPath: string): string[] {
  const searchLine = compare
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
  const overviewLine = overview
    ? `dashboard overview (GET ${overviewPath}): ${fmt(overview.rps)} req/s (${fmt(ratioOf(overview, health), 2)}x /health), D1 rows read per overview ` +
      `${fmt(overview.rowsRead)} (max ${overview.rowsReadMax}) at ${members.toLocaleString("en-AU")} members with a year of history, target under ${TARGETS.overviewRowsRead}: ` +
      `${overview.rowsReadMax < TARGETS.overviewRowsRead ? "met" : "NOT met"}`
    : `dashboard overview (GET ${overviewPath}): not measured (the Worker answered no page there)`;
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
  return [searchLine, overviewLine, overviewCompare];
}
