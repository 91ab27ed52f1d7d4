import type { Logger } from "../lib/logger";
import { mergeSearchIndex, type MergeProgress } from "../loyalty/search/search-index";
import { openPrimaryDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

// The cron's share of keeping member search fast: members_fts's segments merged a step at a time
// (src/loyalty/search/search-index.ts). Eight steps of 200 pages a run (every 5 minutes) keep up with
// far more writing than a loyalty scheme does; a run with nothing to merge sends one batch.

export const MERGE_STEPS_PER_RUN = 8;

export async function mergeSearchIndexNow(env: Env, logger: Logger, options: { steps?: number; pages?: number } = {}): Promise<MergeProgress> {
  const progress = await mergeSearchIndex(openPrimaryDatabase(env.DB), { steps: options.steps ?? MERGE_STEPS_PER_RUN, pages: options.pages });
  // Quiet when there was nothing to merge (most runs).
  if (progress.merged > 0) {
    logger.info("search index merged", { steps: progress.steps, merged: progress.merged, done: progress.done });
  }
  return progress;
}

export const mergeSearchIndexJob: ScheduledJob = {
  name: "merge-search-index",
  async run(env, logger) {
    await mergeSearchIndexNow(env, logger);
  },
};
