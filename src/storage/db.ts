import { drizzle } from "drizzle-orm/d1";
import type { RequestMetrics } from "../lib/metrics";

export type Database = ReturnType<typeof openDatabase>;

/**
 * Drizzle over the (instrumented) D1 binding, opened per request. Without the relational schema:
 * nothing uses db.query, and extracting its relations cost every request a walk over all tables.
 */
export function openDatabase(d1: D1Database, metrics?: RequestMetrics) {
  return drizzle(metrics ? instrumentD1(d1, metrics) : d1);
}

/**
 * Wraps the D1 binding so every statement's time and D1's own rows_read/rows_written reach the
 * request's metrics (Server-Timing). D1 returns that meta from all(), run() and batch(); raw() has
 * none, so the hot paths query through all() or batch().
 */
export function instrumentD1(d1: D1Database, metrics: RequestMetrics): D1Database {
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        if (prop === "bind") {
          return (...args: unknown[]) => wrapStatement(value.apply(target, args) as D1PreparedStatement);
        }
        if (prop === "all" || prop === "run") {
          return async (...args: unknown[]) => {
            const started = performance.now();
            const result = (await value.apply(target, args)) as D1Result;
            metrics.recordD1(performance.now() - started, result.meta);
            return result;
          };
        }
        if (prop === "raw" || prop === "first") {
          return async (...args: unknown[]) => {
            const started = performance.now();
            const result = await value.apply(target, args);
            metrics.recordD1(performance.now() - started);
            return result;
          };
        }
        return value.bind(target);
      },
    });

  return new Proxy(d1, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "prepare") {
        return (query: string) => wrapStatement(target.prepare(query));
      }
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const started = performance.now();
          const results = await target.batch(statements);
          const rows = results.reduce(
            (acc, r) => ({
              rows_read: acc.rows_read + (r.meta?.rows_read ?? 0),
              rows_written: acc.rows_written + (r.meta?.rows_written ?? 0),
            }),
            { rows_read: 0, rows_written: 0 },
          );
          metrics.recordD1(performance.now() - started, rows, statements.length);
          return results;
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
