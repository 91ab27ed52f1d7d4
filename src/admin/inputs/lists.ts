import { z } from "@hono/zod-openapi";
import { beforeBound, decodeCursor, fromBound, isIsoDateOrDateTime, type ListWindow } from "../../loyalty/listing";
import { flagKinds, redemptionStatuses, type RedemptionStatus } from "../../storage/schema";
import { AdminError } from "../errors";

// The query of the newest-first lists (the ledger, redemptions: a member's or the company's) and
// the window it names.

const DateBound = (name: string, description: string) =>
  z
    .string()
    .refine(isIsoDateOrDateTime, "Expected an ISO date (2024-05-01) or date-time (2024-05-01T09:30:00Z)")
    .optional()
    .openapi({ param: { name, in: "query" }, description, example: "2024-05-01" });

/** from, to, limit, cursor: the query of GET /ledger and GET /members/{id}/ledger. */
export const ListQuery = z.object({
  from: DateBound("from", "Only rows at or after this time (a date starts at midnight UTC)"),
  to: DateBound("to", "Only rows at or before this time (a date includes the whole day, UTC)"),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ param: { name: "limit", in: "query" }, example: 50 }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "The next_cursor of the previous page" }),
});

export type ListQueryParams = z.infer<typeof ListQuery>;

/** ListQuery and status: the query of GET /redemptions and GET /members/{id}/redemptions. */
export const RedemptionListQuery = ListQuery.extend({
  status: z.enum(redemptionStatuses).optional().openapi({ param: { name: "status", in: "query" } }),
});

export type RedemptionListQueryParams = z.infer<typeof RedemptionListQuery>;

/** GET /activity/flags: the list window, a kind and a member (the dashboard's Flags page takes the same kinds). */
export const FlagListQuery = ListQuery.extend({
  kind: z.enum(flagKinds).optional().openapi({ param: { name: "kind", in: "query" } }),
  member_id: z.string().min(1).max(64).optional().openapi({ param: { name: "member_id", in: "query" } }),
});

export type FlagListQueryParams = z.infer<typeof FlagListQuery>;

/** The window a valid query names. AdminError (invalid_request) for `to` before `from` or a cursor we never gave out. */
export function listWindow(q: ListQueryParams): ListWindow {
  const window: ListWindow = { limit: q.limit };
  if (q.from !== undefined) window.from = fromBound(q.from);
  if (q.to !== undefined) window.before = beforeBound(q.to);
  if (window.from !== undefined && window.before !== undefined && window.before <= window.from) {
    throw new AdminError("invalid_request", "to: Must not be before from");
  }
  if (q.cursor !== undefined) {
    const after = decodeCursor(q.cursor);
    if (!after) throw new AdminError("invalid_request", "cursor: Not a cursor this API gave out");
    window.after = after;
  }
  return window;
}

/** listWindow and the status filter: what listRedemptions takes. */
export function redemptionWindow(q: RedemptionListQueryParams): ListWindow & { status: RedemptionStatus | undefined } {
  return { ...listWindow(q), status: q.status };
}
