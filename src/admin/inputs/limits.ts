import { z } from "@hono/zod-openapi";
import type { LimitsPatch as LimitsPatchInput } from "../../loyalty/limits";
import { atLeastOneField, unknownFields } from "../schemas";

// The limits a manager sets: PATCH /limits.

const optionalLimit = (description: string, most: number) =>
  z.number().int().min(1).max(most).nullable().optional().openapi({ description: `${description}; null: no limit` });

export const LimitsPatch = z
  .strictObject(
    {
      max_redemptions_per_member_day: optionalLimit("Redemptions one member may make in a UTC day", 1000),
      max_redemptions_per_order: optionalLimit("Redemptions one order may take", 100),
      max_points_per_member_day: optionalLimit("Points one member may redeem in a UTC day", 1_000_000_000),
      large_adjustment_points: optionalLimit(
        "A manual adjustment of more points than this (either way) needs a manager's key or a dashboard session in manager mode, and is flagged",
        1_000_000_000,
      ),
      flag_transactions_per_day: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .optional()
        .openapi({ description: "A member with more loyalty transactions (earnings and redemptions) than this in a UTC day is flagged. Default 5" }),
      manager_code: z
        .string()
        .regex(/^\d{4,12}$/, { error: "Must be 4 to 12 digits" })
        .nullable()
        .optional()
        .openapi({ description: "The code that puts a dashboard session in manager mode (kept only as a hash); null removes it", example: "482913" }),
    },
    unknownFields((keys) => `${keys.join(", ")}: Not a limit`),
  )
  .refine(...atLeastOneField)
  .openapi("LimitsPatch");

export type LimitsPatchBody = z.infer<typeof LimitsPatch>;

export function limitsPatch(body: LimitsPatchBody): LimitsPatchInput {
  return {
    maxRedemptionsPerMemberDay: body.max_redemptions_per_member_day,
    maxRedemptionsPerOrder: body.max_redemptions_per_order,
    maxPointsPerMemberDay: body.max_points_per_member_day,
    largeAdjustmentPoints: body.large_adjustment_points,
    flagTransactionsPerDay: body.flag_transactions_per_day,
    managerCode: body.manager_code,
  };
}
