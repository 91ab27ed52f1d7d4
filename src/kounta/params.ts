import type { Context, Env } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { KountaError } from "../lib/errors";
import { duplicateJsonKey } from "../lib/json-duplicates";

// Kounta does not document the method of its loyalty calls, so they come as GET or POST with the
// parameters in the query string, a form body or a JSON body alike. Parameters we do not know are
// ignored (Kounta may add more); one of ours sent twice with different values is refused, and so is
// a JSON body with any key written twice in one object.

const MAX_BODY_PARAMS = 50;

export const kountaId = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .regex(/^\d{1,20}$/, `${name} must be a Kounta id (digits only)`);

export const optionalKountaId = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{0,20}$/, `${name} must be a Kounta id (digits only)`)
    .optional()
    .transform((v) => (v ? v : undefined));

export const memberReference = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{0,64}$/, "reference_id is not a member id of this loyalty programme")
  .optional()
  .transform((v) => (v ? v : undefined));

/**
 * Kounta's order placeholder. It must come back literally inside our redeem_url, so it is limited
 * to characters that need no escaping there.
 */
export const orderPlaceholder = z
  .string({ error: "order_id is required" })
  .trim()
  .regex(/^[A-Za-z0-9_.~{}:-]{1,64}$/, "order_id is not a valid order id");

/** How a route answers input it cannot use: Kounta's `{error}` with a 400 unless told otherwise. */
export type InvalidInputResponder = (c: Context, message: string) => Response;

const errorResponder: InvalidInputResponder = (c, message) => c.json({ error: message }, 400);

/**
 * The route's parameters, checked against `schema`, as `c.req.valid("query")` (wherever they came
 * from). A middleware of its own rather than Hono's validator("query"): that one parses the query
 * string into arrays with its own decoder first, which this reads once with the runtime's
 * URLSearchParams instead (the same decoding of `+` and percent escapes), on every search.
 */
export function kountaParams<T extends z.ZodObject>(schema: T, respond: InvalidInputResponder = errorResponder) {
  return createMiddleware<Env, string, { out: { query: z.output<T> } }>(async (c, next) => {
    let params: z.output<T>;
    try {
      params = await collectParams(schema, c);
    } catch (err) {
      if (err instanceof KountaError) return respond(c, err.message);
      throw err;
    }
    c.req.addValidatedData("query", params as object);
    await next();
  });
}

async function collectParams<T extends z.ZodObject>(schema: T, c: Context): Promise<z.output<T>> {
  const collected = new Map<string, string[]>();
  const add = (key: string, value: unknown) => {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      const list = collected.get(key);
      if (list) list.push(String(value));
      else collected.set(key, [String(value)]);
    }
  };
  // The query string up to a fragment (only an in-process caller's URL has one). URLSearchParams
  // drops the one leading "?" it is given; bytes that are not UTF-8 (%E9) become U+FFFD, a word
  // break to the search, so "caf%E9" searches "caf".
  const url = c.req.url;
  const queryStart = url.indexOf("?");
  if (queryStart !== -1) {
    const fragment = url.indexOf("#", queryStart);
    for (const [key, value] of new URLSearchParams(url.slice(queryStart, fragment === -1 ? undefined : fragment))) add(key, value);
  }
  if (c.req.method === "POST") {
    for (const [key, value] of await readBodyParams(c)) add(key, value);
  }

  const known = new Set(Object.keys(schema.shape));
  const params: Record<string, string> = {};
  for (const [key, values] of collected) {
    if (!known.has(key)) continue;
    if (new Set(values).size > 1) throw new KountaError(400, `${key} was sent more than once with different values`);
    params[key] = values[0]!;
  }

  const result = schema.safeParse(params);
  if (!result.success) throw new KountaError(400, result.error.issues[0]?.message ?? "The request is not valid");
  return result.data as z.output<T>;
}

async function readBodyParams(c: Context): Promise<[string, unknown][]> {
  // The media type alone, as HTTP defines it: case-insensitive, parameters (charset, boundary) aside.
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const isJson = type === "application/json";
  const isForm = type === "application/x-www-form-urlencoded" || type === "multipart/form-data";
  if (!isJson && !isForm) return [];

  let raw: ArrayBuffer;
  try {
    raw = await c.req.arrayBuffer();
  } catch {
    throw new KountaError(400, "The request body could not be read.");
  }
  // A POST with nothing (or only white space) in its body carries its parameters in the query string.
  if (isBlank(new Uint8Array(raw))) return [];

  if (isJson) {
    const text = new TextDecoder().decode(raw);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new KountaError(400, "The request body is not valid JSON");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new KountaError(400, "The request body must be a JSON object");
    }
    // JSON.parse keeps a key's last value; like a parameter sent twice, a key written twice is refused.
    const duplicate = duplicateJsonKey(text);
    if (duplicate) throw new KountaError(400, `${duplicate} was sent more than once`);
    return Object.entries(body).slice(0, MAX_BODY_PARAMS);
  }

  // Reads the body buffered above. A multipart body without a boundary, or not in the form its
  // boundary announces, makes the runtime's form parser throw a TypeError.
  const body = await c.req.parseBody({ all: true }).catch(() => {
    throw new KountaError(400, "The request body could not be read.");
  });
  return Object.entries(body)
    .slice(0, MAX_BODY_PARAMS)
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v): [string, unknown] => [key, v]) : [[key, value]]));
}

/** Empty, or nothing but spaces, tabs and line breaks. */
function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);
}
