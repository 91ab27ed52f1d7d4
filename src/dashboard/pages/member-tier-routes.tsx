import { Hono } from "hono";
import { fieldErrors, floorUntil, formBody, MemberTierPut } from "../../admin/inputs";
import { getMember } from "../../loyalty/members/member-admin";
import { setTierFloor } from "../../loyalty/tiers/member-tier";
import type { DashboardEnv } from "../env";
import { keptValues, readForm } from "../forms";
import { seeOther } from "../layout";
import { dashboardActor } from "../session";
import { memberPath } from "./member-forms";
import { memberNotFound, memberPage } from "./member-page";

// POST /dashboard/members/:id/tier: the member's level set by hand, as PUT
// /admin/v1/members/{id}/tier sets it (MemberTierPut, setTierFloor): a floor until a day, or for
// good; an empty level clears it. Recorded in the member's changes of level as "manual".

export const TIER_FIELDS = { tier_id: "nullableString", until: "nullableString" } as const;
export const CHOOSE_A_TIER = "Choose one of the programme's tiers";
export const NOT_IN_THE_PAST = "Must be today or a later day";

export const memberTierRoutes = new Hono<DashboardEnv>().post("/members/:id/tier", async (c) => {
  const { db, cache } = c.get("services");
  const companyId = c.get("session").companyId;
  const member = await getMember(db, companyId, c.req.param("id"));
  if (!member) return memberNotFound(c);
  const form = await readForm(c);
  const values = keptValues(form);
  const refuse = (errors: Record<string, string>) => memberPage(c, member.id, { tier: { values, errors } }, 400);
  const parsed = MemberTierPut.safeParse(formBody(form, TIER_FIELDS));
  if (!parsed.success) return refuse(fieldErrors(parsed.error.issues));
  const until = floorUntil(parsed.data);
  const now = Date.now();
  if (parsed.data.tier_id && until !== null && until <= now) return refuse({ until: NOT_IN_THE_PAST });
  const result = await setTierFloor(db, cache, { companyId, memberId: member.id, tierId: parsed.data.tier_id, until, actor: dashboardActor(c), now });
  if (result.outcome === "not_found") return memberNotFound(c);
  if (result.outcome === "unknown_tier") return refuse({ tier_id: CHOOSE_A_TIER });
  return seeOther(c, memberPath(member.id), "tier");
});
