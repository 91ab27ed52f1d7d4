import { asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { rewards } from "../../src/storage/schema";
import { signedIn } from "../dashboard-harness";
import { db, getJson, kountaUrl, seedCompany } from "../harness";

// What the Rewards and Programme tests read: a form's fields as the page draws them, the rewards
// list, the reward rows in D1, and the POS's reward lookup for a member.

const unescape = (s: string) => s.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** The message next to a field (its id is <prefix>-<name>-error), or null. */
export function fieldError(html: string, name: string, prefix = "f"): string | null {
  const match = new RegExp(`id="${prefix}-${name}-error">([^<]*)<`).exec(html);
  return match ? unescape(match[1]!) : null;
}

/** The value a text field shows, or null when there is no such field. */
export function fieldValue(html: string, name: string, prefix = "f"): string | null {
  const match = new RegExp(`<input id="${prefix}-${name}" name="${name}"[^>]*? value="([^"]*)"`).exec(html);
  return match ? unescape(match[1]!) : null;
}

/** The rewards of the list page, in its order, with what each gives. */
export function listed(html: string): Array<{ id: string; gives: string }> {
  return [...html.matchAll(/<tr data-reward="([^"]+)">[\s\S]*?data-gives="true">([^<]*)</g)].map((m) => ({ id: m[1]!, gives: unescape(m[2]!) }));
}

export async function rewardRows(companyId: string) {
  return db.select().from(rewards).where(eq(rewards.companyId, companyId)).orderBy(asc(rewards.sortOrder), asc(rewards.id));
}

type Seeded = NonNullable<Parameters<typeof seedCompany>[0]>["rewards"];

/**
 * A company with these rewards, a member with points enough for every one, a signed-in browser,
 * and the POS's reward lookup for that member (without the redeem URLs: each lookup signs new
 * ones). The lookup is warmed first, so a change must be written through to the cached catalogue.
 */
export async function rewardsSetup(seeded: Seeded = [{ id: "coffee", title: "Free coffee", pointsRequired: 500, productId: "3001" }]) {
  const company = await seedCompany({ rewards: seeded });
  const memberId = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 1_000_000 });
  const browser = await signedIn(company.id);
  const lookupBody = async () => {
    const res = await getJson(kountaUrl("reward-lookup", { reference_id: memberId, site_id: company.siteId, company_id: company.id, order_id: "111" }));
    expect(res.status).toBe(200);
    const body = res.body as { member: Record<string, unknown>; rewards: Array<Record<string, unknown>> };
    return { member: body.member, rewards: body.rewards.map(({ redeem_url: _, ...rest }) => rest) };
  };
  const lookup = async () => (await lookupBody()).rewards;
  await lookup();
  return { company, browser, lookup, lookupBody };
}
