import { createMiddleware } from "hono/factory";
import { KountaError, messages } from "../lib/errors";
import { matchesConfiguredSecret } from "../lib/crypto";
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
  if (!(await matchesConfiguredSecret(given, candidates))) throw new KountaError(404, messages.notFound);
  await next();
});
