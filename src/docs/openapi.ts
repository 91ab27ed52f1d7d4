import type { OpenAPIHono } from "@hono/zod-openapi";

type OpenAPIRegistry = OpenAPIHono["openAPIRegistry"];
import { Hono } from "hono";
import { z } from "zod";
import { customerSearchParams } from "../kounta/customer-search";
import { redeemParams } from "../kounta/redeem";
import { rewardLookupParams } from "../kounta/reward-lookup";
import type { AppEnv } from "../services";
import { renderReference } from "./reference-page";

// The OpenAPI 3.1 document (/openapi.json) and a readable reference (/docs), generated from the
// same Zod schemas the routes validate with. The admin routes describe themselves; the
// Kounta-facing ones (Kounta's shapes, GET or POST alike) are registered here from their schemas.

const KountaError = z.object({ error: z.string() }).meta({ id: "KountaError", example: { error: "company_id is required" } });

const KountaMember = z
  .object({
    id: z.string(),
    first_name: z.string(),
    last_name: z.string().optional(),
    email_address: z.string().describe('"" for a member enrolled by phone or card alone'),
    current_points: z.string().regex(/^\d+$/).describe("a string of digits"),
    points_label: z.string(),
    icon_url: z.string().optional(),
    intro_text: z.string().optional(),
    params: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: "KountaMember" });

const KountaReward = z
  .object({
    id: z.string(),
    title: z.string(),
    terms: z.string().optional(),
    points_required: z.number().int(),
    points_label: z.string(),
    action_label: z.string(),
    variable_quantity: z.boolean(),
    redeem_url: z.string().describe("signed, expiring; contains order_id=<placeholder> literally"),
  })
  .meta({ id: "KountaReward" });

const addonKey = z.object({ addonKey: z.string().describe("KOUNTA_ADDON_KEY (any company), or a company's own key `<company id>.<signature>` (that company only); keys made with the previous add-on key are accepted while rotating") });

export function registerKountaOperations(registry: OpenAPIRegistry): void {
  const both = ["get", "post"] as const;
  for (const method of both) {
    registry.registerPath({
      method,
      path: "/kounta/{addonKey}/customer-search",
      tags: ["Kounta POS"],
      summary: "Customer Search (the Loyalty tab's Customer Search URL)",
      request: { params: addonKey, query: customerSearchParams },
      responses: {
        200: {
          description: "Matching members, best first, keyed by member id ({} when none)",
          content: { "application/json": { schema: z.object({ members: z.record(z.string(), KountaMember) }) } },
        },
        400: { description: "Bad input", content: { "application/json": { schema: KountaError } } },
        404: { description: "Wrong add-on key (or a company key used for another company), or a company that has not connected", content: { "application/json": { schema: KountaError } } },
      },
    });
    registry.registerPath({
      method,
      path: "/kounta/{addonKey}/reward-lookup",
      tags: ["Kounta POS"],
      summary: "Reward lookup (the Loyalty tab's Rewards URL)",
      request: { params: addonKey, query: rewardLookupParams },
      responses: {
        200: {
          description: "The member card and the rewards: redeemable now, then up to three being saved toward",
          content: { "application/json": { schema: z.object({ member: KountaMember, rewards: z.array(KountaReward) }) } },
        },
        400: { description: "Bad input", content: { "application/json": { schema: KountaError } } },
        404: { description: "Wrong add-on key (or a company key used for another company), unknown member, or a company that has not connected", content: { "application/json": { schema: KountaError } } },
      },
    });
    registry.registerPath({
      method,
      path: "/kounta/redeem",
      tags: ["Kounta POS"],
      summary: "Reward redemption (a reward's redeem_url, with Kounta's real order id)",
      request: { query: redeemParams },
      responses: {
        200: {
          description: "Always HTTP 200: {success: true}, or {success: false, error} for the cashier",
          content: {
            "application/json": {
              schema: z.object({ success: z.boolean(), error: z.string().optional() }).meta({
                example: { success: false, error: "Not enough Points: 320 of 500" },
              }),
            },
          },
        },
      },
    });
  }
}

export function docsRoutes(app: OpenAPIHono<AppEnv>) {
  const document = () =>
    app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Kounta loyalty",
        version: "1.0.0",
        description:
          "The loyalty scheme behind Kounta POS: the calls the POS makes (Kounta's shapes) and the admin API merchants run their programme with.",
      },
      tags: [
        { name: "Kounta POS", description: "Called by Kounta POS; Kounta's own field names and error shapes" },
        { name: "Members", description: "Admin API: the company's loyalty members, bulk import and icons" },
        { name: "Rewards", description: "Admin API: what members can redeem, of four kinds" },
        { name: "Programme", description: "Admin API: programme settings and earning rules" },
        { name: "Points", description: "Admin API: adjustments with a reason, the ledger and the redemptions" },
        { name: "Connection", description: "Admin API: the company's Kounta connection" },
        { name: "API keys", description: "Admin API: keys are shown once and stored only as hashes" },
      ],
    });
  let cached: ReturnType<typeof document> | undefined;
  let page: string | undefined;
  const docs = new Hono<AppEnv>();
  docs.get("/openapi.json", (c) => c.json((cached ??= document())));
  docs.get("/docs", (c) =>
    c.html((page ??= renderReference((cached ??= document()) as Parameters<typeof renderReference>[0])), 200, {
      // The page is self-contained: no script at all, its own styles, the examples' images inline.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'",
    }),
  );
  return docs;
}
