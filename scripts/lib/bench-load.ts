// The load generator: runs a scenario's requests with a number in flight, reads each response's
// Server-Timing, and sums up a scenario (throughput, latency percentiles, the Worker's own time, rows
// read, KV outcomes, CPU per request of the Worker's processes and of this load generator).

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { request, runningServer } from "./bench-server.ts";
import { NO_TIMING, parseServerTiming, type ServerTiming } from "./bench-server-timing.ts";

export interface Job {
  path: string;
  /** Request headers (the dashboard's session cookie). */
  headers?: Record<string, string>;
  /** Groups results inside a scenario (the kind of keyword, for search). */
  kind?: string;
  /** Whether a 2xx body is an empty answer (a search that found nobody). */
  isEmpty?: (body: string) => boolean;
}

/** One request: as the load generator saw it, and what its Server-Timing said. */
export interface Sample extends ServerTiming {
  ms: number;
  ok: boolean;
  kind: string;
  empty: boolean;
}

export interface Result {
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
  return { worker: groupCpuMs(runningServer()?.child.pid), self: (self.user + self.system) / 1000 };
}

/**
 * Runs `next()` jobs with `concurrency` in flight until the duration is up, `maxRequests` were sent
 * or `next()` has no more.
 */
export async function load(
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
          ...parseServerTiming(res.serverTiming),
          ms: performance.now() - t,
          ok,
          kind: job.kind ?? name,
          empty: ok && !!job.isEmpty?.(res.body),
        });
      } catch (err) {
        firstError ??= `${err instanceof Error ? err.message : String(err)} (${job.path})`;
        samples.push({ ...NO_TIMING, ms: performance.now() - t, ok: false, kind: job.kind ?? name, empty: false });
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

export function summarise(
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
export function mergeRounds(perRound: Result[], healthPerRound: Result[]): Result {
  const samples = perRound.flatMap((r) => r.samples);
  const seconds = perRound.reduce((a, r) => a + r.seconds, 0);
  const workerMs = perRound.every((r) => r.cpu.workerMs !== null) ? perRound.reduce((a, r) => a + r.cpu.workerMs!, 0) : null;
  const cpu = { workerMs, loadGeneratorMs: perRound.reduce((a, r) => a + r.cpu.loadGeneratorMs, 0) };
  const merged = summarise(perRound[0]!.name, samples, seconds, perRound.find((r) => r.firstError)?.firstError, cpu);
  merged.ratios = perRound.map((r, i) => r.rps / healthPerRound[i]!.rps);
  return merged;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Throughput against /health: the median of the rounds' ratios when measured in rounds. */
export function ratioOf(r: Result, health: Result): number {
  return r.ratios ? median(r.ratios) : r.rps / health.rps;
}

export function mean(samples: Sample[], value: (s: Sample) => number): number {
  return samples.length ? samples.reduce((a, s) => a + value(s), 0) / samples.length : 0;
}

/** The nearest-rank percentile of ascending `sorted` (0 when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
