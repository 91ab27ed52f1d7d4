import { Hono, type Context } from "hono";
import { isCardToken } from "../loyalty/members/card-links";
import { loadCardView } from "../loyalty/members/card-view";
import { d1Session, type AppEnv } from "../services";
import { CardInactivePage, CardNotFoundPage, CardPage, cardPaths } from "./card-page";
import { memberPageHeaders, renderMemberPage } from "./layout";

// A member's own card, opened by the link they were given (never their member id): GET /card/:token,
// its web app manifest (so it can be added to the home screen) and the manifest's icon. An unknown,
// revoked, malformed or another company's token all answer the same 404 page; a live link to an
// inactive member says the card is no longer active, nothing more. Read only: opening a card never
// writes (a link preview or a prefetch changes nothing).

export const cardRoutes = new Hono<AppEnv>();

const notFound = (c: Context<AppEnv>) => renderMemberPage(c, <CardNotFoundPage />, 404);

// A card seen from afar, in the colours of the pages: no name, no number (the same for everyone).
const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
<rect width="512" height="512" rx="96" fill="#1f5fbf"/>
<rect x="76" y="136" width="360" height="240" rx="28" fill="#ffffff"/>
<rect x="76" y="186" width="360" height="40" fill="#1f5fbf" opacity="0.25"/>
<path d="M256 262l17 35 38 5-28 26 7 38-34-18-34 18 7-38-28-26 38-5z" fill="#e08a00"/>
</svg>`;

// A member's own card reads only (a GET writes nothing): the nearest copy (docs/read-replicas.md).
cardRoutes.use("/card/*", d1Session("replica"));

/**
 * The card a link opens, from the nearest copy. A link that copy does not know is looked for once more
 * on the primary: it may have been issued a moment ago (the join page's redirect to the new card, a
 * link the counter just showed as a QR code) and not reached the copy yet. Only for a token of the
 * right shape, so a malformed address costs no second read.
 */
async function findCard(c: Context<AppEnv>, token: string) {
  const services = c.get("services");
  const found = await loadCardView(services.db, token);
  if (found.outcome !== "not_found" || !isCardToken(token)) return found;
  return loadCardView(services.primaryDb(), token);
}

// Registered before /card/:token: "icon.svg" is never a token (a token has 43 characters).
cardRoutes.get(cardPaths.icon, (c) =>
  c.body(ICON_SVG, 200, {
    "Content-Type": "image/svg+xml",
    "Cache-Control": "public, max-age=86400",
    "Content-Security-Policy": "default-src 'none'",
    "X-Content-Type-Options": "nosniff",
  }),
);

cardRoutes.get("/card/:token", async (c) => {
  const token = c.req.param("token");
  const found = await findCard(c, token);
  switch (found.outcome) {
    case "not_found":
      return notFound(c);
    case "inactive":
      return renderMemberPage(c, <CardInactivePage programmeName={found.programmeName} />, 404);
    case "card":
      return renderMemberPage(c, <CardPage card={found.card} token={token} />);
  }
});

cardRoutes.get("/card/:token/manifest.webmanifest", async (c) => {
  const token = c.req.param("token");
  const found = await findCard(c, token);
  if (found.outcome !== "card") return notFound(c);
  const start = cardPaths.page(token);
  const manifest = {
    id: start,
    name: found.card.programmeName,
    short_name: found.card.programmeName,
    description: `Your ${found.card.pointsLabel} and card at ${found.card.programmeName}`,
    start_url: start,
    scope: start,
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#1f5fbf",
    icons: [{ src: cardPaths.icon, sizes: "any", type: "image/svg+xml", purpose: "any" }],
  };
  return c.body(JSON.stringify(manifest), 200, { ...memberPageHeaders, "Content-Type": "application/manifest+json; charset=utf-8" });
});

// Any other address under /card/ is a link that does not work either.
cardRoutes.get("/card/*", notFound);
