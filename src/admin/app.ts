import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { appendResponseHeader, type AppEnv, type BookmarkCarrier } from "../services";
import { authenticateApiKey, touchApiKey } from "../storage/api-keys";
import { duplicateJsonKeyPath, shortPath } from "../lib/json-duplicates";
import { validationMessage } from "../lib/validation";
import { AdminError } from "./errors";

export type AdminEnv = {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & { companyId: string; apiKeyId: string; apiKeyManager: boolean };
};

/**
 * A router for a group of admin routes: every validation failure becomes one "path: message" line.
 * A JSON body with a key twice in one object is refused first ("rules.1.points: Sent more than
 * once"): JSON.parse keeps the last value, other clients' parsers the first.
 */
export function adminRouter() {
  return new OpenAPIHono<AdminEnv>({
    defaultHook: async (result, c) => {
      // Called once the route's JSON body is parsed: its text is Hono's cached body, read once.
      if (result.target === "json") refuseDuplicateKeys(await c.req.text());
      if (!result.success) throw new AdminError("invalid_request", validationMessage(result.error.issues));
    },
  });
}

function refuseDuplicateKeys(text: string): void {
  const path = duplicateJsonKeyPath(text);
  if (!path) return;
  // The path as validationMessage writes it ("members.0.email"), on one line (a key's control
  // characters escaped), its end kept if it is long.
  const written = path.map((step) => String(step).replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`));
  throw new AdminError("invalid_request", `${shortPath(written.join("."))}: Sent more than once`);
}

/** `Authorization: Bearer <api key>`: the key's company is the only one this request can reach. */
export const requireApiKey = createMiddleware<AdminEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AdminError("unauthorized", "Send an API key as Authorization: Bearer <key>");
  const { db } = c.get("services");
  const key = await authenticateApiKey(db, match[1]!);
  if (!key) throw new AdminError("unauthorized", "This API key is not valid or has been revoked");
  c.set("companyId", key.companyId);
  c.set("apiKeyId", key.keyId);
  c.set("apiKeyManager", key.manager);
  c.executionCtx.waitUntil(touchApiKey(db, key.keyId, key.lastUsedAt).catch(() => undefined));
  await next();
});

/**
 * The admin API's D1 bookmark (docs/read-replicas.md): `x-d1-bookmark` sent back by the client makes
 * its reads at least as fresh as its last answer; every answer carries the latest.
 */
export const BOOKMARK_HEADER = "x-d1-bookmark";

export const adminBookmarkHeader: BookmarkCarrier = {
  read: (c) => c.req.header(BOOKMARK_HEADER),
  write: (c, bookmark) => appendResponseHeader(c, BOOKMARK_HEADER, bookmark),
};

export const adminBodyLimit = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new AdminError("payload_too_large", `The request body is larger than ${Math.round(maxSize / 1024)} KB`);
    },
  });

export const bearerSecurity = [{ apiKey: [] }];
