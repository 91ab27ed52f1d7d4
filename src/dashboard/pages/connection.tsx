import { Hono } from "hono";
import type { Context } from "hono";
import { CreateApiKey, fieldErrors, FORM_ERROR, formBody } from "../../admin/inputs";
import { PathId } from "../../admin/schemas";
import { disconnectCompany, readConnection } from "../../connect/connection";
import { clearedSessionCookie } from "../../connect/sign-in";
import { companyLoyaltyUrls } from "../../kounta/addon-key";
import { publicOrigin } from "../../kounta/origin";
import { createApiKey, listApiKeys, revokeApiKey } from "../../storage/api-keys";
import type { DashboardEnv } from "../env";
import { errorPage } from "../error-page";
import { emptyForm, keptValues, readForm } from "../forms";
import { noticeFor, render, seeOther } from "../layout";
import { ConnectionPage, type ConnectionForms } from "./connection-view";

// Connection: the Loyalty-tab addresses to paste into Kounta, the connection's state, the admin
// API keys (made, listed, revoked as the admin API's /api-keys do) and disconnecting.

export const connectionRoutes = new Hono<DashboardEnv>();

const notices = {
  revoked: "The API key was revoked: it no longer opens the admin API.",
};

const PATH = "/dashboard/connection";

export const MANAGER_KEY_NEEDS_MANAGER =
  "Only a session in manager mode can make a manager's key: enter the manager code under Manager mode on the Programme page first. No key was made.";

async function show(c: Context<DashboardEnv>, forms: ConnectionForms, status: 200 | 400 | 403 = 200) {
  const { db, config } = c.get("services");
  const companyId = c.get("session").companyId;
  const [connection, keys, urls] = await Promise.all([
    readConnection(db, companyId),
    listApiKeys(db, companyId),
    companyLoyaltyUrls(publicOrigin(c), config.KOUNTA_ADDON_KEY, companyId),
  ]);
  if (!connection) return errorPage(c, 404, "This company is not known.");
  const notice = status === 200 && !forms.newKey ? noticeFor(c, notices) : null;
  return render(c, <ConnectionPage c={c} connection={connection} keys={keys} urls={urls} forms={forms} notice={notice} />, status);
}

connectionRoutes.get("/connection", (c) => show(c, {}));

connectionRoutes.post("/connection/keys", async (c) => {
  const form = await readForm(c);
  const parsed = CreateApiKey.safeParse(formBody(form, { name: "string", manager: "boolean" }));
  const values = { ...keptValues(form), manager: formBody(form, { manager: "boolean" }).manager === true ? "true" : "false" };
  if (!parsed.success) return show(c, { key: { values, errors: fieldErrors(parsed.error.issues) } }, 400);
  // As the admin API: only a manager makes a manager's key.
  const manager = parsed.data.manager ?? false;
  if (manager && !c.get("session").manager) return show(c, { key: { values, errors: { [FORM_ERROR]: MANAGER_KEY_NEEDS_MANAGER } } }, 403);
  const created = await createApiKey(c.get("services").db, { companyId: c.get("session").companyId, name: parsed.data.name, manager });
  // The key itself is on this answer only (never stored, never in an address): no redirect.
  return show(c, { newKey: { id: created.id, name: created.name, key: created.key, manager: created.manager } });
});

connectionRoutes.post("/connection/keys/:id/revoke", async (c) => {
  const id = PathId.safeParse({ id: c.req.param("id") });
  const revoked = id.success ? await revokeApiKey(c.get("services").db, c.get("session").companyId, id.data.id) : null;
  if (!revoked) return errorPage(c, 404, "There is no such API key. Nothing was changed.");
  return seeOther(c, PATH, "revoked");
});

connectionRoutes.post("/connection/disconnect", async (c) => {
  const form = await readForm(c);
  if (formBody(form, { confirm: "boolean" }).confirm !== true) {
    const errors = { confirm: "Tick this box to disconnect: nothing changes until you do." };
    return show(c, { disconnect: { ...emptyForm(keptValues(form)), errors } }, 400);
  }
  // Ends every session of the company, this one included: back to the sign-in page.
  await disconnectCompany(c.get("services"), c.get("session").companyId);
  return c.body(null, 303, { Location: "/dashboard/sign-in?disconnected=1", "Cache-Control": "no-store", "Set-Cookie": clearedSessionCookie() });
});
