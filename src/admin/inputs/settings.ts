import { z } from "@hono/zod-openapi";
import type { SettingsPatch } from "../../loyalty/settings";
import { atLeastOneField, kountaId, unknownFields } from "../schemas";

// The programme settings a merchant changes: PATCH /settings.

export const ProgrammeSettingsPatch = z
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
      self_enrol: z.boolean().optional().openapi({ description: "Customers may join themselves at /join/<company id> (the poster's QR code)" }),
      join_terms: z
        .string()
        .trim()
        .max(1000)
        .nullable()
        .optional()
        .openapi({ description: "What a customer agrees to when joining there; null or empty: a plain sentence naming the programme" }),
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

export type ProgrammeSettingsPatchBody = z.infer<typeof ProgrammeSettingsPatch>;

/** What updateSettings takes as `patch` for a valid body (the settings not sent stay undefined). */
export function settingsPatch(body: ProgrammeSettingsPatchBody): SettingsPatch {
  return {
    pointsLabel: body.points_label,
    introText: body.intro_text,
    currency: body.currency,
    expiryMonths: body.expiry_months,
    autoEnrol: body.auto_enrol,
    selfEnrol: body.self_enrol,
    joinTerms: body.join_terms,
    phoneCountryCode: body.phone_country_code,
    rewardProductId: body.reward_product_id,
    loyaltyPaymentMethodId: body.loyalty_payment_method_id,
    pointValueCents: body.point_value_cents,
    pointsPerCurrencyUnit: body.points_per_currency_unit,
    minimumSpendCents: body.minimum_spend_cents,
  };
}
