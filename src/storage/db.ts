import { drizzle } from "drizzle-orm/d1";
import type { RequestMetrics } from "../lib/metrics";

export type Database = ReturnType<typeof openDatabase>;

/**
 * Where a request's D1 reads may go (D1's Sessions API, docs/read-replicas.md): "replica" starts
 * anywhere (the nearest copy, `first-unconstrained`), or from a bookmark (a copy at least as fresh as
 * the writes the client saw); "primary" starts on the primary (`first-primary`). Writes always go to
 * the primary, and every query of a session sees the session's own earlier writes.
 */
export type SessionKind = "replica" | "primary";

export interface SessionStart {
  kind: SessionKind;
  /** A bookmark a client sent back (replica sessions only): reads at least as fresh as it. */
  bookmark?: string | null;
}

/** D1 bookmarks are hex groups joined by dashes ("0000000b-00000002-00004f2a-6f3c..."); anything else is ignored. */
const BOOKMARK = /^[0-9a-f]{1,64}(-[0-9a-f]{1,64}){1,8}$/i;

export function isBookmark(value: string | null | undefined): value is string {
  return typeof value === "string" && value.length <= 256 && BOOKMARK.test(value);
}

/** The D1 session a request (or a job) works in. Without read replication every session reads the primary. */
export function openSession(d1: D1Database, start: SessionStart): D1DatabaseSession {
  if (start.kind === "replica" && isBookmark(start.bookmark)) {
    try {
      return d1.withSession(start.bookmark);
    } catch {
      // A bookmark D1 does not take (another database's, a stale format): start anywhere instead.
    }
  }
  return d1.withSession(start.kind === "replica" ? "first-unconstrained" : "first-primary");
}

/**
 * Drizzle over the (instrumented) D1 binding or session, opened per request. Without the relational
 * schema: nothing uses db.query, and extracting its relations cost every request a walk over all tables.
 */
export function openDatabase(d1: D1Database | D1DatabaseSession, metrics?: RequestMetrics, options: InstrumentOptions = {}) {
  // Drizzle uses prepare() and batch() only, which a session has too.
  const client = d1 as D1Database;
  return drizzle(metrics ? instrumentD1(client, metrics, options) : client);
}

export interface InstrumentOptions {
  /** Every round trip goes to the primary (a primary session opened beside the request's own). */
  primary?: boolean;
}

/** The jobs' database: a session on the primary (they decide balances, idempotency, what is due). */
export function openPrimaryDatabase(d1: D1Database) {
  return openDatabase(openSession(d1, { kind: "primary" }));
}

/** A statement that writes (so D1 sends it to the primary whatever the session). */
const WRITES = /^\s*(insert|update|delete|replace)\b/i;

/**
 * Wraps the D1 binding so every statement's time and D1's own rows_read/rows_written reach the
 * request's metrics (Server-Timing). D1 returns that meta from all(), run() and batch(); raw() has
 * none, so the hot paths query through all() or batch().
 */
export function instrumentD1(d1: D1Database, metrics: RequestMetrics, options: InstrumentOptions = {}): D1Database {
  const writing = new WeakSet<D1PreparedStatement>();
  const onPrimary = options.primary ?? false;
  const wrapStatement = (stmt: D1PreparedStatement, writes: boolean): D1PreparedStatement => {
    const wrapped = new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        if (prop === "bind") {
          return (...args: unknown[]) => wrapStatement(value.apply(target, args) as D1PreparedStatement, writes);
        }
        if (prop === "all" || prop === "run") {
          return async (...args: unknown[]) => {
            const started = performance.now();
            const result = (await value.apply(target, args)) as D1Result;
            metrics.recordD1(performance.now() - started, result.meta, 1, writes);
            return result;
          };
        }
        if (prop === "raw" || prop === "first") {
          return async (...args: unknown[]) => {
            const started = performance.now();
            const result = await value.apply(target, args);
            metrics.recordD1(performance.now() - started, undefined, 1, writes);
            return result;
          };
        }
        return value.bind(target);
      },
    });
    if (writes) writing.add(wrapped);
    return wrapped;
  };

  return new Proxy(d1, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "prepare") {
        return (query: string) => wrapStatement(target.prepare(query), onPrimary || WRITES.test(query));
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
          metrics.recordD1(performance.now() - started, rows, statements.length, statements.some((st) => writing.has(st)));
          return results;
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
