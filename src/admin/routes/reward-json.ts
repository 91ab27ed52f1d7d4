import { z } from "@hono/zod-openapi";
import { rewardKinds, type Reward as RewardRow } from "../../storage/schema";

// A reward as the admin API shows it: the schema (the OpenAPI document's Reward) and a row in that shape.

export const Reward = z
  .object({
    id: z.string().openapi({ example: "rwd_5k2x9q0c1vd8hm3t" }),
    title: z.string(),
    terms: z.string().nullable(),
    kind: z.enum(rewardKinds),
    points_required: z.number().int(),
    variable_quantity: z.boolean().openapi({ description: "true for points_payment only" }),
    action_label: z.string().nullable(),
    min_tier_id: z.string().nullable().openapi({ description: "Only members of this tier and above may redeem it; null: every member" }),
    amount_cents: z.number().int().optional().openapi({ description: "amount_off only" }),
    percent: z.number().optional().openapi({ description: "percent_off only" }),
    product_id: z.string().optional().openapi({ description: "free_product only" }),
    active: z.boolean(),
    sort_order: z.number().int(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Reward");

export type RewardJson = z.output<typeof Reward>;

export function rewardJson(row: RewardRow): RewardJson {
  const kindSettings: Pick<RewardJson, "amount_cents" | "percent" | "product_id"> =
    row.kind === "amount_off"
      ? { amount_cents: row.value ?? 0 }
      : row.kind === "percent_off"
        ? { percent: (row.value ?? 0) / 100 }
        : row.kind === "free_product"
          ? { product_id: row.productId ?? "" }
          : {};
  return {
    id: row.id,
    title: row.title,
    terms: row.terms,
    kind: row.kind,
    points_required: row.pointsRequired,
    variable_quantity: row.variableQuantity,
    action_label: row.actionLabel,
    min_tier_id: row.minTierId,
    ...kindSettings,
    active: row.active,
    sort_order: row.sortOrder,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

export const RewardList = z.object({ data: z.array(Reward) });

export const rewardResponse = (description: string) => ({ description, content: { "application/json": { schema: Reward } } });
