// Per-request measurements, reported in the Server-Timing header and the request's log line.

/** "memory": served from the isolate's own short-lived copy, without asking KV. */
export type CacheOutcome = "hit" | "miss" | "partial" | "memory";

export class RequestMetrics {
  private readonly startedAt = performance.now();
  d1Ms = 0;
  d1Queries = 0;
  /** Round trips to D1: one per statement run alone, one per batch. */
  d1RoundTrips = 0;
  d1RowsRead = 0;
  d1RowsWritten = 0;
  /** The kind of D1 session the request opened (src/storage/db.ts); "primary" until told otherwise. */
  d1Session: "replica" | "primary" = "primary";
  /** Round trips that go to the primary: every one of a primary session, a write's in a replica session. */
  d1PrimaryTrips = 0;
  kvMs = 0;
  kv: CacheOutcome | null = null;
  kountaMs = 0;
  kountaCalls = 0;

  recordD1(ms: number, meta?: { rows_read?: number; rows_written?: number }, statements = 1, writes = false): void {
    this.d1Ms += ms;
    this.d1RoundTrips += 1;
    if (writes || this.d1Session === "primary") this.d1PrimaryTrips += 1;
    this.d1Queries += statements;
    this.d1RowsRead += meta?.rows_read ?? 0;
    this.d1RowsWritten += meta?.rows_written ?? 0;
  }

  recordKv(ms: number, outcome: CacheOutcome): void {
    this.kvMs += ms;
    // Several reads in one request: a miss anywhere makes the request's cache outcome not a clean hit.
    if (this.kv === null) this.kv = outcome;
    else if (this.kv !== outcome) this.kv = "partial";
  }

  recordKounta(ms: number): void {
    this.kountaMs += ms;
    this.kountaCalls += 1;
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  serverTiming(): string {
    const parts: string[] = [];
    if (this.d1Queries > 0) {
      parts.push(
        `d1;dur=${round(this.d1Ms)};desc="round_trips=${this.d1RoundTrips} queries=${this.d1Queries} rows_read=${this.d1RowsRead} rows_written=${this.d1RowsWritten} session=${this.d1Session} primary_trips=${this.d1PrimaryTrips}"`,
      );
    }
    if (this.kv !== null) parts.push(`kv;dur=${round(this.kvMs)};desc="${this.kv}"`);
    if (this.kountaCalls > 0) parts.push(`kounta;dur=${round(this.kountaMs)};desc="calls=${this.kountaCalls}"`);
    parts.push(`total;dur=${round(this.elapsedMs())}`);
    return parts.join(", ");
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
