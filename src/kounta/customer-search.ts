import { createFactory } from "hono/factory";
import { z } from "zod";
import { KountaError } from "../lib/errors";
import { searchMessages, serviceMessages as messages } from "../loyalty/cashier-messages";
import type { AppEnv } from "../services";
import type { Database } from "../storage/db";
import { all, batch, type Query } from "../storage/sql";
import type { LoyaltyCache } from "../loyalty/cache";
import { memberCardFromSearchRow, type MemberSearchRow } from "../loyalty/members/card";
import { companyStatement, programmeFromRows, type CompanyRow, type Programme } from "../loyalty/programme";
import { memberSearchStatement } from "../loyalty/search/member-search";
import { assertKeyOpensCompany } from "./addon-key";
import { kountaId, kountaParams, optionalKountaId } from "./params";
import { publicOrigin } from "./origin";
import { toKountaMember, type CustomerSearchResponse } from "./wire";

export const MAX_KEYWORD_LENGTH = 100;

export const customerSearchParams = z.object({
  keyword: z
    .string({ error: searchMessages.keyword })
    .trim()
    .min(1, searchMessages.keyword)
    .max(MAX_KEYWORD_LENGTH, searchMessages.tooLong(MAX_KEYWORD_LENGTH)),
  company_id: kountaId("company_id"),
  site_id: optionalKountaId("site_id"),
  // Not used by a search (only the lookup hands it back), so any value is accepted and ignored.
  order_id: z.string().optional(),
});

export const customerSearchHandlers = createFactory<AppEnv>().createHandlers(
  kountaParams(customerSearchParams),
  async (c) => {
    const { db, cache } = c.get("services");
    const { keyword, company_id: companyId } = c.req.valid("query");
    assertKeyOpensCompany(c, companyId);

    const { programme, rows } = await withProgramme(db, cache, companyId, memberSearchStatement(companyId, keyword));
    if (!programme) throw new KountaError(404, messages.notConnected);

    return c.json({ members: kountaMembers(companyId, rows, programme, publicOrigin(c)) } satisfies CustomerSearchResponse);
  },
);

/**
 * One D1 round trip: `statement` (none: nothing to read) with the company's connection and labels,
 * unless this isolate read the company's catalogue moments ago. The programme is null for a company
 * that is not connected.
 */
export async function withProgramme<Row>(
  db: Database,
  cache: LoyaltyCache,
  companyId: string,
  statement: Query<Row> | null,
): Promise<{ programme: Programme | null; rows: Row[] }> {
  const known = cache.recentProgramme(companyId);
  if (known) return { programme: known, rows: statement ? await all(db, statement) : [] };
  const company = companyStatement(companyId);
  const [companyRows, rows]: [CompanyRow[], Row[]] = statement ? await batch(db, [company, statement]) : [await all(db, company), []];
  const programme = programmeFromRows(companyRows);
  if (programme) cache.rememberProgramme(programme);
  return { programme, rows };
}

/** The search's answer: its rows in Kounta's shape, keyed by member id (in the statement's order). */
export function kountaMembers(
  companyId: string,
  rows: readonly MemberSearchRow[],
  programme: Programme,
  origin: string,
): CustomerSearchResponse["members"] {
  const members: CustomerSearchResponse["members"] = {};
  for (const row of rows) {
    const card = memberCardFromSearchRow(companyId, row);
    members[card.id] = toKountaMember(card, programme, origin);
  }
  return members;
}
