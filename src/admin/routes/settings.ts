import { createRoute, z } from "@hono/zod-openapi";
import { getSettings, updateSettings } from "../../loyalty/settings";
import type { Company } from "../../storage/schema";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { ProgrammeSettingsPatch, settingsPatch } from "../inputs/settings";
import { errorResponses, json, type BodyExample } from "../schemas";

// The programme settings: what the POS shows, how points are earned and expire, what rewards use.

const Settings = z
  .object({
    points_label: z.string().openapi({ example: "Points" }),
    intro_text: z.string().nullable().openapi({ example: "Every 10th coffee on us" }),
    currency: z.string().openapi({ example: "AUD" }),
    expiry_months: z.number().int().nullable().openapi({ description: "null: points never expire" }),
    auto_enrol: z.boolean(),
    self_enrol: z.boolean().openapi({ description: "Customers may join themselves at /join/<company id>" }),
    join_terms: z.string().nullable().openapi({ description: "null: a plain sentence naming the programme", example: "I agree to the Demo Café loyalty terms at democafe.example/terms" }),
    phone_country_code: z.string().nullable().openapi({ example: "61" }),
    reward_product_id: z.string().nullable(),
    loyalty_payment_method_id: z.string().nullable(),
    point_value_cents: z.number().int(),
    points_per_currency_unit: z.number(),
    minimum_spend_cents: z.number().int(),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ProgrammeSettings");

function settingsJson(row: Company): z.output<typeof Settings> {
  return {
    points_label: row.pointsLabel,
    intro_text: row.introText,
    currency: row.currency,
    expiry_months: row.expiryMonths,
    auto_enrol: row.autoEnrol,
    self_enrol: row.selfEnrol,
    join_terms: row.joinTerms,
    phone_country_code: row.phoneCountryCode,
    reward_product_id: row.rewardProductId,
    loyalty_payment_method_id: row.loyaltyPaymentMethodId,
    point_value_cents: row.pointValueCents,
    points_per_currency_unit: row.pointsPerCurrencyUnit,
    minimum_spend_cents: row.minimumSpendCents,
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

// Request examples (each one is sent to the Worker by test/docs.test.ts).

const settingsPatchExamples: Record<string, BodyExample> = {
  earning: {
    summary: "Earning: 1 point per dollar on sales of $5 or more, points expiring 12 months after they are earned",
    value: { points_per_currency_unit: 1, minimum_spend_cents: 500, expiry_months: 12 },
  },
  pos: { summary: "What the POS shows", value: { points_label: "Beans", intro_text: "Every 10th coffee on us" } },
  joining: {
    summary: "Customers join themselves from the poster's QR code, agreeing to the café's own terms",
    value: { self_enrol: true, join_terms: "I agree to the Demo Café loyalty terms at democafe.example/terms" },
  },
  payment: {
    summary: "The Kounta product and payment method the rewards use",
    value: { reward_product_id: "9001", loyalty_payment_method_id: "5001", point_value_cents: 1 },
  },
};

export const settingsRoutes = adminRouter()
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
      return c.json(settingsJson(settings), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/settings",
      tags: ["Programme"],
      summary: "Change programme settings (the POS shows a new points label or intro text on its next lookup)",
      security: bearerSecurity,
      request: { body: json(ProgrammeSettingsPatch, settingsPatchExamples) },
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
        patch: settingsPatch(body),
      });
      if (!settings) throw new AdminError("not_found", "This company has no programme");
      return c.json(settingsJson(settings), 200);
    },
  );
