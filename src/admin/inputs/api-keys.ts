import { z } from "@hono/zod-openapi";

// A new API key: POST /api-keys (the OpenAPI document shows it inline, unnamed).

export const CreateApiKey = z.object({ name: z.string().trim().min(1).max(100) });

export type CreateApiKeyBody = z.infer<typeof CreateApiKey>;
