import { describeError, type Logger } from "../lib/logger";
import { companiesToReindex, reindexSearchTerms, type ReindexProgress } from "../loyalty/search/search-reindex";
import { openPrimaryDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

// The cron's share of rebuilding members' search tokens after a company changed its phone country
// code (the settings change did the first chunks): a few companies a run, within a query budget
// (D1 allows about 1000 queries per invocation, shared by every job of the run). Each chunk of 500
// members costs at most four statements, so a run moves up to about 12,000 members along.

export const REINDEX_QUERY_BUDGET = 100;
const MAX_COMPANIES = 5;
/** Statements one chunk may spend: the cursor read, the members read, their write and the cursor's. */
const QUERIES_PER_CHUNK = 4;

export interface ReindexSummary {
  companies: number;
  updated: number;
  finished: string[];
}

export async function reindexSearch(env: Env, logger: Logger, options: { queryBudget?: number } = {}): Promise<ReindexSummary> {
  const db = openPrimaryDatabase(env.DB);
  let budget = (options.queryBudget ?? REINDEX_QUERY_BUDGET) - 1;
  const summary: ReindexSummary = { companies: 0, updated: 0, finished: [] };
  const pending = await companiesToReindex(db, MAX_COMPANIES);
  for (const [i, companyId] of pending.entries()) {
    // The budget left, shared evenly by the companies still to come.
    const chunks = Math.floor(budget / (pending.length - i) / QUERIES_PER_CHUNK);
    if (chunks < 1) break;
    let progress: ReindexProgress;
    try {
      progress = await reindexSearchTerms(db, companyId, { chunks });
    } catch (err) {
      logger.warn("search re-index failed for company", { company_id: companyId, ...describeError(err) });
      continue;
    }
    budget -= progress.queries;
    summary.companies += 1;
    summary.updated += progress.updated;
    if (progress.done) summary.finished.push(companyId);
    logger.info("search re-index", { company_id: companyId, updated: progress.updated, done: progress.done });
  }
  return summary;
}

export const reindexSearchJob: ScheduledJob = {
  name: "reindex-search",
  async run(env, logger) {
    await reindexSearch(env, logger);
  },
};
