import { createRoute, z } from "@hono/zod-openapi";
import { getMemberTier, setTierFloor, type MemberTier } from "../../loyalty/tiers/member-tier";
import { getTierProgramme, putTierProgramme, type TierLevel, type TierProgramme } from "../../loyalty/tiers/tiers";
import { tierChangeReasons } from "../../storage/schema";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { floorUntil, MemberTierPut, tierInputs, TiersPut } from "../inputs/tiers";
import { errorResponses, json, PathId, type BodyExample } from "../schemas";

// Tiers: the company's levels (GET/PUT /tiers) and one member's level, manual floor and history.

const Tier = z
  .object({
    id: z.string().openapi({ example: "tier_5k2x9q0c1vd8hm3t" }),
    name: z.string().openapi({ example: "Gold" }),
    threshold: z.number().int(),
    multiplier: z.number(),
    position: z.number().int().openapi({ description: "0 for the lowest" }),
  })
  .openapi("Tier");

const Tiers = z
  .object({
    basis: z.enum(["points", "spend"]),
    window: z.enum(["rolling", "calendar_year"]),
    window_months: z.number().int(),
    tiers: z.array(Tier),
  })
  .openapi("Tiers");

const tierJson = (t: TierLevel): z.output<typeof Tier> => ({ id: t.id, name: t.name, threshold: t.threshold, multiplier: t.multiplier, position: t.position });

const tiersJson = (p: TierProgramme): z.output<typeof Tiers> => ({
  basis: p.basis,
  window: p.window,
  window_months: p.windowMonths,
  tiers: p.tiers.map(tierJson),
});

