import { createRoute, z } from "@hono/zod-openapi";
import { createEarningRule, deleteEarningRule, listEarningRules, type EarningRule as EarningRuleRow } from "../../loyalty/earning/earning-rules";
import { earningRuleKinds } from "../../storage/schema";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { NewEarningRule, newEarningRuleInput } from "../inputs/earning-rules";
import { errorResponses, json, PathId, type BodyExample } from "../schemas";

// Earning rules: a product or category earning a multiple, or a payment method earning nothing.

const EarningRule = z
  .object({
    id: z.string().openapi({ example: "ern_5k2x9q0c1vd8hm3t" }),
    kind: z.enum(earningRuleKinds),
    target_id: z.string().openapi({ description: "The Kounta product, category or payment method id" }),
    multiplier: z.number().optional().openapi({ description: "The multipliers only" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("EarningRule");

function earningRuleJson(row: EarningRuleRow): z.output<typeof EarningRule> {
  return {
    id: row.id,
    kind: row.kind,
    target_id: row.targetId,
    ...(row.kind === "excluded_payment_method" ? {} : { multiplier: row.multiplier ?? 1 }),
    created_at: new Date(row.createdAt).toISOString(),
  };
}

// Request examples (each one is sent to the Worker by test/docs.test.ts).

const newEarningRuleExamples: Record<string, BodyExample> = {
  product_multiplier: { summary: "Double points on one product", value: { kind: "product_multiplier", target_id: "9002", multiplier: 2 } },
  category_multiplier: { summary: "1.5 times the points on a category", value: { kind: "category_multiplier", target_id: "310", multiplier: 1.5 } },
  excluded_payment_method: { summary: "No points on sales paid with a gift card", value: { kind: "excluded_payment_method", target_id: "5002" } },
};

export const earningRuleRoutes = adminRouter()
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
      const rule = await createEarningRule(c.get("services").db, newEarningRuleInput(body, c.get("companyId")));
      if (!rule) throw new AdminError("conflict", `This company already has a ${body.kind} rule for ${body.target_id}`);
      return c.json(earningRuleJson(rule), 201);
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
    async (c) => c.json({ data: (await listEarningRules(c.get("services").db, c.get("companyId"))).map(earningRuleJson) }, 200),
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
      return c.json(earningRuleJson(rule), 200);
    },
  );
