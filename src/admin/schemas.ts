import { z } from "@hono/zod-openapi";
import { adminErrorCodeList } from "./errors";

// Shapes shared by the admin routes, named so the OpenAPI document shows them once.

/** The `{id}` path parameter of every admin route that takes one (member, reward, earning rule, API key). */
export const PathId = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } }) });

/** A Kounta id (product, category, payment method...): digits. */
export const kountaId = (what: string) =>
  z.string().regex(/^\d{1,20}$/, { error: `Must be a Kounta ${what} id (digits)` }).openapi({ example: "9001" });

/** Refuses fields a body does not have, naming them like any other "path: message" line. */
export const unknownFields = (message: (keys: string[]) => string) => ({
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === "unrecognized_keys" && issue.keys ? message(issue.keys) : undefined,
});

/** For `.refine(...atLeastOneField)` on a patch body. */
export const atLeastOneField = [(body: object) => Object.keys(body).length > 0, { error: "Send at least one field to change" }] as const;

/** A request body's example, for the reference (/docs); each one is sent to the Worker by test/docs.test.ts. */
export type BodyExample = { summary?: string; description?: string; value: unknown };

/** A required JSON body, with its examples. */
export const json = <T extends z.ZodType>(schema: T, examples: Record<string, BodyExample>) => ({
  required: true,
  content: { "application/json": { schema, examples } },
});

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.enum(adminErrorCodeList),
      message: z.string().openapi({ example: "name: Too small: expected string to have >=1 characters" }),
      request_id: z.string().openapi({ example: "req_5k2x9q0c1vd8hm3t" }),
    }),
  })
  .openapi("Error");

export const errorResponses = (...statuses: (400 | 401 | 403 | 404 | 409 | 413)[]) =>
  Object.fromEntries(
    [401, ...statuses].map((status) => [
      status,
      { description: errorDescriptions[status], content: { "application/json": { schema: ErrorResponse } } },
    ]),
  );

const errorDescriptions: Record<number, string> = {
  400: "The request is not valid (code invalid_request)",
  401: "No API key, or one that is unknown or revoked (code unauthorized)",
  403: "Not allowed with this key (code forbidden)",
  404: "Nothing of that id in this company (code not_found)",
  409: "It conflicts with what is there (code conflict)",
  413: "The body is too large (code payload_too_large)",
};
