import { z } from "@hono/zod-openapi";

// Shapes shared by the admin routes, named so the OpenAPI document shows them once.

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.enum([
        "invalid_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "conflict",
        "payload_too_large",
        "unsupported_media_type",
        "rate_limited",
        "internal",
        "kounta_unavailable",
      ]),
      message: z.string().openapi({ example: "name: Too small: expected string to have >=1 characters" }),
      request_id: z.string().openapi({ example: "req_5k2x9q0c1vd8hm3t" }),
    }),
  })
  .openapi("Error");

export const errorResponses = (...statuses: (400 | 401 | 404 | 409 | 413)[]) =>
  Object.fromEntries(
    [401, ...statuses].map((status) => [
      status,
      { description: errorDescriptions[status], content: { "application/json": { schema: ErrorResponse } } },
    ]),
  );

const errorDescriptions: Record<number, string> = {
  400: "The request is not valid (code invalid_request)",
  401: "No API key, or one that is unknown or revoked (code unauthorized)",
  404: "Nothing of that id in this company (code not_found)",
  409: "It conflicts with what is there (code conflict)",
  413: "The body is too large (code payload_too_large)",
};
