import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { query, run, type Query } from "../../storage/sql";

// members_fts's index is a set of b-trees ("segments") on levels, as FTS5 builds it: every
// transaction that writes members' search tokens (a join, an import, an edit, a re-index chunk) adds
// a small segment, and FTS5 merges a level's segments only when enough of them pile up. A search
// looks each term up in every segment, so its SQL time grows with their number: on 100,000 members,
// 11 segments cost about twice the time of 2 (docs/search.md, "Keeping the index compact").
//
// The cron merges them a bounded step at a time with FTS5's 'merge' command, a positive page count:
// it carries on a merge under way, or merges the segments of a level that holds `usermerge` or more
// of them (2 since migration 0019), and writes about that many pages. So each level ends with one
// segment, and what is merged is what was written since, not the whole index. Never 'optimize' or a
// negative 'merge': they rewrite the whole index (every page, every time something was written),
// holding D1's one writer meanwhile.

/** Pages (of about 4 KB) one step writes at most: tens of milliseconds of D1's time. */
export const MERGE_STEP_PAGES = 200;

/** One step of merging members_fts's segments: at most `pages` pages written. */
export function searchIndexMergeStep(pages: number = MERGE_STEP_PAGES): Query<never> {
  if (!Number.isInteger(pages) || pages < 1) throw new RangeError("pages must be a positive whole number");
  // Written in, not bound: a plain statement the bench can run as it stands (scripts/lib/bench-state.ts).
  return query(sql`INSERT INTO members_fts(members_fts, rank) VALUES ('merge', ${sql.raw(String(pages))})`);
}

/**
 * Whether a step merged anything. FTS5's documented signal is the database's total changes moving by
 * 2 or more over the command; D1 reports `changes` (locally: exactly that difference) and
 * `rows_written`. Which of the two D1 counts FTS5's own page writes in is not documented, so either
 * one at 2 or more counts as work. If D1 counted neither, every run would stop after its first step:
 * slower, still merging.
 */
function merged(step: { changes: number | null; rowsWritten: number | null }): boolean {
  return (step.changes ?? 0) >= 2 || (step.rowsWritten ?? 0) >= 2;
}

export interface MergeProgress {
  /** Steps run (statements sent). */
  steps: number;
  /** Steps that merged something. */
  merged: number;
  /** Rows D1 says the steps wrote (null when it did not say). */
  rowsWritten: number | null;
  /** True when the last step found nothing to merge: the index is as compact as merging makes it. */
  done: boolean;
}

/** Merges members_fts's segments, up to `steps` steps, stopping at the first that finds nothing to do. */
export async function mergeSearchIndex(db: Database, options: { steps: number; pages?: number }): Promise<MergeProgress> {
  const progress: MergeProgress = { steps: 0, merged: 0, rowsWritten: null, done: false };
  const step = searchIndexMergeStep(options.pages);
  while (progress.steps < options.steps) {
    // One statement at a time, not a batch: other writers get D1 between the steps.
    const result = await run(db, step);
    progress.steps += 1;
    if (result.rowsWritten !== null) progress.rowsWritten = (progress.rowsWritten ?? 0) + result.rowsWritten;
    if (!merged(result)) return { ...progress, done: true };
    progress.merged += 1;
  }
  return progress;
}
