import { loadConfig } from "../config";
import { describeError, type Logger } from "../lib/logger";
import { companiesDueWarnings, recordExpiryWarnings } from "../loyalty/notifications/expiry-warnings";
import { Notifier } from "../loyalty/notifications/notifier";
import { takeWaitingNotifications } from "../loyalty/notifications/records";
import { DAY_MS } from "../loyalty/earning/expiry";
import { configuredSender } from "../notify/email";
import { openPrimaryDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

// Two cron passes over member messages (src/loyalty/notifications/):
// - send-messages-waiting (every run): enqueues again the messages whose enqueue was lost or whose
//   consumer went away, at most WAITING_PER_RUN a run;
// - warn-expiring-points (the first run of each hour, like expire-points): records the warnings of
//   the points that expire in 30 days and tomorrow (expiry-warnings.ts), within WARNING_QUERY_BUDGET
//   statements, and enqueues them.

export const WAITING_PER_RUN = 200;
export const WARNING_QUERY_BUDGET = 200;
const WARNING_COMPANIES = 50;

/** The notifier of a job: its messages have no origin (the consumer finds one: deliver.ts). */
export function jobNotifier(env: Env, logger: Logger): Notifier {
  const config = loadConfig(env);
  const canSend = configuredSender(config, env) !== null;
  return new Notifier({ db: openPrimaryDatabase(env.DB), queue: env.NOTIFY_QUEUE, logger, origin: null, canSend });
}

export async function enqueueWaitingMessages(env: Env, logger: Logger, now = Date.now()): Promise<number> {
  const ids = await takeWaitingNotifications(openPrimaryDatabase(env.DB), now, WAITING_PER_RUN);
  if (ids.length > 0) {
    logger.warn("messages enqueued again", { messages: ids.length });
    await jobNotifier(env, logger).enqueue(ids);
  }
  return ids.length;
}

export interface WarningSummary {
  companies: number;
  recorded: number;
  queries: number;
  incomplete: boolean;
}

export async function warnExpiringPoints(env: Env, logger: Logger, options: { now?: number; queryBudget?: number } = {}): Promise<WarningSummary> {
  const now = options.now ?? Date.now();
  const summary: WarningSummary = { companies: 0, recorded: 0, queries: 0, incomplete: false };
  const notifier = jobNotifier(env, logger);
  if (!notifier.canSend) return summary;
  const db = openPrimaryDatabase(env.DB);
  const day = Math.floor(now / DAY_MS);
  let budget = options.queryBudget ?? WARNING_QUERY_BUDGET;
  for (const company of await companiesDueWarnings(db, day, WARNING_COMPANIES)) {
    const log = logger.child({ company_id: company.id });
    try {
      const run = await recordExpiryWarnings(db, company, { day, origin: null, now, queryBudget: budget });
      summary.companies += 1;
      summary.recorded += run.recorded.length;
      summary.queries += run.queries;
      budget -= run.queries;
      if (run.recorded.length > 0) {
        log.info("expiry warnings recorded", { messages: run.recorded.length });
        await notifier.enqueue(run.recorded);
      }
      if (!run.complete) {
        summary.incomplete = true;
        break;
      }
    } catch (err) {
      log.warn("expiry warnings failed for company", describeError(err));
    }
  }
  return summary;
}

export const sendWaitingMessagesJob: ScheduledJob = {
  name: "send-messages-waiting",
  async run(env, logger, scheduledTime) {
    await enqueueWaitingMessages(env, logger, Math.max(scheduledTime, Date.now()));
  },
};

export const warnExpiringPointsJob: ScheduledJob = {
  name: "warn-expiring-points",
  async run(env, logger, scheduledTime) {
    if (new Date(scheduledTime).getUTCMinutes() >= 5) return;
    const summary = await warnExpiringPoints(env, logger, { now: scheduledTime });
    logger.info("warn-expiring-points summary", { ...summary });
  },
};
