import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { disconnectCompany, readConnection, type ConnectionStatus } from "../../connect/connection";
import { companyLoyaltyUrls } from "../../kounta/addon-key";
import { publicOrigin } from "../../kounta/origin";
import type { AppEnv } from "../../services";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { errorResponses } from "../schemas";

const Connection = z
  .object({
    company_id: z.string().openapi({ example: "456" }),
    name: z.string().openapi({ example: "Demo Café" }),
    status: z.enum(["connected", "disconnected"]),
    connected_at: z.string().nullable().openapi({ format: "date-time" }),
    disconnected_at: z.string().nullable().openapi({ format: "date-time" }),
    webhook_registered: z.boolean().openapi({ description: "Whether Kounta sends this company's completed sales to us" }),
    loyalty_urls: z
      .object({
        customer_search: z.string().openapi({ example: "https://loyalty.example.com/kounta/456.k3J.../customer-search" }),
        reward_lookup: z.string().openapi({ example: "https://loyalty.example.com/kounta/456.k3J.../reward-lookup" }),
      })
      .openapi({
        description:
          "The two addresses for Kounta's Loyalty tab, good for this company only. They change when the add-on key " +
          "is rotated (the old ones keep working while the previous key is configured).",
      }),
  })
  .openapi("Connection");

// The company's Kounta connection: status and disconnecting.
export const connectionRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/connection",
      tags: ["Connection"],
      summary: "This company's connection to Kounta",
      security: bearerSecurity,
      responses: {
        200: { description: "The connection", content: { "application/json": { schema: Connection } } },
        ...errorResponses(),
      },
    }),
    async (c) => {
      const connection = await readConnection(c.get("services").db, c.get("companyId"));
      if (!connection) throw new AdminError("not_found", "This company is not known");
      return c.json(await withLoyaltyUrls(c, connection), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/connection/disconnect",
      tags: ["Connection"],
      summary: "Disconnect from Kounta",
      description:
        "Erases the Kounta tokens, removes the sales webhook from Kounta (best effort), revokes every API key of the " +
        "company (this one included) and stops the POS loyalty calls for it. Members, rewards and history stay; " +
        "connecting again through /connect restores the programme.",
      security: bearerSecurity,
      responses: {
        200: { description: "The connection, now disconnected", content: { "application/json": { schema: Connection } } },
        ...errorResponses(),
      },
    }),
    async (c) => {
      const connection = await disconnectCompany(c.get("services"), c.get("companyId"));
      if (!connection) throw new AdminError("not_found", "This company is not known");
      return c.json(await withLoyaltyUrls(c, connection), 200);
    },
  );

async function withLoyaltyUrls<E extends AppEnv>(c: Context<E>, connection: ConnectionStatus) {
  const { config } = c.get("services");
  return { ...connection, loyalty_urls: await companyLoyaltyUrls(publicOrigin(c), config.KOUNTA_ADDON_KEY, connection.company_id) };
}
