import { createRoute, z } from "@hono/zod-openapi";
import { issueMemberCardLink, revokeMemberCardLinks } from "../../loyalty/members/card-link-issue";
import { adminRouter, bearerSecurity } from "../app";
import { errorResponses, PathId } from "../schemas";
import { found, origin, TAGS } from "./members-common";

// A member's link to their own card page (/card/<token>): points, rewards, the card's barcode.
// Only a hash of a link is kept, so a link is seen once, when it is made: POST makes a new one (the
// older link stops working), DELETE ends it. The dashboard's member page does the same
// (src/dashboard/pages/member-card-link-routes.tsx).

const CardLink = z
  .object({
    url: z.string().openapi({
      description: "The member's card page. Shown only in this answer: keep it or give it to the member now.",
      example: "https://loyalty.example.com/card/q3Xw7Zb0cJv1T9sFh2kLm5Nn8Pp4Rr6Ss0Uu2Ww4Yy6",
    }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("CardLink");

const Revoked = z
  .object({ revoked: z.number().int().openapi({ description: "How many live links were ended (0 or 1)", example: 1 }) })
  .openapi("CardLinksRevoked");

export const memberCardLinkRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/members/{id}/card-link",
      tags: TAGS,
      summary: "Make a new link to a member's own card page",
      description:
        "Answers the address of the member's card page: their points, the rewards they can redeem and the ones they are saving toward, their latest changes, and their card number as a barcode and a QR code for the till. Any link made before stops working. A member without a card number is given one (13 digits with a check digit). No body.",
      security: bearerSecurity,
      request: { params: PathId },
      responses: {
        201: { description: "The new link", content: { "application/json": { schema: CardLink } } },
        ...errorResponses(404),
      },
    }),
    async (c) => {
      const { db, cache } = c.get("services");
      const issued = found(await issueMemberCardLink(db, cache, { companyId: c.get("companyId"), memberId: c.req.valid("param").id }));
      return c.json({ url: `${origin(c)}/card/${issued.token}`, created_at: new Date(issued.createdAt).toISOString() }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/members/{id}/card-link",
      tags: TAGS,
      summary: "End a member's card link",
      description: "The member's card page no longer opens from the link they have. Answers 0 when there was no live link.",
      security: bearerSecurity,
      request: { params: PathId },
      responses: {
        200: { description: "How many links were ended", content: { "application/json": { schema: Revoked } } },
        ...errorResponses(404),
      },
    }),
    async (c) => {
      const revoked = found(await revokeMemberCardLinks(c.get("services").db, { companyId: c.get("companyId"), memberId: c.req.valid("param").id }));
      return c.json({ revoked }, 200);
    },
  );
