import type { SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Database } from "./db";

// Hand-written statements (FTS5 MATCH, correlated sub-queries, upserts with conditions) typed by
// the row they return, run one by one or several in one D1 batch: one round trip, one SQL
// transaction. (Drizzle's own batch cannot carry raw `sql` statements on D1.)

const dialect = new SQLiteAsyncDialect();

export interface Query<Row> {
  readonly sql: SQL;
  /** Carries the row type only. */
  readonly row?: Row;
}

export function query<Row = never>(statement: SQL): Query<Row> {
  return { sql: statement };
}

/** The SQL text and bound values D1 receives for a statement. */
export function toSql(q: Query<unknown>): { sql: string; params: unknown[] } {
  return dialect.sqlToQuery(q.sql);
}

function prepare(db: Database, q: Query<unknown>): D1PreparedStatement {
  const { sql, params } = toSql(q);
  return db.$client.prepare(sql).bind(...params);
}

export async function all<Row>(db: Database, q: Query<Row>): Promise<Row[]> {
  const result = await prepare(db, q).all<Row>();
  return result.results;
}

type Rows<Q> = { -readonly [K in keyof Q]: Q[K] extends Query<infer R> ? R[] : never };

export async function batch<const Q extends readonly Query<unknown>[]>(db: Database, queries: Q): Promise<Rows<Q>> {
  const results = await db.$client.batch(queries.map((q) => prepare(db, q)));
  return results.map((r) => r.results) as Rows<Q>;
}
