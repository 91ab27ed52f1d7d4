import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../lib/services";
import { KountaError } from "../lib/errors";
import { requireAddonKey } from "./addon-key";
import { customerSearchHandlers } from "./customer-search";
import { rewardLookupHandlers } from "./reward-lookup";

// The POS-facing adapter: the URLs pasted into Kounta's Loyalty tab. Kounta's shapes, not ours.
export const kountaRoutes = new Hono<AppEnv>();

kountaRoutes.use(
  "/:addonKey/*",
  bodyLimit({
    maxSize: 16 * 1024,
    onError: () => {
      throw new KountaError(413, "The request is too large.");
    },
  }),
  requireAddonKey,
);

kountaRoutes.on(["GET", "POST"], "/:addonKey/customer-search", ...customerSearchHandlers);
kountaRoutes.on(["GET", "POST"], "/:addonKey/reward-lookup", ...rewardLookupHandlers);
