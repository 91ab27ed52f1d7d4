import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { companies } from "../../storage/schema";
import { all, batch, query } from "../../storage/sql";
import { memberFieldsOf, type MemberFieldsRow } from "../members/member-fields";
import { buildSearchTerms } from "./search-terms";

// Members' search tokens depend on a company setting: the phone country code (a phone is indexed in
// national form and with the code, so "+61 412 345 678" and "0412 345 678" find the same member).
// When the setting changes, every member's tokens are rebuilt, in primary-key order from the
// company's cursor (companies.search_reindex_after_pk; null when nothing is pending), a chunk at a
// time: the settings change does the first chunks itself, the cron the rest. A member written
// through the API, an import or auto-enrolment builds its tokens with the code it read; its batch
// also restarts the rebuild if that code is no longer the company's (restartReindexIfCodeChanged).

/** Members per chunk: one read, and one write statement carrying the changed tokens as JSON. */
export const REINDEX_CHUNK = 500;

interface ReindexRow extends MemberFieldsRow {
  pk: number;
  status: "active" | "inactive";
  search_terms: string;
}

export interface ReindexProgress {
  /** True when every member has been seen (or nothing was pending). */
  done: boolean;
  /** Members whose tokens changed. */
  updated: number;
  /** D1 statements spent. */
  queries: number;
}

/**
 * For a writer that built members' tokens with the code it read (`codeUsed`), run in the writer's own
 * batch after its member writes: when the company's code is no longer that one (the code changed
 * between the writer's read and its write), the rebuild starts over, so those members get the
 * current code's tokens too. Otherwise it changes nothing.
 */
export function restartReindexIfCodeChanged(db: Database, companyId: string, codeUsed: string | null) {
  // Filtered too, so that the usual case (the code the writer used) writes nothing.
  return db
    .update(companies)
    .set(restartReindexWhenCodeIsNot(codeUsed))
    .where(and(eq(companies.id, companyId), codeIsNot(codeUsed)));
}

const codeIsNot = (code: string | null) => sql`${companies.phoneCountryCode} IS NOT ${code}`;

/**
 * The companies columns that (re)start the rebuild when the company's phone country code is not
 * `code` (as the row stands before the update): the cursor back to the first member, and a new
 * epoch so that a chunk already under way cannot move the cursor on. Otherwise they stay.
 */
export function restartReindexWhenCodeIsNot(code: string | null) {
  const differs = codeIsNot(code);
  return {
    searchReindexAfterPk: sql`CASE WHEN ${differs} THEN 0 ELSE ${companies.searchReindexAfterPk} END`,
    searchReindexEpoch: sql`${companies.searchReindexEpoch} + (${differs})`,
  };
}

/** Companies with a rebuild pending, in company id order. */
export async function companiesToReindex(db: Database, limit: number): Promise<string[]> {
  const rows = await all(db, query<{ id: string }>(sql`
    SELECT id FROM companies WHERE search_reindex_after_pk IS NOT NULL ORDER BY id LIMIT ${limit}`));
  return rows.map((r) => r.id);
}

/** Rebuilds up to `chunks` chunks of a company's members' search tokens from its cursor. */
export async function reindexSearchTerms(db: Database, companyId: string, options: { chunks: number }): Promise<ReindexProgress> {
  const progress: ReindexProgress = { done: false, updated: 0, queries: 0 };
  for (let i = 0; i < options.chunks; i++) {
    const [company] = await all(db, query<{ after: number | null; code: string | null; epoch: number }>(sql`
      SELECT search_reindex_after_pk AS after, phone_country_code AS code, search_reindex_epoch AS epoch
      FROM companies WHERE id = ${companyId}`));
    progress.queries += 1;
    if (!company || company.after === null) return { ...progress, done: true };
    const after = company.after;

    const rows = await all(db, query<ReindexRow>(sql`
      SELECT pk, first_name, last_name, email, phone, card_number, status, search_terms FROM members
      WHERE company_id = ${companyId} AND pk > ${after} ORDER BY pk LIMIT ${REINDEX_CHUNK}`));
    progress.queries += 1;
    const changed = rows.flatMap((r) => {
      const terms = buildSearchTerms({ ...memberFieldsOf(r), companyId, status: r.status }, company.code);
      return terms === r.search_terms ? [] : [{ pk: r.pk, was: r.search_terms, terms }];
    });
    const last = rows.at(-1)?.pk;
    const finished = rows.length < REINDEX_CHUNK;

    // Only over tokens as they were read (a member written meanwhile is the writer's to get right),
    // and the cursor moves only if nobody restarted the rebuild meanwhile (the code changed again, or
    // a writer used a code no longer the company's): every restart raises the epoch.
    const writes = [
      ...(changed.length
        ? [
            query<{ pk: number }>(sql`
              UPDATE members SET search_terms = json_extract(j.value, '$.terms')
              FROM json_each(${JSON.stringify(changed)}) j
              WHERE members.pk = json_extract(j.value, '$.pk') AND +members.company_id = ${companyId}
                AND members.search_terms = json_extract(j.value, '$.was')
              RETURNING members.pk`),
          ]
        : []),
      query<never>(sql`
        UPDATE companies SET search_reindex_after_pk = ${finished ? null : (last ?? after)}
        WHERE id = ${companyId} AND search_reindex_after_pk = ${after} AND search_reindex_epoch = ${company.epoch}`),
    ];
    const results = await batch(db, writes);
    progress.queries += writes.length;
    if (changed.length) progress.updated += (results[0] as { pk: number }[]).length;
    if (finished) return { ...progress, done: true };
  }
  return progress;
}
