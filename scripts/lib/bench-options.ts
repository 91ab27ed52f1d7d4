// The benchmark's command line (scripts/bench.ts).

import { parseArgs } from "node:util";
import type { LatencyModel } from "./bench-model.ts";

export interface BenchOptions {
  members: number;
  durationMs: number;
  rounds: number;
  concurrency: number;
  compare: boolean;
  /**
   * --only warnings: only the expiry warnings measurement (scripts/lib/bench-warnings.ts); --only
   * search-parts: only the search's decomposition (scripts/lib/bench-search-parts.ts); null: everything.
   */
  only: "warnings" | "search-parts" | null;
  /** --far-primary: the latency model's delays (null: no model printed). */
  model: LatencyModel | null;
}

/** The model's defaults: a Sydney-Virginia round trip, a replica in the same region, a cached KV read. */
export const MODEL_DEFAULTS: LatencyModel = {
  primaryMs: 150,
  replicaMs: 5,
  // KV's cached read. Cloudflare's docs (developers.cloudflare.com/kv/concepts/how-kv-works/) say
  // frequent reads from one location are served from its cache, the fastest case, but give no figure.
  // Cloudflare's blog "We made Workers KV up to 3x faster" (2024-09-26, blog.cloudflare.com/faster-workers-kv)
  // says the hottest keys, nearly half of all reads, are answered from KV's in-memory cache in under a
  // millisecond; secondary reports of KV's 2025 rearchitecture give a p99 read latency under 5 ms.
  // Nothing authoritative gives a cached read's latency as such, so 5 ms, the upper of the two
  // (docs/benchmark.md, "Far primary: the latency model").
  kvMs: 5,
};

const USAGE = `Usage: npm run bench -- [--members N] [--rounds R] [--duration S] [--concurrency C] [--compare]
                        [--far-primary [--primary-ms MS] [--replica-ms MS] [--kv-ms MS]]
                        [--only warnings|search-parts]
  --members N       synthetic members in the benchmarked company (default 100000)
  --rounds R        interleaved rounds of /health, /ready, search and warm lookup (default 3)
  --duration S      seconds per scenario and round (default 5)
  --concurrency C   requests in flight (default 16)
  --compare         also seed 10,000 and 1,000,000 members and compare rows read per search (minutes)
  --far-primary     also print the latency model of a D1 primary far from the Worker, from each request's
                    Server-Timing: p50/p99 of each POS call with every read on the primary and with replicas
  --primary-ms MS   the model's round trip to the D1 primary (default ${MODEL_DEFAULTS.primaryMs}: Sydney-Virginia)
  --replica-ms MS   the model's round trip to a nearby D1 replica (default ${MODEL_DEFAULTS.replicaMs})
  --kv-ms MS        the model's KV read (default ${MODEL_DEFAULTS.kvMs}: a cached read, docs/benchmark.md)
  --only warnings   only one run of the expiry warnings pass at --members (issue 19), not the load scenarios
  --only search-parts
                    only where a search's time goes: /ready, the search and the search with one part of its
                    work changed, in --rounds interleaved rounds of --duration s (try --rounds 10 --duration 3)`;

export function parseBenchOptions(args: string[] = process.argv.slice(2)): BenchOptions {
  const { values: opts } = parseArgs({
    args,
    options: {
      members: { type: "string", default: "100000" },
      duration: { type: "string", default: "5" },
      rounds: { type: "string", default: "3" },
      concurrency: { type: "string", default: "16" },
      compare: { type: "boolean", default: false },
      "far-primary": { type: "boolean", default: false },
      "primary-ms": { type: "string" },
      "replica-ms": { type: "string" },
      "kv-ms": { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (opts.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const modelFlags = (["primary-ms", "replica-ms", "kv-ms"] as const).filter((name) => opts[name] !== undefined);
  if (!opts["far-primary"] && modelFlags.length) {
    console.error(`${modelFlags.map((name) => `--${name}`).join(", ")} ${modelFlags.length > 1 ? "go" : "goes"} with --far-primary`);
    process.exit(2);
  }
  if (opts.only !== undefined && opts.only !== "warnings" && opts.only !== "search-parts") {
    console.error(`--only takes "warnings" or "search-parts", not "${opts.only}"`);
    process.exit(2);
  }
  return {
    members: wholeNumber("members", opts.members, 1),
    durationMs: wholeNumber("duration", opts.duration, 1) * 1000,
    rounds: wholeNumber("rounds", opts.rounds, 1),
    concurrency: wholeNumber("concurrency", opts.concurrency, 1),
    compare: opts.compare,
    only: opts.only === "warnings" || opts.only === "search-parts" ? opts.only : null,
    model: opts["far-primary"]
      ? {
          primaryMs: milliseconds("primary-ms", opts["primary-ms"], MODEL_DEFAULTS.primaryMs),
          replicaMs: milliseconds("replica-ms", opts["replica-ms"], MODEL_DEFAULTS.replicaMs),
          kvMs: milliseconds("kv-ms", opts["kv-ms"], MODEL_DEFAULTS.kvMs),
        }
      : null,
  };
}

function wholeNumber(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be a whole number >= ${min}, not "${value}"`);
    process.exit(2);
  }
  return n;
}

function milliseconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number of milliseconds >= 0, not "${value}"`);
    process.exit(2);
  }
  return n;
}
