import { z } from "@hono/zod-openapi";
import {
  rewardKindArticle,
  type NewReward as NewRewardInput,
  type RewardChange,
  type RewardPatch as RewardPatchInput,
  type RewardSettings,
} from "../../loyalty/rewards/reward-admin";
import type { Reward as RewardRow, RewardKind } from "../../storage/schema";
import { AdminError } from "../errors";
import { atLeastOneField, kountaId, unknownFields } from "../schemas";

// A reward's fields: POST /rewards, PATCH /rewards/{id}, PUT /rewards/order.

const title = z.string().trim().min(1).max(100).openapi({ example: "Free coffee" });
const terms = z.string().trim().max(500).nullable().openapi({ example: "Any regular hot drink" });
const pointsRequired = z
  .number()
  .int()
  .min(1)
  .openapi({ description: "For a variable-quantity reward: the most points one redemption may spend", example: 500 });
const actionLabel = z.string().trim().min(1).max(30).nullable().openapi({ description: 'The button\'s caption; null shows "Redeem"' });
const amountCents = z.number().int().gt(0).openapi({ description: "amount_off: cents taken off the order", example: 500 });
const percent = z
  .number()
  .gt(0)
  .lte(100)
  .multipleOf(0.01)
  .openapi({ description: "percent_off: the percentage taken off every line", example: 20 });
const minTierId = z.string().min(1).max(64).nullable().openapi({
  description: "Only members of this tier (GET /tiers) and above may redeem it; null: every member",
  example: null,
});
const productId = kountaId("product").openapi({ description: "free_product: the Kounta product given away" });

/** Each field alone (NewReward and RewardPatch are made of them). */
export const rewardFields = { title, terms, pointsRequired, actionLabel, minTierId, amountCents, percent, productId };

function newRewardOf<K extends RewardKind, S extends z.ZodRawShape>(kind: K, settings: S) {
  return z.strictObject(
    {
      kind: z.literal(kind),
      title,
      terms: terms.optional(),
      points_required: pointsRequired,
      action_label: actionLabel.optional(),
      min_tier_id: minTierId.optional(),
      ...settings,
    },
    unknownFields((keys) => `${keys.join(", ")}: Not a field of ${rewardKindArticle[kind]}`),
  );
}

const fixedQuantity = z.literal(false, { error: "Only a points_payment reward has a variable quantity" }).optional();

export const NewReward = z
  .discriminatedUnion("kind", [
    newRewardOf("amount_off", { amount_cents: amountCents, variable_quantity: fixedQuantity }),
    newRewardOf("percent_off", { percent, variable_quantity: fixedQuantity }),
    newRewardOf("free_product", { product_id: productId, variable_quantity: fixedQuantity }),
    newRewardOf("points_payment", {
      variable_quantity: z.literal(true, { error: "A points_payment reward always has a variable quantity" }).optional(),
    }),
  ])
  .openapi("NewReward");

export type NewRewardBody = z.infer<typeof NewReward>;

export const RewardPatch = z
  .strictObject(
    {
      title: title.optional(),
      terms: terms.optional(),
      points_required: pointsRequired.optional(),
      action_label: actionLabel.optional(),
      min_tier_id: minTierId.optional(),
      active: z.boolean().optional(),
      amount_cents: amountCents.optional(),
      percent: percent.optional(),
      product_id: productId.optional(),
    },
    unknownFields((keys) =>
      keys.includes("kind")
        ? "kind: A reward's kind cannot change: create a new reward and deactivate this one"
        : `${keys.join(", ")}: Not a field that can be changed`,
    ),
  )
  .refine(...atLeastOneField)
  .openapi("RewardPatch", { description: "Only the settings of the reward's own kind may be given" });

export type RewardPatchBody = z.infer<typeof RewardPatch>;

/** The display order: these rewards first, in this order. */
export const RewardOrder = z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(1000) });

export type RewardOrderBody = z.infer<typeof RewardOrder>;

/** The settings of the new reward's own kind. */
export function rewardSettings(body: NewRewardBody): RewardSettings {
  switch (body.kind) {
    case "amount_off":
      return { kind: body.kind, amountCents: body.amount_cents };
    case "percent_off":
      return { kind: body.kind, percent: body.percent };
    case "free_product":
      return { kind: body.kind, productId: body.product_id };
    case "points_payment":
      return { kind: body.kind };
  }
}

/** What createReward takes for a valid new reward. */
export function newRewardInput(body: NewRewardBody, companyId: string): NewRewardInput {
  return {
    companyId,
    title: body.title,
    terms: body.terms,
    pointsRequired: body.points_required,
    actionLabel: body.action_label,
    minTierId: body.min_tier_id,
    settings: rewardSettings(body),
  };
}

/** What updateReward takes as `patch` for a valid patch (the fields not sent stay undefined). */
export function rewardPatch(body: RewardPatchBody): RewardPatchInput {
  return {
    title: body.title,
    terms: body.terms,
    pointsRequired: body.points_required,
    actionLabel: body.action_label,
    minTierId: body.min_tier_id,
    active: body.active,
    amountCents: body.amount_cents,
    percent: body.percent,
    productId: body.product_id,
  };
}

/**
 * The reward a change left, or its refusal as an AdminError: not_found, or invalid_request with the
 * domain's message (a setting of another kind: "percent: Not a field of a free_product reward"...).
 */
export function changedReward(result: RewardChange): RewardRow {
  if (!result.ok) throw new AdminError(result.error === "not_found" ? "not_found" : "invalid_request", result.message);
  return result.reward;
}
