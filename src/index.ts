import { createApp } from "./app";
import { handleNotificationBatch } from "./jobs/notification-queue";
import { runScheduledJobs } from "./jobs/scheduled";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduledJobs(controller, env));
  },
  // Messages to members (src/jobs/notification-queue.ts), and their dead letters.
  async queue(batch, env) {
    await handleNotificationBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
