import { Hono } from "hono";
import { d1Session, type AppEnv } from "../services";
import { KountaError } from "../lib/errors";
import { serviceMessages as messages } from "../loyalty/cashier-messages";

// Member icons for the POS (shown as a 300x300 circle). The URL carries the icon's version, so a
// changed icon gets a new URL and each one can be cached for a year: when KV holds that version.
// Another one (a location whose KV has not seen the new upload yet, or an old URL) is served for a
// minute only, so no device keeps the wrong image under a URL for good. (Icons uploaded before the
// version was stored with them keep the year-long caching they always had, until uploaded again.)
export const iconRoutes = new Hono<AppEnv>();

// Icons come from KV; what little D1 they read may come from the nearest copy.
iconRoutes.use("*", d1Session("replica"));

iconRoutes.get("/:companyId/:memberId", async (c) => {
  const { companyId, memberId } = c.req.param();
  if (!/^\d{1,20}$/.test(companyId) || !/^[A-Za-z0-9_-]{1,64}$/.test(memberId)) {
    throw new KountaError(404, messages.notFound);
  }
  const icon = await c.get("services").cache.getIcon(companyId, memberId);
  if (!icon) throw new KountaError(404, messages.notFound);
  // Bytes stored before versions were kept with them (no version) are served as they always were.
  const exact = icon.version === undefined || String(icon.version) === c.req.query("v");
  return c.body(icon.body, 200, {
    "Content-Type": icon.contentType,
    "Cache-Control": exact ? "public, max-age=31536000, immutable" : "public, max-age=60",
    "X-Content-Type-Options": "nosniff",
  });
});
