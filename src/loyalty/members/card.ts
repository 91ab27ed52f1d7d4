import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, query } from "../../storage/sql";
import { kountaConnections } from "../../storage/schema";
import { expiringColumns, expiringFromRow, type ExpiringColumns } from "../earning/expiry";
import { tierValueSql } from "../tiers/window";
import type { MemberFieldsRow } from "./member-fields";

/** What the POS shows of a member (search result and reward lookup). */
export interface MemberCard {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
  iconVersion: number | null;
  points: number;
  status: "active" | "inactive";
  /** Kounta customer ids linked to this member (lets a warm lookup skip the link write). */
  kountaCustomerIds: string[];
  /** What expires next under the company's expiry policy (within 30 days); absent or null: nothing. */
  expiring?: { points: number; on: string } | null;
  /** The level kept on the member's row (src/loyalty/tiers/; absent: read before tiers). */
  tierId?: string | null;
  /** The member's window total toward a tier (points, or cents on the spend basis). */
  tierValue?: number;
  /**
   * The company's cards generation this card was read under (cards cached in KV). A lookup takes a
   * card only when it matches the catalogue's; absent reads as 0 (cards written before generations).
   */
  generation?: number;
}

/** What a search answers per member: the card's fields (the company is known, the member active). */
export interface MemberSearchRow extends MemberFieldsRow {
  id: string;
  icon_version: number | null;
  points: number;
}

/** A member as the lookup reads it: the search's fields, its company and status, and more. */
export interface MemberRow extends MemberSearchRow, ExpiringColumns {
  company_id: string;
  status: "active" | "inactive";
  customer_ids?: string | null;
  cards_generation?: number;
  tier_id?: string | null;
  tier_value?: number;
}

export const memberColumns = sql`m.id, m.company_id, m.first_name, m.last_name, m.email, m.phone, m.card_number,
  m.icon_version, m.points, m.status`;

export function memberCardFromSearchRow(companyId: string, row: MemberSearchRow): MemberCard {
  return {
    id: row.id,
    companyId,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    cardNumber: row.card_number,
    iconVersion: row.icon_version,
    points: row.points,
    status: "active",
    kountaCustomerIds: [],
  };
}

export function memberCardFromRow(row: MemberRow): MemberCard {
  return {
    ...memberCardFromSearchRow(row.company_id, row),
    status: row.status,
    kountaCustomerIds: row.customer_ids ? (JSON.parse(row.customer_ids) as string[]) : [],
    // Only the lookup's member query reads what expires next (search results do not show it) and
    // the company's cards generation (the card goes to KV).
    ...(row.expiry_today !== undefined ? { expiring: expiringFromRow(row.points, row) } : {}),
    ...(row.cards_generation !== undefined ? { generation: row.cards_generation } : {}),
    ...(row.tier_value !== undefined ? { tierId: row.tier_id ?? null, tierValue: row.tier_value } : {}),
  };
}

/** The statements that resolve a member for a reward lookup, to run inside one D1 batch. */
export function memberLookupStatements(
  input: { companyId: string; memberId: string | null; kountaCustomerId: string | null; now: number },
) {
  const { companyId, memberId, kountaCustomerId, now } = input;
  // Kounta's customer now points at this member: remember it (the latest reference wins). `current`
  // reads whom it points at (with the member, in the read batch, which may be served by a replica);
  // `upsert` writes the link (on the primary) only when that is another member or none, whose cached
  // card then goes.
  const link =
    memberId && kountaCustomerId
      ? {
          current: query<{ member_id: string }>(sql`
            SELECT member_id FROM customer_links
            WHERE company_id = ${companyId} AND kounta_customer_id = ${kountaCustomerId}`),
          upsert: query(sql`
            INSERT INTO customer_links (company_id, kounta_customer_id, member_id, linked_at)
            SELECT ${companyId}, ${kountaCustomerId}, m.id, ${now} FROM members m
            WHERE m.company_id = ${companyId} AND m.id = ${memberId}
              AND EXISTS (SELECT 1 FROM ${kountaConnections} k WHERE k.company_id = ${companyId} AND k.status = 'connected')
            ON CONFLICT (company_id, kounta_customer_id) DO UPDATE SET member_id = excluded.member_id, linked_at = excluded.linked_at
            WHERE customer_links.member_id <> excluded.member_id`),
        }
      : null;
  const memberFilter = memberId
    ? sql`m.id = ${memberId}`
    : sql`m.id = (SELECT member_id FROM customer_links WHERE company_id = ${companyId} AND kounta_customer_id = ${kountaCustomerId})`;
  const member = query<MemberRow>(sql`
    SELECT ${memberColumns},
      (SELECT json_group_array(l.kounta_customer_id) FROM customer_links l
        WHERE l.company_id = m.company_id AND l.member_id = m.id) AS customer_ids,
      (SELECT c.cards_generation FROM companies c WHERE c.id = m.company_id) AS cards_generation,
      m.tier_id, ${tierValueSql(now)} AS tier_value,
      ${expiringColumns(now)}
    FROM members m WHERE m.company_id = ${companyId} AND ${memberFilter}`);
  return { link, member };
}

export async function loadMemberCard(db: Database, companyId: string, memberId: string): Promise<MemberCard | null> {
  const { member } = memberLookupStatements({ companyId, memberId, kountaCustomerId: null, now: Date.now() });
  const rows = await all(db, member);
  return rows[0] ? memberCardFromRow(rows[0]) : null;
}
