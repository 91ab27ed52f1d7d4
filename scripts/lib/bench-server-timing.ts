// What the benchmark reads from the Worker's Server-Timing header (src/lib/metrics.ts):
//
//   d1;dur=<ms>;desc="round_trips=<N> queries=<Q> rows_read=<R> rows_written=<W> session=<replica|primary> primary_trips=<P>"
//   kv;dur=<ms>;desc="hit|miss|memory|partial"
//   kounta;dur=<ms>;desc="calls=<N>"
//   total;dur=<ms>
//
// A Worker from before the D1 sessions (issue 18) names neither `session=` nor `primary_trips=`: then
// the session is the primary and every round trip goes to it, which is what that Worker did.

export type D1Session = "replica" | "primary";

export interface ServerTiming {
  /** The Worker's own time (`total`), and the D1 and KV parts of it (ms). */
  serverMs: number;
  d1Ms: number;
  kvMs: number;
  rowsRead: number;
  /** D1 round trips (a statement run alone, or a batch). */
  d1RoundTrips: number;
  /** How many of them go to the primary: 0 to d1RoundTrips; all of them when the header does not say. */
  d1PrimaryTrips: number;
  /** The D1 session the request opened; "primary" when the header does not say; null without D1. */
  d1Session: D1Session | null;
  /** Whether the header said `session=` and `primary_trips=` (false: the fallbacks above). */
  d1SessionReported: boolean;
  kountaCalls: number;
  kountaMs: number;
  /** KV's outcome: "hit", "miss", "partial" (some of several keys) or "memory" (the isolate's copy, no KV read). */
  kv: string | null;
}

export const NO_TIMING: ServerTiming = {
  serverMs: 0,
  d1Ms: 0,
  kvMs: 0,
  rowsRead: 0,
  d1RoundTrips: 0,
  d1PrimaryTrips: 0,
  d1Session: null,
  d1SessionReported: false,
  kountaCalls: 0,
  kountaMs: 0,
  kv: null,
};

/** One entry's `dur` and `desc`, or null when the header has no entry of that name. */
function entry(header: string, name: string): { dur: number; desc: string } | null {
  for (const part of header.split(",")) {
    const [head, ...params] = part.trim().split(";");
    if (head?.trim() !== name) continue;
    let dur = 0;
    let desc = "";
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim();
      const value = param.slice(eq + 1).trim();
      if (key === "dur") dur = Number(value) || 0;
      else if (key === "desc") desc = value.replace(/^"(.*)"$/, "$1");
    }
    return { dur, desc };
  }
  return null;
}

/** `key=value` words of a desc ("round_trips=1 queries=2 ..."). */
function words(desc: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of desc.split(/\s+/)) {
    const eq = word.indexOf("=");
    if (eq > 0) out.set(word.slice(0, eq), word.slice(eq + 1));
  }
  return out;
}

function count(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function parseServerTiming(header: string): ServerTiming {
  const d1 = entry(header, "d1");
  const kv = entry(header, "kv");
  const kounta = entry(header, "kounta");
  const total = entry(header, "total");
  const d1Words = words(d1?.desc ?? "");
  const roundTrips = count(d1Words.get("round_trips")) ?? 0;
  const session = d1Words.get("session");
  const primaryTrips = count(d1Words.get("primary_trips"));
  return {
    serverMs: total?.dur ?? 0,
    d1Ms: d1?.dur ?? 0,
    kvMs: kv?.dur ?? 0,
    rowsRead: count(d1Words.get("rows_read")) ?? 0,
    d1RoundTrips: roundTrips,
    d1PrimaryTrips: primaryTrips === null ? roundTrips : Math.min(roundTrips, primaryTrips),
    d1Session: d1 ? (session === "replica" ? "replica" : "primary") : null,
    d1SessionReported: !!d1 && (session === "replica" || session === "primary") && primaryTrips !== null,
    kountaCalls: count(words(kounta?.desc ?? "").get("calls")) ?? 0,
    kountaMs: kounta?.dur ?? 0,
    kv: kv ? kv.desc || null : null,
  };
}

/** Whether the request read KV itself (a hit, a miss or some of several keys), not only the isolate's memory. */
export function readKv(t: ServerTiming): boolean {
  return t.kv === "hit" || t.kv === "miss" || t.kv === "partial";
}
