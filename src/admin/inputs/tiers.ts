import { z } from "@hono/zod-openapi";
import { MAX_TIERS, type TierInput } from "../../loyalty/tiers/tiers";
import { unknownFields } from "../schemas";

// A company's tiers, written as a whole: PUT /tiers; and a member's manual level: PUT /members/{id}/tier.

const TierItem = z.strictObject(
  {
    id: z.string().min(1).max(64).optional().openapi({ description: "An existing tier's id, to keep it (its members and rewards stay with it); none: a new tier" }),
    name: z.string().trim().min(1).max(30).openapi({ example: "Gold" }),
    threshold: z
      .number()
      .int()
      .min(0)
      .max(1_000_000_000)
      .openapi({ description: "What the window's total must reach: points, or cents on the spend basis", example: 1000 }),
    multiplier: z
      .number()
      .min(1)
      .max(10)
      .multipleOf(0.01)
      .default(1)
      .openapi({ description: "The points a sale earns are multiplied by this, after the earning rules (rounded down). Default 1", example: 1.5 }),
  },
  unknownFields((keys) => `${keys.join(", ")}: Not a field of a tier`),
);

export const TiersPut = z
  .strictObject(
    {
      basis: z.enum(["points", "spend"]).openapi({
        description: "points: points earned on sales (less refunds; adjustments only when marked to count); spend: cents spent on sales that earned",
      }),
      window: z.enum(["rolling", "calendar_year"]).openapi({ description: "rolling: the current UTC month and window_months before it; calendar_year: this year" }),
      window_months: z.number().int().min(1).max(36).default(12).openapi({ description: "The rolling window's length in months. Default 12", example: 12 }),
      tiers: z.array(TierItem).max(MAX_TIERS).openapi({ description: `Up to ${MAX_TIERS} levels, lowest first; an empty list ends tiers` }),
    },
    unknownFields((keys) => `${keys.join(", ")}: Not a tiers setting`),
  )
  .superRefine((body, ctx) => {
    body.tiers.forEach((tier, i) => {
      const before = body.tiers[i - 1];
      if (before && tier.threshold <= before.threshold) {
        ctx.addIssue({ code: "custom", path: ["tiers", i, "threshold"], message: "Must be more than the tier before's" });
      }
      if (body.tiers.findIndex((t) => t.name.toLowerCase() === tier.name.toLowerCase()) < i) {
        ctx.addIssue({ code: "custom", path: ["tiers", i, "name"], message: "Another tier has this name" });
      }
      if (tier.id && body.tiers.findIndex((t) => t.id === tier.id) < i) {
        ctx.addIssue({ code: "custom", path: ["tiers", i, "id"], message: "Given twice" });
      }
    });
  })
  .openapi("TiersPut");

export type TiersPutBody = z.infer<typeof TiersPut>;

export function tierInputs(body: TiersPutBody): TierInput[] {
  return body.tiers.map((t) => ({ ...(t.id ? { id: t.id } : {}), name: t.name, threshold: t.threshold, multiplier: t.multiplier }));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const MemberTierPut = z
  .strictObject(
    {
      tier_id: z.string().min(1).max(64).nullable().openapi({ description: "The level to hold the member at (at least); null clears a manual level", example: "tier_5k2x9q0c1vd8hm3t" }),
      until: z
        .string()
        .regex(DATE, { error: "Must be a date, YYYY-MM-DD" })
        .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Must be a real date")
        .nullable()
        .optional()
        .openapi({ description: "The last day (UTC) the manual level holds; null or absent: for good", example: "2027-06-30" }),
    },
    unknownFields((keys) => `${keys.join(", ")}: Not a field of a member's tier`),
  )
  .openapi("MemberTierPut");

export type MemberTierPutBody = z.infer<typeof MemberTierPut>;

const DAY_MS = 86_400_000;

/** The floor's end in ms: the end of the day named (its last moment, UTC); null for good. */
export function floorUntil(body: MemberTierPutBody): number | null {
  return body.until ? Date.parse(`${body.until}T00:00:00Z`) + DAY_MS : null;
}
