import { createRoute, z } from "@hono/zod-openapi";
import { createEarningRule, deleteEarningRule, listEarningRules } from "../../loyalty/earning-rules";
import {
  createReward,
  deactivateReward,
  getReward,
  listRewards,
  reorderRewards,
  rewardKindArticle,
  updateReward,
  type RewardChange,
  type RewardSettings,
} from "../../loyalty/reward-admin";
import { getSettings, updateSettings } from "../../loyalty/settings";
import { rewardKinds, type RewardKind } from "../../storage/schema";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { errorResponses } from "../schemas";

// The programme: rewards, programme settings, earning rules.

const kountaId = (what: string) =>
  z.string().regex(/^\d{1,20}$/, { error: `Must be a Kounta ${what} id (digits)` }).openapi({ example: "9001" });

/** Refuses fields a body does not have, naming them like any other "path: message" line. */
const unknownFields = (message: (keys: string[]) => string) => ({
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" && issue.keys ? message(issue.keys) : undefined,
});

const atLeastOneField = [(body: object) => Object.keys(body).length > 0, { error: "Send at least one field to change" }] as const;

const PathId = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } }) });

// Rewards

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
const productId = kountaId("product").openapi({ description: "free_product: the Kounta product given away" });

function newRewardOf<K extends RewardKind, S extends z.ZodRawShape>(kind: K, settings: S) {
  return z.strictObject(
    {
      kind: z.literal(kind),
      title,
      terms: terms.optional(),
      points_required: pointsRequired,
      action_label: actionLabel.optional(),
      ...settings,
    },
    unknownFields((keys) => `${keys.join(", ")}: Not a field of ${rewardKindArticle[kind]}`),
  );
}

const fixedQuantity = z.literal(false, { error: "Only a points_payment reward has a variable quantity" }).optional();

const NewReward = z
  .discriminatedUnion("kind", [
    newRewardOf("amount_off", { amount_cents: amountCents, variable_quantity: fixedQuantity }),
    newRewardOf("percent_off", { percent, variable_quantity: fixedQuantity }),
    newRewardOf("free_product", { product_id: productId, variable_quantity: fixedQuantity }),
    newRewardOf("points_payment", {
      variable_quantity: z.literal(true, { error: "A points_payment reward always has a variable quantity" }).optional(),
    }),
  ])
  .openapi("NewReward");

