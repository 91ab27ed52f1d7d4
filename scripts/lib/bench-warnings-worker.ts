// The Worker of the benchmark's expiry-warnings measurement (scripts/lib/bench-warnings.ts): this
// project's Worker (src/index.ts) as it is, except that its scheduled handler runs one thing, the
// warnings pass of the cron's warn-expiring-points job (warnExpiringPoints, src/jobs/notification-sweep.ts),
// over a D1 binding that records every statement the pass sends with D1's own meta (rows read and
// written, SQL duration). Then, outside the timed part, EXPLAIN QUERY PLAN of each kind of statement.
// What it measured goes to the log as one line, `BENCH_WARNINGS {json}`, which the benchmark reads.
//
// Local only: `wrangler dev scripts/lib/bench-warnings-worker.ts` on the benchmark's state, triggered
// through wrangler's /cdn-cgi/local/scheduled. Never deployed (wrangler.toml's main is src/index.ts),
// and it adds no route: fetch and queue are the Worker's own.

import worker from "../../src/index";
import { warnExpiringPoints } from "../../src/jobs/notification-sweep";
import { Logger } from "../../src/lib/logger";

// (The module exports nothing but types and the Worker: workerd takes every named export for an entry point.)
const MARKER = "BENCH_WARNINGS";

export interface RecordedStatement {
  sql: string;
  params: unknown[];
  /** Rows the statement returned. */
  rows: number;
  rowsRead: number;
  rowsWritten: number;
  /** D1's own SQL time (meta.duration). */
  sqlMs: number;
  /** The call's time in the Worker (for a batch: the whole batch, on its first statement). */
  ms: number;
  /** Index of the batch it was sent in (null: sent alone). */
  batch: number | null;
}

type AnyD1 = D1Database | D1DatabaseSession;

/** A D1 binding (or session) that records each statement sent through it. */
function recording(d1: AnyD1, log: RecordedStatement[], counter = { batches: 0 }): AnyD1 {
  const origin = new WeakMap<object, { sql: string; params: unknown[]; real: D1PreparedStatement }>();
  const wrap = (real: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const proxy = new Proxy(real, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql, args);
        if (prop === "all" || prop === "run") {
          return async () => {
            const started = performance.now();
            const result = (await target[prop]()) as D1Result;
            log.push({
              sql,
              params,
              rows: result.results?.length ?? 0,
              rowsRead: result.meta?.rows_read ?? 0,
              rowsWritten: result.meta?.rows_written ?? 0,
              sqlMs: result.meta?.duration ?? 0,
              ms: performance.now() - started,
              batch: null,
            });
            return result;
          };
        }
        if (prop === "first" || prop === "raw") throw new Error(`the bench records all(), run() and batch() only, not ${prop}()`);
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    origin.set(proxy, { sql, params, real });
    return proxy;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql, []);
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const known = statements.map((s) => origin.get(s));
          const started = performance.now();
          const results = await target.batch(known.map((k, i) => k?.real ?? statements[i]!));
          const ms = performance.now() - started;
          const index = counter.batches++;
          results.forEach((result, i) =>
            log.push({
              sql: known[i]?.sql ?? "?",
              params: known[i]?.params ?? [],
              rows: result.results?.length ?? 0,
              rowsRead: result.meta?.rows_read ?? 0,
              rowsWritten: result.meta?.rows_written ?? 0,
              sqlMs: result.meta?.duration ?? 0,
              ms: i === 0 ? ms : 0,
              batch: index,
            }),
          );
          return results;
        };
      }
      if (prop === "withSession") return (...args: unknown[]) => recording((target as D1Database).withSession(...(args as [string])), log, counter);
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as AnyD1;
}

export interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

export interface WarningsMeasurement {
  scheduledTime: number;
  summary: Awaited<ReturnType<typeof warnExpiringPoints>>;
  /** The pass, start to end, in the Worker (D1 calls and the queue's sendBatch included). */
  wallMs: number;
  statements: RecordedStatement[];
  /** EXPLAIN QUERY PLAN of the first statement of each SQL text (its rows), or why not. */
  plans: { sql: string; rows: PlanRow[] | null; error?: string }[];
}

export default {
  ...worker,
  async scheduled(controller, env) {
    const statements: RecordedStatement[] = [];
    const DB = recording(env.DB, statements) as D1Database;
    const logger = new Logger({ job: "warn-expiring-points", bench: true });
    const started = performance.now();
    const summary = await warnExpiringPoints({ ...env, DB }, logger, { now: controller.scheduledTime });
    const wallMs = performance.now() - started;

    const plans: WarningsMeasurement["plans"] = [];
    for (const s of statements) {
      if (plans.some((p) => p.sql === s.sql)) continue;
      try {
        const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${s.sql}`)
          .bind(...s.params)
          .all<PlanRow>();
        plans.push({ sql: s.sql, rows: rows.results.map((r) => ({ id: r.id, parent: r.parent, detail: r.detail })) });
      } catch (err) {
        plans.push({ sql: s.sql, rows: null, error: err instanceof Error ? err.message : String(err) });
      }
    }
    const out: WarningsMeasurement = { scheduledTime: controller.scheduledTime, summary, wallMs, statements, plans };
    console.log(`${MARKER} ${JSON.stringify(out)}`);
  },
} satisfies ExportedHandler<Env>;
