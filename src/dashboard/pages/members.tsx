import { Hono, type Context } from "hono";
import { fieldErrors, formBody, MemberListQuery, NewMember, newMemberFields } from "../../admin/inputs";
import { publicOrigin } from "../../kounta/origin";
import { createMember, decodeCursor, listMembers, MemberError, searchMemberRows } from "../../loyalty/members/member-admin";
import { getSettings } from "../../loyalty/settings";
import type { DashboardEnv } from "../env";
import { errorPage } from "../error-page";
import { emptyForm, keptValues, readForm, type FormState } from "../forms";
import { Layout, render, seeOther } from "../layout";
import { dashboardActor } from "../session";
import { memberErrorFields, memberPageRoutes } from "./member-actions";
import { memberCardLinkRoutes } from "./member-card-link-routes";
import { memberPath, NewMemberForm, NEW_MEMBER_FIELDS } from "./member-forms";
import { memberListPage } from "./member-list";
import { memberTierRoutes } from "./member-tier-routes";

// The Members section: the list and the till's search (GET /dashboard/members), adding a member
// (GET /dashboard/members/new, POST /dashboard/members), and each member's page (member-actions.tsx).
// Validated by the admin API's own schemas (GET /admin/v1/members, POST /admin/v1/members).

export const membersRoutes = new Hono<DashboardEnv>();

const pointsLabelOf = async (c: Context<DashboardEnv>) =>
  (await getSettings(c.get("services").db, c.get("session").companyId))?.pointsLabel ?? "Points";

membersRoutes.get("/members", async (c) => {
  const { db } = c.get("services");
  const companyId = c.get("session").companyId;
  const pointsLabel = await pointsLabelOf(c);
  const text = c.req.query("q") ?? "";
  const search = emptyForm({ q: text });

  if (text.trim() !== "") {
    // The admin API's search, as the till searches: active members, best match first.
    const parsed = MemberListQuery.safeParse({ q: text });
    if (!parsed.success) {
      const view = { rows: [], pointsLabel, search: { ...search, errors: fieldErrors(parsed.error.issues) }, searching: true, later: false, next: null };
      return memberListPage(c, view, 400);
    }
    const rows = (await searchMemberRows(db, companyId, parsed.data.q!)).slice(0, parsed.data.limit);
    return memberListPage(c, { rows, pointsLabel, search, searching: true, later: false, next: null });
  }

  const cursor = c.req.query("cursor");
  const parsed = MemberListQuery.safeParse({ cursor });
  const afterPk = !parsed.success ? null : cursor === undefined ? 0 : decodeCursor(cursor);
  if (!parsed.success || afterPk === null) return errorPage(c, 400, "This page of members does not exist. Start again from the first page.");
  const page = await listMembers(db, companyId, { limit: parsed.data.limit, afterPk });
  return memberListPage(c, { rows: page.rows, pointsLabel, search, searching: false, later: afterPk > 0, next: page.nextCursor });
});

function newMemberPage(c: Context<DashboardEnv>, form: FormState, status: 200 | 400 | 409 = 200) {
  return render(
    c,
    <Layout c={c} section="Members" title="Add a member">
      <p>
        <a href="/dashboard/members">All members</a>
      </p>
      <section class="card">
        <NewMemberForm c={c} form={form} />
      </section>
    </Layout>,
    status,
  );
}

membersRoutes.get("/members/new", (c) => newMemberPage(c, emptyForm()));

membersRoutes.post("/members", async (c) => {
  const form = await readForm(c);
  const parsed = NewMember.safeParse(formBody(form, NEW_MEMBER_FIELDS));
  if (!parsed.success) return newMemberPage(c, { values: keptValues(form), errors: fieldErrors(parsed.error.issues) }, 400);
  const services = c.get("services");
  const companyId = c.get("session").companyId;
  let row;
  try {
    row = await createMember(services.db, companyId, newMemberFields(parsed.data), dashboardActor(c));
  } catch (err) {
    if (!(err instanceof MemberError)) throw err;
    return newMemberPage(c, { values: keptValues(form), errors: memberErrorFields(err) }, err.kind === "conflict" ? 409 : 400);
  }
  // As the admin API: a welcome when they have an email and agreed (it never fails the enrolment).
  await services.notifier(publicOrigin(c)).welcome(companyId, row.id);
  return seeOther(c, memberPath(row.id), "created");
});

// After /members/new, so that "new" is never read as a member's id.
membersRoutes.route("/", memberPageRoutes);
membersRoutes.route("/", memberCardLinkRoutes);
membersRoutes.route("/", memberTierRoutes);
