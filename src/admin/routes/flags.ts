import { createRoute, z } from "@hono/zod-openapi";
import { listFlags, type FlagRow } from "../../loyalty/flags/flags";
import { flagKinds } from "../../storage/schema";
import { adminRouter, bearerSecurity } from "../app";
import { FlagListQuery as FlagQuery, listWindow } from "../inputs/lists";
import { errorResponses } from "../schemas";

// Suspicious activity: the flags of the company's members, newest first.

const Flag = z
  .object({
    id: z.string().openapi({ example: "flg_3f9a0c1d2e4b5a6c7d8e" }),
    member_id: z.string(),
    member_name: z.string().openapi({ example: "John Smith" }),
    kind: z.enum(flagKinds).openapi({
      description:
        "many_transactions: more loyalty transactions in a UTC day than flag_transactions_per_day; limit_refused: redemptions refused by a limit; " +
        "large_adjustment: adjustments over large_adjustment_points; reversed_orders: more than two orders that earned were reversed within 30 days",
    }),
    day: z.string().openapi({ description: "The UTC day it happened", example: "2026-12-02" }),
    count: z.number().int().openapi({ description: "How many that day (transactions, refusals, adjustments, or orders reversed in the 30 days)" }),
    detail: z.string().openapi({ example: "8 loyalty transactions in the day" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ActivityFlag");


const DAY_MS = 86_400_000;

function flagJson(row: FlagRow): z.output<typeof Flag> {
  return {
    id: row.id,
    member_id: row.member_id,
    member_name: [row.first_name, row.last_name].filter(Boolean).join(" "),
    kind: row.kind,
    day: new Date(row.day * DAY_MS).toISOString().slice(0, 10),
    count: row.count,
    detail: row.detail,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

export const flagRoutes = adminRouter().openapi(
  createRoute({
    method: "get",
    path: "/activity/flags",
    tags: ["Activity"],
    summary: "Suspicious activity, newest first",
    description:
      "Refusals by a limit and large adjustments are listed as they happen; the rest by the daily job, once the UTC day is over. " +
      "`from` and `to` bound the UTC day the activity happened on.",
    security: bearerSecurity,
    request: { query: FlagQuery },
    responses: {
      200: {
        description: "A page of flags",
        content: { "application/json": { schema: z.object({ data: z.array(Flag), next_cursor: z.string().nullable() }).openapi("ActivityFlagPage") } },
      },
      ...errorResponses(400),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const page = await listFlags(c.get("services").db, { companyId: c.get("companyId"), kind: q.kind, memberId: q.member_id, window: listWindow(q) });
    return c.json({ data: page.data.map(flagJson), next_cursor: page.next_cursor }, 200);
  },
);
