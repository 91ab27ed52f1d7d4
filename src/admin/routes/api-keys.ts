import { createRoute, z } from "@hono/zod-openapi";
import { adminRouter, bearerSecurity } from "../app";
import { createApiKey, findApiKey, listApiKeys, revokeApiKey, type ApiKey as ApiKeyRow } from "../../storage/api-keys";
import { AdminError } from "../errors";
import { CreateApiKey } from "../inputs/api-keys";
import { errorResponses, PathId } from "../schemas";

const ApiKey = z
  .object({
    id: z.string().openapi({ example: "key_5k2x9q0c1vd8hm3t" }),
    name: z.string().openapi({ example: "Back office" }),
    prefix: z.string().openapi({ example: "lk_3fq8aZ0" }),
    manager: z.boolean().openapi({ description: "A manager's key: may make large adjustments and change the limits" }),
    created_at: z.string().openapi({ format: "date-time" }),
    last_used_at: z.string().nullable().openapi({ format: "date-time" }),
    revoked_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("ApiKey");

function apiKeyJson(row: ApiKeyRow): z.output<typeof ApiKey> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    manager: row.manager,
    created_at: new Date(row.createdAt).toISOString(),
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
  };
}

const NewApiKey = ApiKey.extend({
  key: z.string().openapi({ description: "The key itself: shown this once, never again", example: "lk_Qm9x..." }),
}).openapi("NewApiKey");

export const apiKeyRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/api-keys",
      tags: ["API keys"],
      summary: "Create an API key for this company",
      security: bearerSecurity,
      request: {
        body: {
          required: true,
          content: {
            "application/json": { schema: CreateApiKey, example: { name: "Back office", manager: false } },
          },
        },
      },
      responses: {
        201: { description: "The new key, shown once", content: { "application/json": { schema: NewApiKey } } },
        ...errorResponses(400, 403),
      },
    }),
    async (c) => {
      const { name, manager } = c.req.valid("json");
      // Only a manager's key makes a manager's key.
      if (manager && !c.get("apiKeyManager")) throw new AdminError("forbidden", "Only a manager's API key may create a manager's key");
      const created = await createApiKey(c.get("services").db, { companyId: c.get("companyId"), name, manager: manager ?? false });
      return c.json({ ...apiKeyJson(created), key: created.key }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/api-keys",
      tags: ["API keys"],
      summary: "List this company's API keys (never their secrets)",
      security: bearerSecurity,
      responses: {
        200: { description: "The keys, newest first", content: { "application/json": { schema: z.object({ data: z.array(ApiKey) }) } } },
        ...errorResponses(),
      },
    }),
    async (c) => c.json({ data: (await listApiKeys(c.get("services").db, c.get("companyId"))).map(apiKeyJson) }, 200),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/api-keys/{id}",
      tags: ["API keys"],
      summary: "Revoke an API key",
      security: bearerSecurity,
      request: { params: PathId },
      responses: {
        200: { description: "The revoked key", content: { "application/json": { schema: ApiKey } } },
        ...errorResponses(403, 404),
      },
    }),
    async (c) => {
      const { db } = c.get("services");
      const key = await findApiKey(db, c.get("companyId"), c.req.valid("param").id);
      if (key?.manager && !c.get("apiKeyManager")) throw new AdminError("forbidden", "Only a manager's API key may revoke a manager's key");
      const revoked = key && (await revokeApiKey(db, c.get("companyId"), key.id));
      if (!revoked) throw new AdminError("not_found", "This company has no API key with that id");
      return c.json(apiKeyJson(revoked), 200);
    },
  );
