import { z } from "@hono/zod-openapi";

// A new API key: POST /api-keys (the OpenAPI document shows it inline, unnamed).

export const CreateApiKey = z.object({
  name: z.string().trim().min(1).max(100),
  manager: z.boolean().optional().openapi({ description: "A manager's key (only a manager's key may make one). Default false" }),
});

export type CreateApiKeyBody = z.infer<typeof CreateApiKey>;
