import { z } from "@hono/zod-openapi";
import type { NewEarningRule as NewEarningRuleInput } from "../../loyalty/earning/earning-rules";
import { kountaId, unknownFields } from "../schemas";

// A new earning rule: POST /earning-rules.

const multiplier = z.number().gt(0).lte(100).openapi({ description: "Points earned on it are multiplied by this", example: 2 });

function newRuleOf<K extends string, S extends z.ZodRawShape>(kind: K, article: string, shape: S) {
  return z.strictObject(
    { kind: z.literal(kind), ...shape },
    unknownFields((keys) => `${keys.join(", ")}: Not a field of ${article} rule`),
  );
}

export const NewEarningRule = z
  .discriminatedUnion("kind", [
    newRuleOf("product_multiplier", "a product_multiplier", { target_id: kountaId("product"), multiplier }),
    newRuleOf("category_multiplier", "a category_multiplier", { target_id: kountaId("category"), multiplier }),
    newRuleOf("excluded_payment_method", "an excluded_payment_method", { target_id: kountaId("payment method") }),
  ])
  .openapi("NewEarningRule");

export type NewEarningRuleBody = z.infer<typeof NewEarningRule>;

/** What createEarningRule takes for a valid body (an excluded payment method has no multiplier). */
export function newEarningRuleInput(body: NewEarningRuleBody, companyId: string): NewEarningRuleInput {
  return body.kind === "excluded_payment_method"
    ? { companyId, kind: body.kind, targetId: body.target_id }
    : { companyId, kind: body.kind, targetId: body.target_id, multiplier: body.multiplier };
}
