import { z } from "zod";
import { loadConfig } from "../config";
import { Logger } from "../lib/logger";
import { LoyaltyCache } from "../loyalty/cache";
import { deliverNotification, type DeliveryDeps } from "../loyalty/notifications/deliver";
import { markNotificationDead } from "../loyalty/notifications/records";
import { configuredSender } from "../notify/email";
import { openPrimaryDatabase } from "../storage/db";

// The queue consumer (this Worker's `queue` handler): each message is the id of a recorded message
// (src/loyalty/notifications/). The main queue sends it (deliver.ts: claim, check, send, record),
// retrying a failed send with a growing delay; after the queue's max_retries (wrangler.toml) the
// message goes to the dead-letter queue, whose consumer records it as dead for the dashboard.
// A duplicate delivery finds the message sent (or claimed) and sends nothing.

/** A dead-letter queue's name has this in it (wrangler.toml: loyalty-notifications-dead-<env>). */
export const DEAD_LETTER_MARK = "-dead";

const body = z.object({ id: z.string().regex(/^ntf_[\w-]{1,40}$/) });

/** Seconds before the next try after `attempts` failed ones: 30 s, 1, 2, 4, 8 minutes..., at most an hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

export async function handleNotificationBatch(
  batch: MessageBatch<unknown>,
  env: Env,
  options: { sender?: DeliveryDeps["sender"]; now?: () => number } = {},
): Promise<void> {
  const logger = new Logger({ queue: batch.queue });
  const db = openPrimaryDatabase(env.DB);
  const now = options.now ?? Date.now;
  const dead = batch.queue.includes(DEAD_LETTER_MARK);
  let deps: DeliveryDeps | null = null;
  for (const message of batch.messages) {
    const parsed = body.safeParse(message.body);
    if (!parsed.success) {
      logger.warn("queue message ignored: not a message id");
      message.ack();
      continue;
    }
    const id = parsed.data.id;
    try {
      if (dead) {
        if (await markNotificationDead(db, id, now())) logger.warn("message dead: its sends kept failing", { notification_id: id });
        message.ack();
        continue;
      }
      deps ??= deliveryDeps(env, logger, options.sender);
      const result = await deliverNotification(deps, id, now());
      if (result.outcome === "failed") message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      // Another consumer is sending it: look again when its lease is over (it may have crashed).
      else if (result.outcome === "held") message.retry({ delaySeconds: result.retryAfterSeconds });
      else message.ack();
    } catch (err) {
      // D1 or the configuration failed, not the send: try again later (the claim's lease lapses).
      logger.error("queue message not handled", { notification_id: id, error_name: (err as Error)?.name });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

function deliveryDeps(env: Env, logger: Logger, sender: DeliveryDeps["sender"] | undefined): DeliveryDeps {
  const config = loadConfig(env);
  return {
    db: openPrimaryDatabase(env.DB),
    cache: new LoyaltyCache(env.CACHE),
    sender: sender !== undefined ? sender : configuredSender(config, env),
    signingKey: config.REDEEM_SIGNING_KEY,
    baseUrl: config.PUBLIC_BASE_URL,
    logger,
  };
}
