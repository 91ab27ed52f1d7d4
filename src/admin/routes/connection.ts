import { createRoute, z } from "@hono/zod-openapi";
import { disconnectCompany, readConnection } from "../../connect/connection";
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
      return c.json(connection, 200);
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
      const { db, cache, config, logger } = c.get("services");
      const connection = await disconnectCompany({ db, cache, config, logger }, c.get("companyId"));
      if (!connection) throw new AdminError("not_found", "This company is not known");
      return c.json(connection, 200);
    },
  );
