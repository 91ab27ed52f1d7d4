// `npm run bench -- --far-primary`: what each POS call would take with the D1 primary far from the
// Worker (a café in Sydney, its database in Virginia), computed from each measured request's
// Server-Timing. The local D1 cannot be far away, so nothing is slowed down: every request of the
// run is re-timed afterwards as
//
//   modelled = (total - d1 - kv)                      the Worker's own time without the local D1 and KV
//            + P x primaryMs + (N - P) x replicaMs    each D1 round trip at the distance of what served it
//            + (KV read ? kvMs : 0)                   one KV round trip when KV itself was read
//
// with N the request's D1 round trips and P those that go to the primary (Server-Timing's
// `primary_trips`: every trip of a primary session, a write's in a replica session). "Every read on
// the primary" is the same with P = N: D1 without sessions or without read replication.
//
// The local D1 and KV times are taken out rather than kept: they are the local simulator's cost of a
// call (miniflare's D1 entry Worker and Durable Object on the Worker's own thread) and, with requests
// in flight, the wait for that thread, which a production D1 call does not have; primaryMs and
// replicaMs stand for the whole round trip, the query's own execution included (about 0.3 ms of
// SQLite for a search here: docs/benchmark.md). A request's D1 calls are counted one after another,
// as the POS calls make them. The Kounta calls (redemption) keep their measured time against the
// local stand-in. `memory` (the isolate's own copy) reads no KV and costs nothing more. Left out: the
// network between the till and the Worker, and the runtime's work around the Worker's code (outside
// `total`); both are the same in either column.

import { TARGETS } from "./bench-config.ts";
import { percentile, type Result, type Sample } from "./bench-load.ts";
import { fmt } from "./bench-report.ts";
import { readKv } from "./bench-server-timing.ts";

export interface LatencyModel {
  /** A round trip to the D1 primary (ms). */
  primaryMs: number;
  /** A round trip to a D1 read replica near the Worker (ms). */
  replicaMs: number;
  /** A KV read (ms). */
  kvMs: number;
}

/** The Worker's own time of a request without the local D1 and KV: what the model adds its delays to. */
export function baseMs(s: Sample): number {
  return Math.max(0, s.serverMs - s.d1Ms - s.kvMs);
}

/** A request's modelled latency: with replicas (as its Server-Timing says), or with every round trip on the primary. */
export function modelledMs(s: Sample, model: LatencyModel, withReplicas: boolean): number {
  const primaryTrips = withReplicas ? s.d1PrimaryTrips : s.d1RoundTrips;
  return (
    baseMs(s) +
    primaryTrips * model.primaryMs +
    (s.d1RoundTrips - primaryTrips) * model.replicaMs +
    (readKv(s) ? model.kvMs : 0)
  );
}

export type ModelTarget = { kind: "p50"; ms: number } | { kind: "primary trips"; max: number };

export interface ModelRow {
  name: string;
  /** The requests modelled: the successful ones (for redemption, those that redeemed). */
  samples: Sample[];
  target: ModelTarget | null;
}

export interface ModelLine {
  name: string;
  requests: number;
  sessions: Record<string, number>;
  roundTrips: number;
  primaryTrips: number;
  primaryTripsMax: number;
  kvReads: number;
  baseP50: number;
  primary: { p50: number; p99: number };
  replicas: { p50: number; p99: number };
  target: ModelTarget | null;
  met: boolean | null;
}

/** The POS calls of a run, as the model takes them. */
export function modelRows(run: { search: Result; cold: Result; warm: Result; redeem: Result }): ModelRow[] {
  const p50 = { kind: "p50", ms: TARGETS.modelP50Ms } as const;
  return [
    { name: "customer search", samples: run.search.samples.filter((s) => s.ok), target: p50 },
    { name: "reward lookup, cold", samples: run.cold.samples.filter((s) => s.ok), target: p50 },
    { name: "reward lookup, warm", samples: run.warm.samples.filter((s) => s.ok), target: null },
    {
      name: "redemption (pay with points)",
      samples: run.redeem.samples.filter((s) => s.ok && !s.empty),
      target: { kind: "primary trips", max: TARGETS.redemptionPrimaryTrips },
    },
  ];
}

function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

function average(samples: Sample[], value: (s: Sample) => number): number {
  return samples.length ? samples.reduce((a, s) => a + value(s), 0) / samples.length : 0;
}

