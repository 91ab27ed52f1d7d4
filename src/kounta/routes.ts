import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../lib/services";
import { KountaError } from "../lib/errors";
import { requireAddonKey } from "./addon-key";
import { customerSearchHandlers } from "./customer-search";
import { redeemHandlers } from "./redeem";
import { rewardLookupHandlers } from "./reward-lookup";
import { webhookHandlers } from "./webhooks";

// The POS-facing adapter: the URLs pasted into Kounta's Loyalty tab, and the redeem_url we hand out.
// Kounta's shapes, not ours.
export const kountaRoutes = new Hono<AppEnv>();

const limitBody = bodyLimit({
  maxSize: 16 * 1024,
  onError: () => {
    throw new KountaError(413, "The request is too large.");
  },
});

kountaRoutes.post("/webhooks/orders", limitBody, ...webhookHandlers);
kountaRoutes.on(["GET", "POST"], "/redeem", limitBody, ...redeemHandlers);
kountaRoutes.on(["GET", "POST"], "/:addonKey/customer-search", limitBody, requireAddonKey, ...customerSearchHandlers);
kountaRoutes.on(["GET", "POST"], "/:addonKey/reward-lookup", limitBody, requireAddonKey, ...rewardLookupHandlers);
