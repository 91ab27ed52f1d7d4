import { createRoute, z } from "@hono/zod-openapi";
import { getLimits, updateLimits, type Limits as LimitsRow } from "../../loyalty/limits";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { LimitsPatch, limitsPatch } from "../inputs/limits";
import { errorResponses, json } from "../schemas";

// Limits: what redemptions may not exceed, which adjustments need a manager, the manager code and
// when a member's activity is flagged. Only a manager's key may change them.

const Limits = z
  .object({
    max_redemptions_per_member_day: z.number().int().nullable(),
    max_redemptions_per_order: z.number().int().nullable(),
    max_points_per_member_day: z.number().int().nullable(),
    large_adjustment_points: z.number().int().nullable(),
    flag_transactions_per_day: z.number().int(),
    manager_code_set: z.boolean().openapi({ description: "Whether a manager code is set (the code itself is never shown)" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Limits");

function limitsJson(l: LimitsRow): z.output<typeof Limits> {
  return {
    max_redemptions_per_member_day: l.maxRedemptionsPerMemberDay,
    max_redemptions_per_order: l.maxRedemptionsPerOrder,
    max_points_per_member_day: l.maxPointsPerMemberDay,
    large_adjustment_points: l.largeAdjustmentPoints,
    flag_transactions_per_day: l.flagTransactionsPerDay,
    manager_code_set: l.managerCodeSet,
    updated_at: new Date(l.updatedAt).toISOString(),
  };
}

export const limitRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/limits",
      tags: ["Programme"],
      summary: "Read the limits",
      security: bearerSecurity,
      responses: { 200: { description: "The limits", content: { "application/json": { schema: Limits } } }, ...errorResponses() },
    }),
    async (c) => {
      const limits = await getLimits(c.get("services").db, c.get("companyId"));
      if (!limits) throw new AdminError("not_found", "This company has no programme");
      return c.json(limitsJson(limits), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/limits",
      tags: ["Programme"],
      summary: "Change limits (a manager's key only)",
      description: "Redemptions past a limit are refused at the till with a sentence the cashier reads, and listed in the activity flags.",
      security: bearerSecurity,
      request: {
        body: json(LimitsPatch, {
          redemptions: {
            summary: "Two rewards a day per member, one per order, at most 2,000 points a day",
            value: { max_redemptions_per_member_day: 2, max_redemptions_per_order: 1, max_points_per_member_day: 2000 },
          },
          manager: { summary: "Adjustments over 500 points need a manager", value: { large_adjustment_points: 500, manager_code: "482913" } },
        }),
      },
      responses: { 200: { description: "The limits now", content: { "application/json": { schema: Limits } } }, ...errorResponses(400, 403) },
    }),
    async (c) => {
      if (!c.get("apiKeyManager")) throw new AdminError("forbidden", "Only a manager's API key may change the limits");
      const limits = await updateLimits(c.get("services").db, c.get("companyId"), limitsPatch(c.req.valid("json")));
      if (!limits) throw new AdminError("not_found", "This company has no programme");
      return c.json(limitsJson(limits), 200);
    },
  );
