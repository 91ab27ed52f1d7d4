import type { Logger } from "../../lib/logger";
import type { Database } from "../../storage/db";
import { invalidateMemberCards, type LoyaltyCache } from "../cache";
import { csvObjects } from "./csv";
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, importMembers, type ImportReport, type ImportRow } from "./member-import";

// What every caller of the member import does around importMembers (the admin API's POST
// /members/import and the dashboard's Import page): reading a CSV into rows, and after the import,
// dropping the POS cards of the members it changed.

// Import changes drop the changed members' POS cards one by one, up to this many (a Worker may make
// about 1,000 KV calls); beyond it, the company's cards generation goes up instead.
export const MAX_CARD_DROPS = 900;

/** A CSV with more than IMPORT_MAX_ROWS rows after its header. */
export class ImportTooBigError extends Error {}

/**
 * The rows of an import CSV: a header naming some of IMPORT_COLUMNS, then a member per row. A row
 * with a different number of fields than the header is kept as unreadable, so only that row is
 * rejected. Throws CsvError (./csv.ts) for a file that cannot be read at all, ImportTooBigError
 * beyond IMPORT_MAX_ROWS rows.
 */
export function csvImportRows(text: string): ImportRow[] {
  const parsed = csvObjects(text, IMPORT_COLUMNS);
  if (parsed.rows.length > IMPORT_MAX_ROWS) throw new ImportTooBigError(`more than ${IMPORT_MAX_ROWS} rows`);
  return parsed.rows.map((row) =>
    "fieldCount" in row ? { unreadable: `has ${row.fieldCount} fields, the header has ${parsed.header.length}` } : { values: row },
  );
}

/** importMembers, then the POS cards of the members it changed are dropped (ImportConflictError passes through). */
export async function runMemberImport(
  deps: { db: Database; cache: LoyaltyCache; logger: Logger },
  companyId: string,
  rows: ImportRow[],
): Promise<ImportReport> {
  const { db, cache, logger } = deps;
  const result = await importMembers(db, companyId, rows);
  const changed = result.changedMemberIds;
  if (changed.length > MAX_CARD_DROPS) {
    // More than one request may drop card by card: every card of the company goes at once.
    logger.info("import changed many members: all member cards invalidated", { changed: changed.length });
    await invalidateMemberCards(db, cache, companyId);
  } else {
    await Promise.all(changed.map((id) => cache.deleteMemberCard(companyId, id)));
  }
  return result.report;
}
