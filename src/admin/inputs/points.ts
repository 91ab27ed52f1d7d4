import { z } from "@hono/zod-openapi";
import type { PointsAdjustment } from "../../loyalty/ledger/adjust-points";

// A manual points adjustment: POST /members/{id}/adjustments.

export const Adjustment = z
  .object({
    points: z
      .number()
      .int()
      .min(-1_000_000_000)
      .max(1_000_000_000)
      .refine((n) => n !== 0, "Must not be zero")
      .openapi({ description: "Points to add; negative to take away (never below a balance of zero)", example: 250 }),
    reason: z.string().trim().min(3).max(200).openapi({ description: "Why: kept on the ledger row", example: "Coffee machine broke, sorry" }),
    counts_toward_tier: z.boolean().optional().openapi({
      description: "Count these points toward the member's tier (on the points basis), as a sale's would. Default false",
      example: false,
    }),
    idempotency_key: z.string().min(1).max(100).optional().openapi({
      description: "The same key again (for this company) answers the first adjustment and changes nothing",
      example: "ticket-4711",
    }),
  })
  .openapi("PointsAdjustment");

export type AdjustmentBody = z.infer<typeof Adjustment>;

/** What adjustPoints takes for a valid body; `actor` says who (the API writes "api_key:<key id>"). */
export function adjustmentOf(
  body: AdjustmentBody,
  on: { companyId: string; memberId: string; actor: string; manager: boolean },
): PointsAdjustment {
  return {
    manager: on.manager,
    countsTowardTier: body.counts_toward_tier ?? false,
    companyId: on.companyId,
    memberId: on.memberId,
    points: body.points,
    reason: body.reason,
    idempotencyKey: body.idempotency_key ?? null,
    actor: on.actor,
  };
}
