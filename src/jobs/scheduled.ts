import { Logger, describeError } from "../lib/logger";
import { catchUpOrdersJob } from "./catch-up";
import { computeFlagsJob } from "./compute-flags";
import { expirePointsJob } from "./expire-points";
import { sendWaitingMessagesJob, warnExpiringPointsJob } from "./notification-sweep";
import { mergeSearchIndexJob } from "./merge-search-index";
import { reindexSearchJob } from "./reindex-search";
import { reviewTiersJob } from "./review-tiers";
import type { ScheduledJob } from "./scheduled-job";
import { settleRedemptionsJob } from "./settle-redemptions";

// The cron trigger's work; each job runs on its own so one failing does not stop the others.
export const scheduledJobs: ScheduledJob[] = [
  settleRedemptionsJob,
  catchUpOrdersJob,
  expirePointsJob,
  reindexSearchJob,
  // After the re-index: it merges what the re-index wrote.
  mergeSearchIndexJob,
  reviewTiersJob,
  computeFlagsJob,
  warnExpiringPointsJob,
  sendWaitingMessagesJob,
];

export async function runScheduledJobs(controller: ScheduledController, env: Env): Promise<void> {
  const logger = new Logger({ cron: controller.cron, scheduled_time: controller.scheduledTime });
  for (const job of scheduledJobs) {
    const started = Date.now();
    try {
      await job.run(env, logger.child({ job: job.name }), controller.scheduledTime);
      logger.info("scheduled job done", { job: job.name, duration_ms: Date.now() - started });
    } catch (err) {
      logger.error("scheduled job failed", { job: job.name, ...describeError(err) });
    }
  }
}