const RewardPatch = z
  .strictObject(
    {
      title: title.optional(),
      terms: terms.optional(),
      points_required: pointsRequired.optional(),
      action_label: actionLabel.optional(),
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

const Reward = z
  .object({
    id: z.string().openapi({ example: "rwd_5k2x9q0c1vd8hm3t" }),
    title: z.string(),
    terms: z.string().nullable(),
    kind: z.enum(rewardKinds),
    points_required: z.number().int(),
    variable_quantity: z.boolean().openapi({ description: "true for points_payment only" }),
    action_label: z.string().nullable(),
    amount_cents: z.number().int().optional().openapi({ description: "amount_off only" }),
    percent: z.number().optional().openapi({ description: "percent_off only" }),
    product_id: z.string().optional().openapi({ description: "free_product only" }),
    active: z.boolean(),
    sort_order: z.number().int(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Reward");

const RewardList = z.object({ data: z.array(Reward) });

function settingsOf(body: z.infer<typeof NewReward>): RewardSettings {
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

function changed(result: RewardChange) {
  if (!result.ok) throw new AdminError(result.error === "not_found" ? "not_found" : "invalid_request", result.message);
  return result.reward;
}

const rewardResponse = (description: string) => ({ description, content: { "application/json": { schema: Reward } } });

// Programme settings

const Settings = z
  .object({
    points_label: z.string().openapi({ example: "Points" }),
    intro_text: z.string().nullable().openapi({ example: "Every 10th coffee on us" }),
    currency: z.string().openapi({ example: "AUD" }),
    expiry_months: z.number().int().nullable().openapi({ description: "null: points never expire" }),
    auto_enrol: z.boolean(),
    phone_country_code: z.string().nullable().openapi({ example: "61" }),
    reward_product_id: z.string().nullable(),
    loyalty_payment_method_id: z.string().nullable(),
    point_value_cents: z.number().int(),
    points_per_currency_unit: z.number(),
    minimum_spend_cents: z.number().int(),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ProgrammeSettings");

const SettingsPatch = z
  .strictObject(
    {
      points_label: z.string().trim().min(1).max(30).optional().openapi({ description: "Shown by the POS under every balance" }),
      intro_text: z.string().trim().max(200).nullable().optional().openapi({ description: "Shown by the POS above the rewards" }),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, { error: "Must be an ISO 4217 code of three capital letters, such as AUD" })
        .optional(),
      expiry_months: z.number().int().min(1).max(120).nullable().optional().openapi({ description: "null: points never expire" }),
      auto_enrol: z.boolean().optional().openapi({ description: "A Kounta customer with an email or phone joins on their first sale" }),
      phone_country_code: z
        .string()
        .regex(/^\d{1,4}$/, { error: "Must be 1 to 4 digits, without +" })
        .nullable()
        .optional()
        .openapi({
          description:
            "Country calling code, so local and international forms of a phone number find the same member. " +
            "A different code rebuilds every member's search tokens: the first 2,000 members before this answers, the rest within minutes (the cron).",
          example: "61",
        }),
      reward_product_id: kountaId("product")
        .nullable()
        .optional()
        .openapi({ description: "The Kounta product an amount_off reward adds as a negative-price line" }),
      loyalty_payment_method_id: kountaId("payment method")
        .nullable()
        .optional()
        .openapi({ description: "The Kounta payment method a points_payment reward pays with" }),
      point_value_cents: z.number().int().min(1).optional().openapi({ description: "What one point is worth when paying with points" }),
      points_per_currency_unit: z.number().gt(0).lte(1000).optional().openapi({ description: "Points per whole currency unit paid" }),
      minimum_spend_cents: z.number().int().min(0).optional().openapi({ description: "The least sale that earns points" }),
    },
    unknownFields((keys) => `${keys.join(", ")}: Not a programme setting`),
  )
  .refine(...atLeastOneField)
  .openapi("ProgrammeSettingsPatch");

// Earning rules

const multiplier = z.number().gt(0).lte(100).openapi({ description: "Points earned on it are multiplied by this", example: 2 });

function newRuleOf<K extends string, S extends z.ZodRawShape>(kind: K, article: string, shape: S) {
  return z.strictObject(
    { kind: z.literal(kind), ...shape },
    unknownFields((keys) => `${keys.join(", ")}: Not a field of ${article} rule`),
  );
}

const NewEarningRule = z
  .discriminatedUnion("kind", [
    newRuleOf("product_multiplier", "a product_multiplier", { target_id: kountaId("product"), multiplier }),
    newRuleOf("category_multiplier", "a category_multiplier", { target_id: kountaId("category"), multiplier }),
    newRuleOf("excluded_payment_method", "an excluded_payment_method", { target_id: kountaId("payment method") }),
  ])
  .openapi("NewEarningRule");

const EarningRule = z
  .object({
    id: z.string().openapi({ example: "ern_5k2x9q0c1vd8hm3t" }),
    kind: z.enum(["product_multiplier", "category_multiplier", "excluded_payment_method"]),
    target_id: z.string().openapi({ description: "The Kounta product, category or payment method id" }),
    multiplier: z.number().optional().openapi({ description: "The multipliers only" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("EarningRule");

/** A required JSON body, with its examples for the reference (/docs). */
type BodyExample = { summary?: string; description?: string; value: unknown };
const json = <T extends z.ZodType>(schema: T, examples: Record<string, BodyExample>) => ({
  required: true,
  content: { "application/json": { schema, examples } },
});

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

const settingsPatchExamples: Record<string, BodyExample> = {
  earning: {
    summary: "Earning: 1 point per dollar on sales of $5 or more, points expiring 12 months after they are earned",
    value: { points_per_currency_unit: 1, minimum_spend_cents: 500, expiry_months: 12 },
  },
  pos: { summary: "What the POS shows", value: { points_label: "Beans", intro_text: "Every 10th coffee on us" } },
  payment: {
    summary: "The Kounta product and payment method the rewards use",
    value: { reward_product_id: "9001", loyalty_payment_method_id: "5001", point_value_cents: 1 },
  },
};

const newEarningRuleExamples: Record<string, BodyExample> = {
  product_multiplier: { summary: "Double points on one product", value: { kind: "product_multiplier", target_id: "9002", multiplier: 2 } },
  category_multiplier: { summary: "1.5 times the points on a category", value: { kind: "category_multiplier", target_id: "310", multiplier: 1.5 } },
  excluded_payment_method: { summary: "No points on sales paid with a gift card", value: { kind: "excluded_payment_method", target_id: "5002" } },
};

export const programmeRoutes = adminRouter()
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
      const reward = await createReward(db, cache, {
        companyId: c.get("companyId"),
        title: body.title,
        terms: body.terms,
        pointsRequired: body.points_required,
        actionLabel: body.action_label,
        settings: settingsOf(body),
      });
      return c.json(reward, 201);
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
    async (c) => c.json({ data: await listRewards(c.get("services").db, c.get("companyId")) }, 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/rewards/order",
      tags: ["Rewards"],
      summary: "Set the display order",
      description: "The listed rewards come first, in the given order; any not listed follow in the order they had.",
      security: bearerSecurity,
      request: { body: json(z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(1000) }), rewardOrderExamples) },
      responses: {
        200: { description: "Every reward, in the new order", content: { "application/json": { schema: RewardList } } },
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const result = await reorderRewards(db, cache, { companyId: c.get("companyId"), ids: c.req.valid("json").ids });
      if (!result.ok) throw new AdminError("invalid_request", result.message);
      return c.json({ data: result.rewards }, 200);
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
      return c.json(reward, 200);
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
        patch: {
          title: body.title,
          terms: body.terms,
          pointsRequired: body.points_required,
          actionLabel: body.action_label,
          active: body.active,
          amountCents: body.amount_cents,
          percent: body.percent,
          productId: body.product_id,
        },
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
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/settings",
      tags: ["Programme"],
      summary: "Read the programme settings",
      security: bearerSecurity,
      responses: {
        200: { description: "The settings", content: { "application/json": { schema: Settings } } },
        ...errorResponses(),
      },
    }),
    async (c) => {
      const settings = await getSettings(c.get("services").db, c.get("companyId"));
      if (!settings) throw new AdminError("not_found", "This company has no programme");
      return c.json(settings, 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/settings",
      tags: ["Programme"],
      summary: "Change programme settings (the POS shows a new points label or intro text on its next lookup)",
      security: bearerSecurity,
      request: { body: json(SettingsPatch, settingsPatchExamples) },
      responses: {
        200: { description: "Every setting, as changed", content: { "application/json": { schema: Settings } } },
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const body = c.req.valid("json");
      const settings = await updateSettings(db, cache, {
        companyId: c.get("companyId"),
        patch: {
          pointsLabel: body.points_label,
          introText: body.intro_text,
          currency: body.currency,
          expiryMonths: body.expiry_months,
          autoEnrol: body.auto_enrol,
          phoneCountryCode: body.phone_country_code,
          rewardProductId: body.reward_product_id,
          loyaltyPaymentMethodId: body.loyalty_payment_method_id,
          pointValueCents: body.point_value_cents,
          pointsPerCurrencyUnit: body.points_per_currency_unit,
          minimumSpendCents: body.minimum_spend_cents,
        },
      });
      if (!settings) throw new AdminError("not_found", "This company has no programme");
      return c.json(settings, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/earning-rules",
      tags: ["Programme"],
      summary: "Add an earning rule: a product or category multiplier, or a payment method that earns nothing",
      security: bearerSecurity,
      request: { body: json(NewEarningRule, newEarningRuleExamples) },
      responses: {
        201: { description: "The new rule", content: { "application/json": { schema: EarningRule } } },
        ...errorResponses(400, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const companyId = c.get("companyId");
      const rule = await createEarningRule(
        c.get("services").db,
        body.kind === "excluded_payment_method"
          ? { companyId, kind: body.kind, targetId: body.target_id }
          : { companyId, kind: body.kind, targetId: body.target_id, multiplier: body.multiplier },
      );
      if (!rule) throw new AdminError("conflict", `This company already has a ${body.kind} rule for ${body.target_id}`);
      return c.json(rule, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/earning-rules",
      tags: ["Programme"],
      summary: "List the earning rules, oldest first",
      security: bearerSecurity,
      responses: {
        200: { description: "The rules", content: { "application/json": { schema: z.object({ data: z.array(EarningRule) }) } } },
        ...errorResponses(),
      },
    }),
    async (c) => c.json({ data: await listEarningRules(c.get("services").db, c.get("companyId")) }, 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/earning-rules/{id}",
      tags: ["Programme"],
      summary: "Remove an earning rule",
      security: bearerSecurity,
      request: { params: PathId },
      responses: {
        200: { description: "The removed rule", content: { "application/json": { schema: EarningRule } } },
        ...errorResponses(404),
      },
    }),
    async (c) => {
      const rule = await deleteEarningRule(c.get("services").db, { companyId: c.get("companyId"), id: c.req.valid("param").id });
      if (!rule) throw new AdminError("not_found", "This company has no earning rule with that id");
      return c.json(rule, 200);
    },
  );
