import { createMiddleware } from "hono/factory";
import { KountaError, messages } from "../lib/errors";
import { secretsEqual } from "../lib/crypto";
import type { AppEnv } from "../lib/services";

/**
 * The URLs configured in Kounta's Loyalty tab carry the add-on key in their path
 * (/kounta/<key>/customer-search). The current and the previous key are both accepted so the key
 * can be rotated without downtime. A wrong key gets the same 404 as any unknown path.
 */
export const requireAddonKey = createMiddleware<AppEnv>(async (c, next) => {
  const { config } = c.get("services");
  const given = c.req.param("addonKey") ?? "";
  const candidates = [config.KOUNTA_ADDON_KEY, config.KOUNTA_ADDON_KEY_PREVIOUS].filter((k): k is string => !!k);
  // Compare against every candidate (no early exit), so timing says nothing about which matched.
  const matches = await Promise.all(candidates.map((key) => secretsEqual(given, key)));
  if (!matches.some(Boolean)) throw new KountaError(404, messages.notFound);
  await next();
});
