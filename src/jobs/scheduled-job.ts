import type { Logger } from "../lib/logger";

/** One piece of the cron trigger's work (the list: ./scheduled.ts). */
export interface ScheduledJob {
  name: string;
  /** `scheduledTime`: when the trigger was due (ms), not when this job got its turn. */
  run(env: Env, logger: Logger, scheduledTime: number): Promise<void>;
}
