import type { Logger } from "../lib/logger";
import { invalidateMemberCards, LoyaltyCache } from "../loyalty/cache";
import { dueForReview, reviewTiers } from "../loyalty/tiers/member-tier";
import { openPrimaryDatabase } from "../storage/db";
import type { ScheduledJob } from "./scheduled-job";

// The cron's tier review: members whose level may have to change without anything happening to
// them (old earnings left the window, a manual floor ended, the company's tiers changed) are looked
// at again, at most once a day each (members.tier_review_at, src/loyalty/tiers/window.ts). The
// cached cards of those whose level changed go (the others' "N Points to Gold" follows within the
// hour cards live in KV); a company with many changes in one run has all its cards invalidated at
// once instead (one D1 write, src/loyalty/cache.ts).
//
// Bounded per run (D1 and KV each allow about 1000 operations per invocation, shared with the other
// jobs): CHUNKS chunks of CHUNK members, 3 D1 statements each, and at most DELETE_BUDGET KV deletes in
// all (then a D1 write and a catalogue refresh per company invalidated).
// What is left is still due at the next run, five minutes later (288,000 members a day).

const CHUNK = 200;
const CHUNKS = 5;
/** More changes than this in one company in one run: its cards are invalidated together. */
const DELETE_AT_MOST = 50;
/** KV deletes in all, per run: past them, a company's cards are invalidated together. */
const DELETE_BUDGET = 200;

export async function reviewDueTiers(env: Env, logger: Logger, now = Date.now()): Promise<{ reviewed: number; changed: number }> {
  const db = openPrimaryDatabase(env.DB);
  const cache = new LoyaltyCache(env.CACHE);
  let reviewed = 0;
  const changedByCompany = new Map<string, string[]>();
  for (let i = 0; i < CHUNKS; i++) {
    const due = await dueForReview(db, now, CHUNK);
    if (due.length === 0) break;
    for (const change of await reviewTiers(db, due.map((m) => m.id), now)) {
      changedByCompany.set(change.company_id, [...(changedByCompany.get(change.company_id) ?? []), change.member_id]);
    }
    reviewed += due.length;
    if (due.length < CHUNK) break;
  }
  // One budget of KV deletes for the run; a company past it (or with many changes) has its cards invalidated at once.
  let changed = 0;
  let deletes = DELETE_BUDGET;
  for (const [companyId, memberIds] of changedByCompany) {
    changed += memberIds.length;
    if (memberIds.length > DELETE_AT_MOST || memberIds.length > deletes) {
      await invalidateMemberCards(db, cache, companyId).catch(() => undefined);
    } else {
      deletes -= memberIds.length;
      await Promise.all(memberIds.map((id) => cache.deleteMemberCard(companyId, id).catch(() => undefined)));
    }
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
