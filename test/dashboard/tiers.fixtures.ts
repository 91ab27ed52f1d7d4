import { env } from "cloudflare:test";
import { asc, eq } from "drizzle-orm";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { putTierProgramme, type TierLevel } from "../../src/loyalty/tiers/tiers";
import { companies, dashboardSessions, tiers } from "../../src/storage/schema";
import { db } from "../harness";

// What the tiers, limits and manager-mode tests share: the tiers form as the page sends it, the tier
// and company rows in D1, a programme of three tiers, a session's manager columns.

export const cache = new LoyaltyCache(env.CACHE);

export interface Row {
  id?: string;
  name?: string;
  threshold?: string;
  multiplier?: string;
  remove?: boolean;
}

/** The tiers form with these rows (the rest empty, as the page sends them), basis and window. */
export function tiersForm(rows: Row[], top: { basis?: string; window?: string; window_months?: string } = {}): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = { basis: top.basis ?? "points", window: top.window ?? "rolling", window_months: top.window_months ?? "12" };
  for (let i = 0; i < 6; i++) {
    const row = rows[i] ?? {};
    if (row.id) {
      form[`tier_${i}_id`] = row.id;
      form[`tier_${i}_remove`] = row.remove ? ["false", "true"] : ["false"];
    }
    form[`tier_${i}_name`] = row.name ?? "";
    form[`tier_${i}_threshold`] = row.threshold ?? "";
    form[`tier_${i}_multiplier`] = row.multiplier ?? "";
  }
  return form;
}

/** Every tier row of the company, removed ones too, in position order. */
export function tierRows(companyId: string) {
  return db.select().from(tiers).where(eq(tiers.companyId, companyId)).orderBy(asc(tiers.removedAt), asc(tiers.position));
}

export async function companyRow(id: string) {
  const [row] = await db.select().from(companies).where(eq(companies.id, id));
  return row!;
}

/** Bronze 0, Silver 500 (x1.5), Gold 1000 (x2), on points over a rolling 12 months. */
export async function threeTiers(companyId: string): Promise<{ bronze: TierLevel; silver: TierLevel; gold: TierLevel }> {
  const put = await putTierProgramme(db, cache, {
    companyId,
    basis: "points",
    window: "rolling",
    windowMonths: 12,
    tiers: [
      { name: "Bronze", threshold: 0, multiplier: 1 },
      { name: "Silver", threshold: 500, multiplier: 1.5 },
      { name: "Gold", threshold: 1000, multiplier: 2 },
    ],
  });
  if (put.outcome !== "saved") throw new Error("tiers not saved");
  const [bronze, silver, gold] = put.programme.tiers;
  return { bronze: bronze!, silver: silver!, gold: gold! };
}

export async function sessionRow(idHash: string) {
  const [row] = await db.select().from(dashboardSessions).where(eq(dashboardSessions.idHash, idHash));
  return row!;
}

/** The option of a select as the page draws it, selected or not. */
export const option = (value: string, label: string, selected = false) => `<option value="${value}"${selected ? ' selected=""' : ""}>${label}</option>`;
