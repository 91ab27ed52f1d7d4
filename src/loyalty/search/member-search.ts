import { sql } from "drizzle-orm";
import { query } from "../../storage/sql";
import type { MemberSearchRow } from "../members/card";
import { isValidCardNumber, looksLikeOurCardNumber } from "../members/card-numbers";
import { buildSearchExpressions, tokenStart, type SearchExpressions } from "./search-terms";

export const SEARCH_LIMIT = 20;

/**
 * The statement that finds members of one company matching what a cashier typed, best first:
 * whole-word matches, then prefixes, each alphabetical. Each half stops at its LIMIT inside the
 * full-text index, so the rows read follow the results, not the size of the company. Prefixes are
 * searched only while whole words leave the page short (for a whole email, phone or card number:
 * only when nothing matched it whole). Null when the keyword holds nothing searchable (only symbols):
 * the caller answers "nobody". A mistyped card number of ours is matched as a card number only (below).
 */
export function memberSearchStatement(companyId: string, keyword: string) {
  const expressions = isMistypedCardNumber(keyword) ? cardOnly(companyId, keyword) : buildSearchExpressions(companyId, keyword);
  if (!expressions) return null;
  const prefixBelow = expressions.identifier ? 1 : SEARCH_LIMIT;
  // The page sizes are written into the SQL, not bound: SQLite reads a bound LIMIT while planning
  // and then prepares the whole statement again each time that parameter is bound. Measured with
  // SQLite 3.51 on 100,000 members: 65 µs a search bound, 18 µs written in (a phone number).
  const page = sql.raw(String(SEARCH_LIMIT));
  const prefixPage = sql.raw(String(SEARCH_LIMIT * 2));
  return query<MemberSearchRow>(sql`
    WITH exact(pk) AS MATERIALIZED (
      SELECT rowid FROM members_fts WHERE members_fts MATCH ${expressions.exact} LIMIT ${page}
    ),
    hits(pk, tier) AS (
      SELECT pk, 0 FROM exact
      UNION ALL
      -- The gate sits in the LIMIT: a LIMIT of 0 stops the prefix scan before it starts. (As a
      -- WHERE on the outside it would be checked only after FTS5 had merged every prefix's rows.)
      SELECT pk, 1 FROM (
        SELECT rowid AS pk FROM members_fts WHERE members_fts MATCH ${expressions.prefix}
        LIMIT CASE WHEN (SELECT count(*) FROM exact) < ${prefixBelow} THEN ${prefixPage} ELSE 0 END
      )
    )
    SELECT m.id, m.first_name, m.last_name, m.email, m.phone, m.card_number, m.icon_version, m.points
    -- CROSS JOIN keeps this order: the hits first, then members by primary key. (With a plain JOIN
    -- SQLite prefers walking the company's members and probing the hits: a scan of the company.)
    FROM hits h CROSS JOIN members m ON m.pk = h.pk
    -- The unary + keeps the company out of the plan's index choices (it is checked on each row found
    -- by primary key, as without it): otherwise D1's SQLite reads the bound id while planning, and so
    -- prepares the whole statement again on every call (docs/search.md, "Prepared once").
    WHERE +m.company_id = ${companyId} AND m.status = 'active'
    GROUP BY m.pk
    ORDER BY MIN(h.tier), lower(m.first_name), lower(coalesce(m.last_name, '')), m.id
    LIMIT ${page}`);
}

/**
 * Digits (spaces and dashes aside) in the shape of the card numbers we give out, 13 digits starting
 * with 2, whose EAN-13 check digit is wrong: a scan or a typing mistake. Searched like any other
 * digits, they would still match a phone number whole ("2348031234567") or by its start (a longer
 * one), or a name or an email starting with them: somebody else than the card's owner. So they are
 * searched as a whole card number only (cardOnly): no card we issue has a wrong check digit, so
 * they find nobody of ours, while a merchant's own card of that exact number is still found.
 */
function isMistypedCardNumber(keyword: string): boolean {
  const trimmed = keyword.trim();
  if (!/^[\d\s-]+$/.test(trimmed)) return false;
  const digits = trimmed.replace(/\D/g, "");
  return looksLikeOurCardNumber(digits) && !isValidCardNumber(digits);
}

/** The expressions of a card number matched whole, by no other field (a mistyped number of ours). */
function cardOnly(companyId: string, keyword: string): SearchExpressions {
  const token = `"${tokenStart(companyId, "k")}${keyword.replace(/\D/g, "")}"`;
  return { exact: token, prefix: token, identifier: true };
}
