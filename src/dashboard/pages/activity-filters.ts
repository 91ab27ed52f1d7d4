import {
  adminErrorFields,
  fieldErrors,
  FORM_ERROR,
  formBody,
  ListQuery,
  listWindow,
  RedemptionListQuery,
  redemptionWindow,
} from "../../admin/inputs";
import { AdminError } from "../../admin/errors";
import type { ListWindow } from "../../loyalty/listing";
import type { RedemptionStatus } from "../../storage/schema";

// The Activity page's filters (from, to, status) and cursors, read with the admin API's own list
// queries (ListQuery, RedemptionListQuery) and windows (listWindow, redemptionWindow): the same
// dates mean the same rows in the API, on the page and in the downloads.

export interface ActivityQuery {
  /** What the filter form shows again: from, to, status as typed. */
  values: Record<string, string>;
  /** A message per filter field ("_form" for a page link that no longer works). */
  errors: Record<string, string>;
  redemptions: (ListWindow & { status: RedemptionStatus | undefined }) | null;
  ledger: ListWindow | null;
}

const FILTER_FIELDS = { from: "optionalString", to: "optionalString", status: "optionalString" } as const;

const EXPIRED_LINK = "This page link no longer works: the lists start again from the newest.";

/** The cursor's own message is about the API; on a page it is a link to start again from. */
function pageErrors(errors: Record<string, string>): Record<string, string> {
  const { cursor, limit, ...rest } = errors;
  if (cursor !== undefined || limit !== undefined) rest[FORM_ERROR] ??= EXPIRED_LINK;
  return rest;
}

/** The window of a valid query, or the messages of the mapping that refused it (`to` before `from`, a cursor never given out). */
function windowOf<W>(make: () => W): { window: W; errors: null } | { window: null; errors: Record<string, string> } {
  try {
    return { window: make(), errors: null };
  } catch (err) {
    if (err instanceof AdminError) return { window: null, errors: pageErrors(adminErrorFields(err)) };
    throw err;
  }
}

/**
 * The filters of `query` (the page's address) and the window of each list: `limit` rows, from the
 * cursor given for it (rcursor: redemptions, lcursor: the ledger). Any error: no window at all.
 */
export function readActivityQuery(query: Record<string, string>, limit: number): ActivityQuery {
  const filters = formBody(query, FILTER_FIELDS);
  const values: Record<string, string> = {};
  for (const name of Object.keys(FILTER_FIELDS)) if (typeof query[name] === "string") values[name] = query[name];
  const cursor = (name: string) => query[name] || undefined;
  const refused = (errors: Record<string, string>): ActivityQuery => ({ values, errors, redemptions: null, ledger: null });

  // The ledger has no status: the same dates, its own cursor.
  const { status: _status, ...dates } = filters;
  const r = RedemptionListQuery.safeParse({ ...filters, limit, cursor: cursor("rcursor") });
  const l = ListQuery.safeParse({ ...dates, limit, cursor: cursor("lcursor") });
  if (!r.success || !l.success) {
    return refused({ ...(l.success ? {} : pageErrors(fieldErrors(l.error.issues))), ...(r.success ? {} : pageErrors(fieldErrors(r.error.issues))) });
  }
  const redemptions = windowOf(() => redemptionWindow(r.data));
  const ledger = windowOf(() => listWindow(l.data));
  if (!redemptions.window || !ledger.window) return refused({ ...ledger.errors, ...redemptions.errors });
  return { values, errors: {}, redemptions: redemptions.window, ledger: ledger.window };
}

/** The address of the page (or a download) with these filters and cursors; empty ones left out. */
export function activityHref(path: string, params: Record<string, string | null | undefined>, hash = ""): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
  const text = qs.toString();
  return `${path}${text ? `?${text}` : ""}${hash}`;
}
