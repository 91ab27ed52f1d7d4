import { describeError, type Logger } from "../lib/logger";
import { companiesWithExpiry, expireCompanyPoints } from "../loyalty/earning/expiry";
import { LoyaltyCache, refreshMemberCard } from "../loyalty/cache";
import { openPrimaryDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

// The cron's expiry pass: for each company with an expiry policy, writes the 'expiry' ledger rows of
// the members whose points are past their N months (the rule: src/loyalty/earning/expiry.ts).
//
// D1 allows about 1000 queries per invocation, shared by every job of the cron run: this pass spends
// at most QUERY_BUDGET statements (candidate queries, expiry batches and the card refreshes). What it
// leaves is found again by the next run (a member whose points have expired is no longer a
// candidate), and expiry is only due once a day, so the pass runs in the first cron run of each hour
// only (the cron fires every 5 minutes): it is cheap in queries but reads each policy company's
// members with a balance.

export const EXPIRY_QUERY_BUDGET = 300;

export interface ExpirySummary {
  companies: number;
  members: number;
  points: number;
  /** True when the budget ran out before every company was seen. */
  incomplete: boolean;
}

export async function expirePoints(
  env: Env,
  logger: Logger,
  options: { now?: number; queryBudget?: number } = {},
): Promise<ExpirySummary> {
  const db = openPrimaryDatabase(env.DB);
  const cache = new LoyaltyCache(env.CACHE);
  const now = options.now ?? Date.now();
  let budget = (options.queryBudget ?? EXPIRY_QUERY_BUDGET) - 1;
  const summary: ExpirySummary = { companies: 0, members: 0, points: 0, incomplete: false };

  for (const company of await companiesWithExpiry(db)) {
    const log = logger.child({ company_id: company.id });
    let result;
    try {
      // A quarter of the budget left for the card refreshes (one query each).
      result = await expireCompanyPoints(db, { companyId: company.id, months: company.expiry_months, now, queryBudget: Math.floor(budget * 0.75) });
    } catch (err) {
      log.warn("expiry failed for company", describeError(err));
      continue;
    }
    summary.companies += 1;
    budget -= result.queries;
    for (const { memberId, points } of result.expired) {
      summary.members += 1;
      summary.points += points;
      budget -= 1;
      await refreshMemberCard(db, cache, company.id, memberId).catch(() => undefined);
    }
    if (result.expired.length > 0) log.info("points expired", { members: result.expired.length, points: result.expired.reduce((s, e) => s + e.points, 0) });
    if (!result.complete) {
      summary.incomplete = true;
      break;
    }
  }
  return summary;
}

export const expirePointsJob: ScheduledJob = {
  name: "expire-points",
  async run(env, logger, scheduledTime) {
    // Once an hour: the trigger due in the hour's first five minutes (its due time, so jobs before
    // this one taking long cannot make the hour's run skip).
    if (new Date(scheduledTime).getUTCMinutes() >= 5) return;
    const summary = await expirePoints(env, logger);
    logger.info("expire-points summary", { ...summary });
  },
};