const TierChange = z
  .object({
    id: z.string(),
    from_tier_id: z.string().nullable(),
    from_name: z.string().nullable(),
    to_tier_id: z.string().nullable(),
    to_name: z.string().nullable(),
    reason: z.enum(tierChangeReasons).openapi({
      description: "earned (a sale), reversed (a refund, a rejected or deleted order), adjusted, manual (a level set by hand), review (the daily review: the window moved, a manual level ended, the tiers changed)",
    }),
    actor: z.string().nullable(),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("TierChange");

const MemberTierStatus = z
  .object({
    tier: Tier.nullable(),
    value: z.number().int().openapi({ description: "The window's total: points, or cents on the spend basis" }),
    next: z.object({ tier: Tier, missing: z.number().int() }).nullable(),
    manual: z.object({ tier_id: z.string(), name: z.string().nullable(), until: z.string().nullable().openapi({ format: "date-time" }) }).nullable(),
    changes: z.array(TierChange).openapi({ description: "The latest 50 changes of level, newest first" }),
  })
  .openapi("MemberTier");

const iso = (ms: number) => new Date(ms).toISOString();

function memberTierJson(t: MemberTier): z.output<typeof MemberTierStatus> {
  return {
    tier: t.tier ? tierJson(t.tier) : null,
    value: t.value,
    next: t.next ? { tier: tierJson(t.next.tier), missing: t.next.missing } : null,
    manual: t.floor ? { tier_id: t.floor.tierId, name: t.floor.tier?.name ?? null, until: t.floor.until === null ? null : iso(t.floor.until) } : null,
    changes: t.changes.map((c) => ({ ...c, created_at: iso(c.created_at) })),
  };
}

const tiersExamples: Record<string, BodyExample> = {
  three: {
    summary: "Three levels on points earned over a rolling 12 months",
    value: {
      basis: "points",
      window: "rolling",
      window_months: 12,
      tiers: [
        { name: "Bronze", threshold: 0 },
        { name: "Silver", threshold: 500, multiplier: 1.25 },
        { name: "Gold", threshold: 1000, multiplier: 1.5 },
      ],
    },
  },
  spend: {
    summary: "One VIP level for $500 spent this calendar year",
    value: { basis: "spend", window: "calendar_year", tiers: [{ name: "VIP", threshold: 50000, multiplier: 2 }] },
  },
};

const memberNotFound = () => new AdminError("not_found", "This company has no member with that id");

export const tierRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/tiers",
      tags: ["Tiers"],
      summary: "Read the tiers and what they count",
      security: bearerSecurity,
      responses: { 200: { description: "The tiers, lowest first", content: { "application/json": { schema: Tiers } } }, ...errorResponses() },
    }),
    async (c) => {
      const programme = await getTierProgramme(c.get("services").db, c.get("companyId"));
      if (!programme) throw new AdminError("not_found", "This company has no programme");
      return c.json(tiersJson(programme), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/tiers",
      tags: ["Tiers"],
      summary: "Replace the tiers (up to 6, lowest first)",
      description:
        "A tier sent with its id keeps its members and rewards; one left out is removed (refused with 409 while an active reward is for it). " +
        "The POS shows the new levels at once; each member's recorded level (and its history) follows at the cron's next review.",
      security: bearerSecurity,
      request: { body: json(TiersPut, tiersExamples) },
      responses: { 200: { description: "The tiers now", content: { "application/json": { schema: Tiers } } }, ...errorResponses(400, 409) },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const body = c.req.valid("json");
      const result = await putTierProgramme(db, cache, {
        companyId: c.get("companyId"),
        basis: body.basis,
        window: body.window,
        windowMonths: body.window_months,
        tiers: tierInputs(body),
      });
      if (result.outcome === "unknown_tier") throw new AdminError("invalid_request", `tiers: This company has no tier ${result.id}`);
      if (result.outcome === "in_use") {
        throw new AdminError("conflict", `tiers: The reward "${result.reward}" is for ${result.tier}: change the reward before removing the tier`);
      }
      if (result.outcome === "changed_meanwhile") {
        throw new AdminError("conflict", "tiers: The tiers or a reward's tier changed while this was saved: nothing was changed. Read them again and retry");
      }
      return c.json(tiersJson(result.programme), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/members/{id}/tier",
      tags: ["Tiers"],
      summary: "A member's level, what the next needs, a manual level, and the history of changes",
      security: bearerSecurity,
      request: { params: PathId },
      responses: { 200: { description: "The member's level", content: { "application/json": { schema: MemberTierStatus } } }, ...errorResponses(404) },
    }),
    async (c) => {
      const tier = await getMemberTier(c.get("services").db, c.get("companyId"), c.req.valid("param").id);
      if (!tier) throw memberNotFound();
      return c.json(memberTierJson(tier), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/members/{id}/tier",
      tags: ["Tiers"],
      summary: "Set a member's level by hand: a floor until a date, or for good (tier_id null clears it)",
      security: bearerSecurity,
      request: {
        params: PathId,
        body: json(MemberTierPut, {
          until: { summary: "Gold until the end of June", value: { tier_id: "tier_5k2x9q0c1vd8hm3t", until: "2027-06-30" } },
          clear: { summary: "Back to what they earn", value: { tier_id: null } },
        }),
      },
      responses: { 200: { description: "The member's level now", content: { "application/json": { schema: MemberTierStatus } } }, ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const body = c.req.valid("json");
      const now = Date.now();
      const until = floorUntil(body);
      // A day already over would set a manual level that never holds.
      if (body.tier_id !== null && until !== null && until <= now) throw new AdminError("invalid_request", "until: Must be today or later");
      const result = await setTierFloor(db, cache, {
        companyId: c.get("companyId"),
        memberId: c.req.valid("param").id,
        tierId: body.tier_id,
        until,
        actor: `api_key:${c.get("apiKeyId")}`,
        now,
      });
      if (result.outcome === "not_found") throw memberNotFound();
      if (result.outcome === "unknown_tier") throw new AdminError("invalid_request", "tier_id: This company has no tier with that id");
      return c.json(memberTierJson(result.tier), 200);
    },
  );
