import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { batch, query, type Query } from "../../storage/sql";

// members_fts's index is a set of b-trees ("segments") on levels, as FTS5 builds it: every
// transaction that writes members' search tokens (a join, an import, an edit, a re-index chunk) adds
// a small segment, and FTS5's own merging (automerge) runs only now and then (every 64 leaf pages
// written) and only on levels holding four or more. A search looks each term up in every segment, so
// its SQL time grows with their number: on 100,000 members, 11 segments cost about twice the time of
// 2 (docs/search.md, "Keeping the index compact").
//
// The cron merges them a bounded step at a time with FTS5's 'merge' command, a positive page count:
// it carries on a merge under way, or merges the segments of a level that holds `usermerge` or more
// of them (2 since migration 0019), so each level ends with one segment. Like any such log-structured
// index, a merge's output goes a level up and may meet the segment already there: most steps merge
// small recent segments, and the whole index is rewritten only when such a carry reaches its largest
// segment, about each time the writes since the last time doubled, spread over as many steps as it
// takes. Never 'optimize' or a negative 'merge': they rewrite the whole index every time anything was
// written, in one go.

/**
 * Pages (of about 4 KB) a step aims to write: tens of milliseconds of D1's time. A step finishes the
 * term it is in, so one shared by very many members (a prefix-index term at 1,000,000 members) can
 * make a step write two or three times this.
 */
export const MERGE_STEP_PAGES = 200;

/** One step of merging members_fts's segments: about `pages` pages written. */
export function searchIndexMergeStep(pages: number = MERGE_STEP_PAGES): Query<never> {
  if (!Number.isInteger(pages) || pages < 1) throw new RangeError("pages must be a positive whole number");
  // Written in, not bound: a plain statement the bench can run as it stands (scripts/lib/bench-state.ts).
  return query(sql`INSERT INTO members_fts(members_fts, rank) VALUES ('merge', ${sql.raw(String(pages))})`);
}

const totalChanges = query<{ n: number }>(sql`SELECT total_changes() AS n`);

/**
 * One step, between two readings of the database's total changes, in one batch (one transaction:
 * nothing else writes between them). FTS5's documented sign that a 'merge' did work is that total
 * moving by 2 or more; with nothing to merge it moves by 1 (the INSERT itself). D1's meta is no better
 * sign: its `changes` is that same difference locally (miniflare computes it so) but undocumented on D1
 * itself, and `rows_written` counts the INSERT only (FTS5 writes its pages through statements of its
 * own), so it says 1 whether the step merged or not. Were the readings ever not to move on D1, each run
 * would stop after its first step: still merging, 200 pages every 5 minutes, but with no log line.
 */
async function mergeStep(db: Database, step: Query<never>): Promise<boolean> {
  const [before, , after] = await batch(db, [totalChanges, step, totalChanges] as const);
  const moved = (after[0]?.n ?? 0) - (before[0]?.n ?? 0);
  return moved >= 2;
}

export interface MergeProgress {
  /** Steps run (one D1 batch each). */
  steps: number;
  /** Steps that merged something. */
  merged: number;
  /** True when the last step found nothing to merge: the index is as compact as merging makes it. */
  done: boolean;
}

/** Merges members_fts's segments, up to `steps` steps, stopping at the first that finds nothing to do. */
export async function mergeSearchIndex(db: Database, options: { steps: number; pages?: number }): Promise<MergeProgress> {
  const progress: MergeProgress = { steps: 0, merged: 0, done: false };
  const step = searchIndexMergeStep(options.pages);
  while (progress.steps < options.steps) {
    // One batch a step, not one for all: other writers get D1 between the steps.
    const merged = await mergeStep(db, step);
    progress.steps += 1;
    if (!merged) return { ...progress, done: true };
    progress.merged += 1;
  }
  return progress;
}
