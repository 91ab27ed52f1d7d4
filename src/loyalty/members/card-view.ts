import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import type { LedgerReason } from "../../storage/schema";
import { batch, query } from "../../storage/sql";
import { expiringColumns, expiringFromRow, type ExpiringColumns, type Expiring } from "../earning/expiry";
import { parseLedgerKey, type LedgerKey } from "../ledger/keys";
import { DEFAULT_POINTS_LABEL } from "../programme";
import { catalogueReward, offerRewards, programmeStatements, type OfferedReward } from "../rewards/catalogue";
import { tierLine, tierStatus } from "../tiers/status";
import { activeTiersSql } from "../tiers/tiers";
import { tierValueSql } from "../tiers/window";
import { resolveCardLink } from "./card-links";

// What a member's own card page (/card/<token>) shows, read in two D1 round trips: the link (its
// token's hash), then one batch of the company, the member, the company's active rewards and the
// member's last ledger rows. Only what the page prints is read of the member: the first name, the
// balance, the status and the card number (never the email, phone, surname).

export const CARD_HISTORY_ROWS = 10;

export interface CardHistoryRow {
  delta: number;
  reason: LedgerReason;
  /** What kind of row it is by its idempotency key (a refund, an opening balance...); null: unknown. */
  key: LedgerKey["kind"] | null;
  note: string | null;
  /** The site's name as Kounta gave it; null when the row has no site or the site is unknown. */
  siteName: string | null;
  /** The reward's title (even an inactive reward's); null when there is none. */
  rewardTitle: string | null;
  createdAt: number;
}

export interface CardView {
  companyId: string;
  programmeName: string;
  pointsLabel: string;
  firstName: string;
  points: number;
  cardNumber: string | null;
  /** Rewards redeemable now, in the merchant's order (as the POS lists them). */
  redeemable: OfferedReward[];
  /** At most three rewards being saved toward, nearest first. */
  savingToward: OfferedReward[];
  /** Where the member stands among the company's tiers ("Silver: 400 Points to Gold"); null without tiers. */
  tier: string | null;
  /** Whether the company's points expire at all (no policy: the page says nothing of expiry). */
  expires: boolean;
  /** What expires next within 30 days (null: nothing). */
  expiring: Expiring | null;
  history: CardHistoryRow[];
}

export type CardLookup =
  | { outcome: "card"; card: CardView }
  /** The link is live but the member is inactive: the page says so, without details. */
  | { outcome: "inactive"; programmeName: string }
  /** Unknown, revoked or malformed token (or a member that is gone): one answer for all. */
  | { outcome: "not_found" };

interface CompanyRow {
  name: string;
  points_label: string;
  expiry_months: number | null;
  tier_basis: "points" | "spend";
  currency: string;
}

interface MemberRow extends ExpiringColumns {
  first_name: string;
  points: number;
  status: "active" | "inactive";
  card_number: string | null;
  tier_id: string | null;
  tier_value: number;
}

interface HistoryRow {
  delta: number;
  reason: LedgerReason;
  note: string | null;
  idempotency_key: string;
  site_name: string | null;
  reward_title: string | null;
  created_at: number;
}

/** The card a token opens, at `now`. */
export async function loadCardView(db: Database, token: string, now = Date.now()): Promise<CardLookup> {
  const link = await resolveCardLink(db, token);
  if (!link) return { outcome: "not_found" };
  const { companyId, memberId } = link;
  const [companyRows, memberRows, rewardRows, historyRows, tierRows] = await batch(db, [
    query<CompanyRow>(sql`SELECT name, points_label, expiry_months, tier_basis, currency FROM companies WHERE id = ${companyId}`),
    query<MemberRow>(sql`
      SELECT m.first_name, m.points, m.status, m.card_number, m.tier_id, ${tierValueSql(now)} AS tier_value, ${expiringColumns(now)}
      FROM members m WHERE m.company_id = ${companyId} AND m.id = ${memberId}`),
    programmeStatements(companyId).rewards,
    query<HistoryRow>(sql`
      SELECT l.delta, l.reason, l.note, l.idempotency_key, s.name AS site_name, r.title AS reward_title, l.created_at
      FROM points_ledger l
      LEFT JOIN sites s ON s.company_id = l.company_id AND s.id = l.site_id
      LEFT JOIN rewards r ON r.company_id = l.company_id AND r.id = l.reward_id
      WHERE l.company_id = ${companyId} AND l.member_id = ${memberId}
      ORDER BY l.created_at DESC, l.id DESC LIMIT ${CARD_HISTORY_ROWS}`),
    activeTiersSql(companyId),
  ]);
  const company = companyRows[0];
  const member = memberRows[0];
  if (!company || !member) return { outcome: "not_found" };
  if (member.status !== "active") return { outcome: "inactive", programmeName: company.name };

  const pointsLabel = company.points_label || DEFAULT_POINTS_LABEL;
  const rewards = rewardRows.map(catalogueReward);
  // The POS's own rules (catalogue.ts, tiers/status.ts): every reward redeemable now, then up to
  // three saved toward, none of a tier above the member's.
  const tiers = tierRows.map((t) => ({ id: t.id, name: t.name, threshold: t.threshold, position: t.position }));
  const standing = tierStatus(tiers, member.tier_id, member.tier_value);
  const offered = offerRewards({ companyId, pointsLabel, introText: null, rewards, tiers }, member.points, standing?.position ?? -1);
  return {
    outcome: "card",
    card: {
      companyId,
      programmeName: company.name,
      pointsLabel,
      firstName: member.first_name,
      points: member.points,
      cardNumber: member.card_number,
      redeemable: offered.filter((o) => o.missingPoints === 0),
      savingToward: offered.filter((o) => o.missingPoints > 0),
      tier: standing ? tierLine(standing, { pointsLabel, basis: company.tier_basis, currency: company.currency }) : null,
      expires: Boolean(company.expiry_months && company.expiry_months > 0),
      expiring: expiringFromRow(member.points, member),
      history: historyRows.map((row) => ({
        delta: row.delta,
        reason: row.reason,
        key: parseLedgerKey(row.idempotency_key)?.kind ?? null,
        note: row.note,
        siteName: row.site_name,
        rewardTitle: row.reward_title,
        createdAt: row.created_at,
      })),
    },
  };
}
