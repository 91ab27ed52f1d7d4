import { Hono, type Context } from "hono";
import { createMiddleware } from "hono/factory";
import { bodyLimit } from "hono/body-limit";
import { d1Session, type AppEnv } from "../services";
import { KountaError } from "../lib/errors";
import { serviceMessages } from "../loyalty/cashier-messages";
import { requireAddonKey } from "./addon-key";
import { customerSearchHandlers } from "./customer-search";
import { redeemHandlers } from "./redeem";
import { rewardLookupHandlers } from "./reward-lookup";
import { webhookHandlers } from "./webhooks";

// The POS-facing adapter: the URLs pasted into Kounta's Loyalty tab, and the redeem_url we hand out.
// Kounta's shapes, not ours.
export const kountaRoutes = new Hono<AppEnv>();

const MAX_BODY_BYTES = 16 * 1024;

/** A body limit answering Kounta's 413 {error}. */
const limitBodyTo = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new KountaError(413, serviceMessages.tooLarge);
    },
  });

const limitBody = limitBodyTo(MAX_BODY_BYTES);
// A delivery may carry the whole order (Kounta does not publish its payload): room for a large one.
const limitWebhookBody = limitBodyTo(512 * 1024);
// A redemption answers HTTP 200 with {success:false, error} whatever went wrong (CONTRACT.md section 3).
const limitRedeemBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => c.json({ success: false, error: serviceMessages.tooLarge }, 200),
});

/**
 * HEAD and OPTIONS change nothing. Hono answers HEAD with the GET handler (body dropped), so a link
 * checker, a preview bot or a proxy sending HEAD to a redeem_url would redeem it; HEAD is refused
 * before the handler instead (405, Allow: GET, POST), and OPTIONS names the methods (204).
 */
const noSideEffects = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "HEAD") return c.body(null, 405, { Allow: "GET, POST" });
  await next();
});
const allowedMethods = (c: Context<AppEnv>) => c.body(null, 204, { Allow: "GET, POST" });

kountaRoutes.post("/webhooks/orders", limitWebhookBody, ...webhookHandlers);
kountaRoutes.options("/redeem", allowedMethods);
kountaRoutes.on(["GET", "POST"], "/redeem", noSideEffects, limitRedeemBody, ...redeemHandlers);
// Search and lookup read from the nearest copy (docs/read-replicas.md); the redemption and the
// webhook decide, on the primary (the default).
const nearestCopy = d1Session("replica");
kountaRoutes.on(["GET", "POST"], "/:addonKey/customer-search", nearestCopy, limitBody, requireAddonKey, ...customerSearchHandlers);
// A lookup records the customer's link: HEAD must not.
kountaRoutes.on(["GET", "POST"], "/:addonKey/reward-lookup", nearestCopy, noSideEffects, limitBody, requireAddonKey, ...rewardLookupHandlers);
