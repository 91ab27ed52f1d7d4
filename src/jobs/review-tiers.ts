import type { Logger } from "../lib/logger";
import { LoyaltyCache } from "../loyalty/cache";
import { dueForReview, reviewTiers } from "../loyalty/tiers/member-tier";
import { openDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

// The cron's tier review: members whose level may have to change without anything happening to
// them (old earnings left the window, a manual floor ended, the company's tiers changed) are looked
// at again, at most once a day each (members.tier_review_at, src/loyalty/tiers/window.ts). Their
// cached cards go, as what the next level needs moved with the window.
//
// Bounded per run (D1 and KV each allow about 1000 operations per invocation, shared with the other
// jobs): CHUNKS chunks of CHUNK members, 4 D1 statements and up to CHUNK KV deletes each. What is
// left is still due at the next run, five minutes later.

const CHUNK = 100;
const CHUNKS = 3;

export async function reviewDueTiers(env: Env, logger: Logger, now = Date.now()): Promise<{ reviewed: number; changed: number }> {
  const db = openDatabase(env.DB);
  const cache = new LoyaltyCache(env.CACHE);
  let reviewed = 0;
  let changed = 0;
  for (let i = 0; i < CHUNKS; i++) {
    const due = await dueForReview(db, now, CHUNK);
    if (due.length === 0) break;
    const changes = await reviewTiers(db, due.map((m) => m.id), now);
    reviewed += due.length;
    changed += changes.length;
    await Promise.all(due.map((m) => cache.deleteMemberCard(m.company_id, m.id).catch(() => undefined)));
    if (due.length < CHUNK) break;
  }
  if (reviewed > 0) logger.info("tiers reviewed", { reviewed, changed });
  return { reviewed, changed };
}

export const reviewTiersJob: ScheduledJob = {
  name: "review-tiers",
  async run(env, logger, scheduledTime) {
    await reviewDueTiers(env, logger, scheduledTime);
  },
};
