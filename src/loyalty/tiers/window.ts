import { sql, type SQL } from "drizzle-orm";

// What a member's tier counts, as SQL over a member row: the window's total of member_tier_months
// (points, or cents on the "spend" basis) and the tier it reaches. Every reader of a level (the
// POS lookup, the reserve batch, earning's multiplier, the review) uses these, so they agree.
//
// Months are UTC, numbered year * 12 + month - 1. The window of a company on the rolling basis is
// the current month and the tier_window_months before it: an earning counts for at least that many
// months (for 12: from 12 to 13). On the calendar year, the months of the current year.

export const DAY_MS = 86_400_000;

export const monthIndex = (ms: number) => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

export const monthStartMs = (index: number) => Date.UTC(Math.floor(index / 12), index % 12, 1);

/** The first month the window of a company counts, given its window settings. */
export function windowStartMonth(window: { tierWindow: "rolling" | "calendar_year"; tierWindowMonths: number }, now: number) {
  const current = monthIndex(now);
  return window.tierWindow === "calendar_year" ? current - (current % 12) : current - window.tierWindowMonths;
}

/** `m`: the alias of the members row in the statement around it. */
const member = (alias: string) => sql.raw(alias);

/** The member's window total (0 without any). */
export function tierValueSql(now: number, alias = "m"): SQL {
  const m = member(alias);
  const current = monthIndex(now);
  const yearStart = current - (current % 12);
  return sql`(SELECT coalesce(sum(CASE c.tier_basis WHEN 'spend' THEN b.spent_cents ELSE b.points END), 0)
    FROM companies c JOIN member_tier_months b ON b.company_id = c.id
    WHERE c.id = ${m}.company_id AND b.member_id = ${m}.id
      AND b.month >= CASE c.tier_window WHEN 'calendar_year' THEN ${yearStart} ELSE ${current} - c.tier_window_months END)`;
}

/**
 * The position of the member's level (-1: none): the higher of the level kept on the row (what the
 * last evaluation found, a manual floor included) and the one the window total reaches now. An
 * upgrade shows at once; a downgrade waits for an evaluation (a refund, the daily review).
 */
export function tierPositionSql(now: number, alias = "m"): SQL {
  const m = member(alias);
  return sql`max(
    coalesce((SELECT t.position FROM tiers t WHERE t.id = ${m}.tier_id AND t.company_id = ${m}.company_id AND t.removed_at IS NULL), -1),
    coalesce((SELECT max(t.position) FROM tiers t WHERE t.company_id = ${m}.company_id AND t.removed_at IS NULL
      AND t.threshold <= ${tierValueSql(now, alias)}), -1))`;
}

/** The level an evaluation gives: the highest tier the window total reaches, or the floor while it lasts. */
export function evaluatedTierSql(now: number, alias = "m"): SQL {
  const m = member(alias);
  return sql`(SELECT t.id FROM tiers t WHERE t.company_id = ${m}.company_id AND t.removed_at IS NULL
    AND (t.threshold <= ${tierValueSql(now, alias)}
      OR (t.id = ${m}.tier_floor_id AND (${m}.tier_floor_until IS NULL OR ${m}.tier_floor_until > ${now})))
    ORDER BY t.position DESC LIMIT 1)`;
}

/** The tier a member without a stored level is in: a first tier with threshold 0, if there is one. */
export function baseTierSql(alias = "m"): SQL {
  const m = member(alias);
  return sql`(SELECT t.id FROM tiers t WHERE t.company_id = ${m}.company_id AND t.removed_at IS NULL AND t.threshold <= 0
    ORDER BY t.position LIMIT 1)`;
}

/**
 * When the level must be looked at again: the window's next move (the next month, or the next
 * year) or the floor's end, whichever comes first, never within a day; null when nothing can lower
 * it (no tiers, or nothing in the window and no floor that ends).
 */
export function nextReviewSql(now: number, alias = "m"): SQL {
  const m = member(alias);
  const current = monthIndex(now);
  const nextMonth = monthStartMs(current + 1);
  const nextYear = monthStartMs(current - (current % 12) + 12);
  const floorEnds = sql`coalesce(${m}.tier_floor_until, 0) > ${now}`;
  return sql`(SELECT CASE
      WHEN NOT EXISTS (SELECT 1 FROM tiers t WHERE t.company_id = c.id AND t.removed_at IS NULL) THEN NULL
      WHEN ${tierValueSql(now, alias)} > 0 OR ${floorEnds} THEN max(${now + DAY_MS}, min(
        CASE c.tier_window WHEN 'calendar_year' THEN ${nextYear} ELSE ${nextMonth} END,
        CASE WHEN ${floorEnds} THEN ${m}.tier_floor_until ELSE ${nextYear} END))
      ELSE NULL END
    FROM companies c WHERE c.id = ${m}.company_id)`;
}

/** The position of an active tier of the company (`tierId`, `companyId`: SQL); a removed or unknown tier is out of reach. */
export function requiredTierPositionSql(tierId: SQL, companyId: SQL): SQL {
  return sql`coalesce((SELECT t.position FROM tiers t WHERE t.id = ${tierId} AND t.company_id = ${companyId} AND t.removed_at IS NULL), 1000000)`;
}

/** The name of an active tier (null when removed or unknown). */
export function activeTierNameSql(tierId: SQL): SQL {
  return sql`(SELECT t.name FROM tiers t WHERE t.id = ${tierId} AND t.removed_at IS NULL)`;
}
