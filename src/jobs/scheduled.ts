import { Logger, describeError } from "../lib/logger";

export interface ScheduledJob {
  name: string;
  run(env: Env, logger: Logger): Promise<void>;
}

// The cron trigger's work. Later jobs (settling pending redemptions, catching up on missed sales,
// expiring points) register here; each runs on its own so one failing does not stop the others.
export const scheduledJobs: ScheduledJob[] = [];

export async function runScheduledJobs(controller: ScheduledController, env: Env): Promise<void> {
  const logger = new Logger({ cron: controller.cron, scheduled_time: controller.scheduledTime });
  for (const job of scheduledJobs) {
    const started = Date.now();
    try {
      await job.run(env, logger.child({ job: job.name }));
      logger.info("scheduled job done", { job: job.name, duration_ms: Date.now() - started });
    } catch (err) {
      logger.error("scheduled job failed", { job: job.name, ...describeError(err) });
    }
  }
}
