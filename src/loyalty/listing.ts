import { sql, type SQL } from "drizzle-orm";
import { cursorFor, cursorText } from "../lib/cursor";

// Newest-first listings (the ledger, redemptions) walk by (created_at, id), both encoded in an
// opaque cursor: a page resumes strictly after the last row it showed, so rows inserted during a
// walk (newer, hence before the cursor) are never shown and never shift what comes next.

export interface ListPosition {
  createdAt: number;
  id: string;
}

export interface ListWindow {
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  before?: number;
  limit: number;
  after?: ListPosition;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export function encodeCursor(position: ListPosition): string {
  return cursorFor(`${position.createdAt}:${position.id}`);
}

export function decodeCursor(cursor: string): ListPosition | null {
  const match = /^(\d{1,15}):([\w-]{1,64})$/.exec(cursorText(cursor) ?? "");
  return match ? { createdAt: Number(match[1]), id: match[2]! } : null;
}

/**
 * Strictly after the cursor's row, newest first, on a table aliased `alias`: written so the
 * created_at index bounds the range; the id only breaks ties within one millisecond.
 */
export function afterCursorSql(alias: string, after: ListPosition): SQL {
  const t = sql.raw(alias);
  return sql`${t}.created_at <= ${after.createdAt} AND (${t}.created_at < ${after.createdAt} OR ${t}.id < ${after.id})`;
}

/** The window as SQL conditions on `alias`.created_at (none: an empty list), to AND with the rest. */
export function windowConditions(alias: string, window: ListWindow): SQL[] {
  const t = sql.raw(alias);
  const parts: SQL[] = [];
  if (window.from !== undefined) parts.push(sql`${t}.created_at >= ${window.from}`);
  if (window.before !== undefined) parts.push(sql`${t}.created_at < ${window.before}`);
  if (window.after) parts.push(afterCursorSql(alias, window.after));
  return parts;
}

/** One row more than the page is read, to know whether a next page exists without a count. */
export function toPage<Row extends { id: string; created_at: number }>(rows: Row[], limit: number): Page<Row> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    data: shown,
    next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Whether a query bound is an ISO date or date-time that names a real day. Never throws: an
 * impossible month or day (2024-13-01, 2024-00-10, 2024-02-30) is simply not one.
 */
export function isIsoDateOrDateTime(value: string): boolean {
  if (DATE.test(value)) return isCalendarDate(value);
  return DATE_TIME.test(value) && isCalendarDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value));
}

/** "YYYY-MM-DD" that the calendar has: Date.parse alone rolls 2024-02-30 over into March. */
function isCalendarDate(date: string): boolean {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) return false;
  return new Date(ms).toISOString().slice(0, 10) === date;
}

const DAY_MS = 24 * 3600 * 1000;

/** `from` as an inclusive bound: a date starts at its midnight UTC. */
export function fromBound(value: string): number {
  return DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
}

/** `to` as an exclusive bound: a date covers its whole day (UTC), a date-time includes itself. */
export function beforeBound(value: string): number {
  return DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) + DAY_MS : Date.parse(value) + 1;
}
