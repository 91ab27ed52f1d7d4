import { Hono } from "hono";
import { publicOrigin } from "../../kounta/origin";
import { issueMemberCardLink, revokeMemberCardLinks } from "../../loyalty/members/card-link-issue";
import type { DashboardEnv } from "../env";
import { render, seeOther } from "../layout";
import { IssuedCardLinkPage } from "./member-card-link";
import { memberPath } from "./member-forms";
import { memberNotFound } from "./member-page";

// POST /dashboard/members/:id/card-link: a new link to the member's card page (the older one
// revoked), shown once with its QR code. POST /dashboard/members/:id/card-link/revoke: no live link
// left. Both within the session's company (another company's member: the 404 page, nothing
// changes), behind the dashboard's Origin and CSRF checks like every form. The admin API's
// equivalents: src/admin/routes/member-card-link.ts.

export const memberCardLinkRoutes = new Hono<DashboardEnv>();

memberCardLinkRoutes.post("/members/:id/card-link", async (c) => {
  const { db, cache } = c.get("services");
  const issued = await issueMemberCardLink(db, cache, { companyId: c.get("session").companyId, memberId: c.req.param("id") });
  if (!issued) return memberNotFound(c);
  const url = `${publicOrigin(c)}/card/${issued.token}`;
  return render(c, <IssuedCardLinkPage c={c} member={issued.member} url={url} />);
});

memberCardLinkRoutes.post("/members/:id/card-link/revoke", async (c) => {
  const memberId = c.req.param("id");
  const revoked = await revokeMemberCardLinks(c.get("services").db, { companyId: c.get("session").companyId, memberId });
  if (revoked === null) return memberNotFound(c);
  return seeOther(c, memberPath(memberId), revoked > 0 ? "card-link-revoked" : "card-link-none");
});
