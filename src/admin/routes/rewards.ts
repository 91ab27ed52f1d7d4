import { createRoute } from "@hono/zod-openapi";
import {
  createReward,
  deactivateReward,
  getReward,
  listRewards,
  reorderRewards,
  updateReward,
  type RewardChange,
} from "../../loyalty/rewards/reward-admin";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { changedReward, newRewardInput, NewReward, RewardOrder, RewardPatch, rewardPatch } from "../inputs/rewards";
import { errorResponses, json, PathId, type BodyExample } from "../schemas";
import { rewardJson, rewardResponse, RewardList } from "./reward-json";

// Rewards: what members can redeem, of four kinds; create, list, order, read, change, deactivate.

function changed(result: RewardChange) {
  return rewardJson(changedReward(result));
}

// Request examples (each one is sent to the Worker by test/docs.test.ts).

const newRewardExamples: Record<string, BodyExample> = {
  free_product: {
    summary: "A free product (the POS adds it at no charge)",
    value: { kind: "free_product", title: "Free coffee", terms: "Any regular hot drink", points_required: 500, product_id: "9001" },
  },
  amount_off: {
    summary: "An amount off the order (redeeming it uses the reward_product_id setting)",
    value: { kind: "amount_off", title: "$5 off", points_required: 400, amount_cents: 500, action_label: "Take $5 off" },
  },
  percent_off: {
    summary: "A percentage off every line",
    value: { kind: "percent_off", title: "20% off your order", terms: "Not with other offers", points_required: 1000, percent: 20 },
  },
  points_payment: {
    summary: "Pay with points (redeeming it uses the loyalty_payment_method_id setting)",
    value: { kind: "points_payment", title: "Pay with points", points_required: 2000, variable_quantity: true },
  },
};

const rewardPatchExamples: Record<string, BodyExample> = {
  change: { summary: "A new title and price in points", value: { title: "Free large coffee", points_required: 600 } },
  terms: { summary: "Clear the terms and bring a deactivated reward back", value: { terms: null, active: true } },
};

const rewardOrderExamples: Record<string, BodyExample> = {
  order: {
    summary: "These two first (the others follow in the order they had)",
    value: { ids: ["rwd_7h3m9x2k4q8w1c5v", "rwd_2b6n8r4t0y1u3i5o"] },
  },
};

export const rewardRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/rewards",
      tags: ["Rewards"],
      summary: "Create a reward (it goes last in the display order)",
      security: bearerSecurity,
      request: { body: json(NewReward, newRewardExamples) },
      responses: { 201: rewardResponse("The new reward"), ...errorResponses(400) },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const body = c.req.valid("json");
      const reward = changedReward(await createReward(db, cache, newRewardInput(body, c.get("companyId"))));
      return c.json(rewardJson(reward), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/rewards",
      tags: ["Rewards"],
      summary: "List every reward, active and inactive, in display order",
      security: bearerSecurity,
      responses: {
        200: { description: "The rewards", content: { "application/json": { schema: RewardList } } },
        ...errorResponses(),
      },
    }),
    async (c) => c.json({ data: (await listRewards(c.get("services").db, c.get("companyId"))).map(rewardJson) }, 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/rewards/order",
      tags: ["Rewards"],
      summary: "Set the display order",
      description: "The listed rewards come first, in the given order; any not listed follow in the order they had.",
      security: bearerSecurity,
      request: { body: json(RewardOrder, rewardOrderExamples) },
      responses: {
        200: { description: "Every reward, in the new order", content: { "application/json": { schema: RewardList } } },
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const result = await reorderRewards(db, cache, { companyId: c.get("companyId"), ids: c.req.valid("json").ids });
      if (!result.ok) throw new AdminError("invalid_request", result.message);
      return c.json({ data: result.rewards.map(rewardJson) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/rewards/{id}",
      tags: ["Rewards"],
      summary: "Read a reward",
      security: bearerSecurity,
      request: { params: PathId },
      responses: { 200: rewardResponse("The reward"), ...errorResponses(404) },
    }),
    async (c) => {
      const reward = await getReward(c.get("services").db, c.get("companyId"), c.req.valid("param").id);
      if (!reward) throw new AdminError("not_found", "This company has no reward with that id");
      return c.json(rewardJson(reward), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/rewards/{id}",
      tags: ["Rewards"],
      summary: "Change a reward (the next POS lookup shows it)",
      security: bearerSecurity,
      request: { params: PathId, body: json(RewardPatch, rewardPatchExamples) },
      responses: { 200: rewardResponse("The changed reward"), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const body = c.req.valid("json");
      const result = await updateReward(db, cache, {
        companyId: c.get("companyId"),
        id: c.req.valid("param").id,
        patch: rewardPatch(body),
      });
      return c.json(changed(result), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/rewards/{id}/deactivate",
      tags: ["Rewards"],
      summary: "Take a reward off the POS (its history stays; PATCH active: true brings it back)",
      security: bearerSecurity,
      request: { params: PathId },
      responses: { 200: rewardResponse("The deactivated reward"), ...errorResponses(404) },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const result = await deactivateReward(db, cache, { companyId: c.get("companyId"), id: c.req.valid("param").id });
      return c.json(changed(result), 200);
    },
  );
