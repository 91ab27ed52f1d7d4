import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { dashboardBookmarkCookie } from "../connect/d1-bookmark";
import { describeError, redactPath } from "../lib/logger";
import { d1Bookmark } from "../services";
import { assetRoutes } from "./assets";
import type { DashboardEnv } from "./env";
import { errorPage } from "./error-page";
import { activityRoutes } from "./pages/activity";
import { connectionRoutes } from "./pages/connection";
import { importRoutes } from "./pages/import";
import { membersRoutes } from "./pages/members";
import { overviewRoutes } from "./pages/overview";
import { posterRoutes } from "./pages/poster";
import { programmeRoutes } from "./pages/programme";
import { rewardsRoutes } from "./pages/rewards";
import { ForgedRequest, requireSameOriginForm, requireSession } from "./session";
import { signInRoutes, signOutRoutes } from "./sign-in-page";

// The merchant dashboard under /dashboard: server-rendered pages (hono/jsx), signed in with Kounta,
// every read and write scoped to the session's company, through the same domain functions and input
// schemas as the admin API.
export const dashboardRoutes = new Hono<DashboardEnv>();

// Imports are the largest posts (a CSV of 10,000 members is about 1 MB).
const MAX_BODY = 4 * 1024 * 1024;

// Pages (GET) read from the bookmark cookie's copy, posts on the primary (docs/read-replicas.md).
dashboardRoutes.use("*", d1Bookmark(dashboardBookmarkCookie));
dashboardRoutes.route("/", assetRoutes);
dashboardRoutes.route("/", signInRoutes);
dashboardRoutes.use("*", bodyLimit({ maxSize: MAX_BODY, onError: (c) => errorPage(c, 413, "That upload is too large: at most 4 MB.") }));
dashboardRoutes.use("*", requireSession, requireSameOriginForm);
dashboardRoutes.route("/", signOutRoutes);
dashboardRoutes.route("/", overviewRoutes);
dashboardRoutes.route("/", membersRoutes);
dashboardRoutes.route("/", rewardsRoutes);
dashboardRoutes.route("/", programmeRoutes);
dashboardRoutes.route("/", posterRoutes);
dashboardRoutes.route("/", importRoutes);
dashboardRoutes.route("/", activityRoutes);
dashboardRoutes.route("/", connectionRoutes);
dashboardRoutes.all("*", (c) => errorPage(c, 404, "There is no such page in the dashboard."));

dashboardRoutes.onError((err, c) => {
  if (err instanceof ForgedRequest || (err instanceof HTTPException && err.status === 403)) {
    c.get("services").logger.warn("dashboard form refused", { path: redactPath(c.req.path), reason: err.message.slice(0, 40) });
    return errorPage(c, 403, "This form could not be accepted: it did not come from this dashboard, or the page was open too long. Nothing was changed. Go back, reload the page and try again.");
  }
  if (err instanceof HTTPException && err.status < 500) return errorPage(c, 400, "This request could not be read. Nothing was changed.");
  c.get("services").logger.error("dashboard error", { path: redactPath(c.req.path), ...describeError(err) });
  return errorPage(c, 500, "Something went wrong on our side. Go back and try again in a moment.");
});