export function modelLine(row: ModelRow, model: LatencyModel): ModelLine {
  const { samples } = row;
  const sessions: Record<string, number> = {};
  for (const s of samples) {
    const key = s.d1Session === null ? "no D1" : s.d1SessionReported ? s.d1Session : "not said";
    sessions[key] = (sessions[key] ?? 0) + 1;
  }
  const primaryTripsMax = samples.reduce((a, s) => Math.max(a, s.d1PrimaryTrips), 0);
  const replicas = percentiles(samples.map((s) => modelledMs(s, model, true)));
  const met =
    row.target === null || samples.length === 0
      ? null
      : row.target.kind === "p50"
        ? replicas.p50 < row.target.ms
        : primaryTripsMax <= row.target.max;
  return {
    name: row.name,
    requests: samples.length,
    sessions,
    roundTrips: average(samples, (s) => s.d1RoundTrips),
    primaryTrips: average(samples, (s) => s.d1PrimaryTrips),
    primaryTripsMax,
    kvReads: average(samples, (s) => (readKv(s) ? 1 : 0)),
    baseP50: percentiles(samples.map(baseMs)).p50,
    primary: percentiles(samples.map((s) => modelledMs(s, model, false))),
    replicas,
    target: row.target,
    met,
  };
}

function targetText(line: ModelLine): string {
  if (!line.target) return "–";
  const verdict = line.met === null ? "not measured" : line.met ? "met" : "NOT met";
  return line.target.kind === "p50"
    ? `p50 < ${line.target.ms} ms with replicas: ${verdict}`
    : `≤ ${line.target.max} round trips to the primary (max ${line.primaryTripsMax}): ${verdict}`;
}

function sessionsText(sessions: Record<string, number>): string {
  const parts = Object.entries(sessions).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(", ") : "–";
}

export function describeModel(model: LatencyModel): string {
  return `primary ${fmt(model.primaryMs)} ms, replica ${fmt(model.replicaMs)} ms, KV ${fmt(model.kvMs)} ms`;
}

/** The model's table (markdown), and what to read it with. */
export function modelTable(lines: ModelLine[], model: LatencyModel): string {
  const out = [
    `Far primary, modelled (${describeModel(model)} a round trip): latency of each POS call as the Worker's own time ` +
      "without the local D1 and KV, plus each D1 round trip at the distance of what served it and one KV read " +
      "when KV was read (docs/benchmark.md, \"Far primary\"):",
    "",
    "| POS call | requests | D1 session | D1 round trips/req (to the primary) | KV reads/req | Worker ms without D1 and KV (p50) | every read on the primary: p50 / p99 ms | with replicas: p50 / p99 ms | target |",
    "|---|---:|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const l of lines) {
    out.push(
      `| ${l.name} | ${l.requests} | ${sessionsText(l.sessions)} | ${fmt(l.roundTrips, 2)} (${fmt(l.primaryTrips, 2)}) | ${fmt(l.kvReads, 2)} | ${fmt(l.baseP50)} | ` +
        `${fmt(l.primary.p50)} / ${fmt(l.primary.p99)} | ${fmt(l.replicas.p50)} / ${fmt(l.replicas.p99)} | ${targetText(l)} |`,
    );
  }
  const unsaid = lines.reduce((a, l) => a + (l.sessions["not said"] ?? 0), 0);
  if (unsaid) {
    out.push(
      "",
      `${unsaid} responses that used D1 named no session (\`session=\`, \`primary_trips=\`): a Worker from before the D1 ` +
        "sessions, every round trip on the primary; for them both columns agree.",
    );
  }
  return out.join("\n");
}

/** One line per target of the model, for the run's list of targets. */
export function modelVerdicts(lines: ModelLine[], model: LatencyModel): string[] {
  return lines
    .filter((l) => l.target)
    .map((l) =>
      l.target!.kind === "p50"
        ? `far primary (${describeModel(model)}): ${l.name} p50 with replicas ${fmt(l.replicas.p50)} ms ` +
          `(every read on the primary: ${fmt(l.primary.p50)} ms), target under ${l.target!.ms} ms: ${l.met === null ? "not measured" : l.met ? "met" : "NOT met"}`
        : `far primary: ${l.name}, round trips to the primary per redemption ${fmt(l.primaryTrips, 2)} on average, at most ${l.primaryTripsMax}, ` +
          `target no more than today's ${l.target!.max}: ${l.met === null ? "not measured" : l.met ? "met" : "NOT met"}`,
    );
}
