import { describeError, type Logger } from "../lib/logger";
import { companiesDueFlags, computeDailyFlags, MISSED_DAYS_COMPUTED, utcDay } from "../loyalty/flags/flags";
import { openPrimaryDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

// The daily suspicious-activity pass (src/loyalty/flags/flags.ts): once a UTC day has ended, each
// company's flags for it are computed from that day's ledger rows (and, for reversed orders, the
// 30 days of the members concerned). A company is done once a day; days missed while the cron did
// not run are caught up, at most the last seven. Bounded per run: COMPANIES companies, one batch each.

const COMPANIES = 50;

export async function computeFlags(env: Env, logger: Logger, now = Date.now()): Promise<number> {
  const db = openPrimaryDatabase(env.DB);
  const yesterday = utcDay(now) - 1;
  let done = 0;
  for (const company of await companiesDueFlags(db, yesterday, COMPANIES)) {
    const from = Math.max((company.flags_computed_day ?? -Infinity) + 1, yesterday - MISSED_DAYS_COMPUTED + 1);
    try {
      await computeDailyFlags(db, company.id, from, yesterday, now);
      done += 1;
    } catch (err) {
      logger.warn("flags not computed for company", { company_id: company.id, ...describeError(err) });
    }
  }
  return done;
}

export const computeFlagsJob: ScheduledJob = {
  name: "compute-flags",
  async run(env, logger, scheduledTime) {
    const done = await computeFlags(env, logger, scheduledTime);
    if (done > 0) logger.info("flags computed", { companies: done });
  },
};
