import { sql } from "drizzle-orm";
import { connectionJoinSql, connectionStatusColumnSql, type ConnectionStatusColumn } from "../storage/kounta-connections";
import { query } from "../storage/sql";

// A connected company's programme as the POS sees it: the name of its points and its intro text.

export const DEFAULT_POINTS_LABEL = "Points";

/** What the POS shows of a connected company's programme. */
export interface Programme {
  companyId: string;
  pointsLabel: string;
  introText: string | null;
}

export interface CompanyRow extends ConnectionStatusColumn {
  id: string;
  points_label: string;
  intro_text: string | null;
  cards_generation: number;
  currency?: string;
  tier_basis?: "points" | "spend";
  /** The active tiers, lowest first, as JSON [{id, name, threshold, position}]. */
  tiers_json?: string | null;
}

/** The company's settings and connection, as one statement (for a D1 batch). */
export function companyStatement(companyId: string) {
  return query<CompanyRow>(sql`
    SELECT c.id, c.points_label, c.intro_text, ${connectionStatusColumnSql("k")}, c.cards_generation, c.currency, c.tier_basis,
      (SELECT json_group_array(json_object('id', t.id, 'name', t.name, 'threshold', t.threshold, 'position', t.position))
        FROM (SELECT id, name, threshold, position FROM tiers WHERE company_id = c.id AND removed_at IS NULL ORDER BY position) t) AS tiers_json
    FROM companies c ${connectionJoinSql("k", sql`c.id`)}
    WHERE c.id = ${companyId}`);
}

/** The programme of a company that has connected its Kounta account; null otherwise. */
export function programmeFromRows(companyRows: CompanyRow[]): Programme | null {
  const company = companyRows[0];
  if (!company || company.connection_status !== "connected") return null;
  return { companyId: company.id, pointsLabel: company.points_label || DEFAULT_POINTS_LABEL, introText: company.intro_text };
}
