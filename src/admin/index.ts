import { d1Bookmark } from "../services";
import { adminBodyLimit, adminBookmarkHeader, adminRouter, requireApiKey } from "./app";
import { apiKeyRoutes } from "./routes/api-keys";
import { connectionRoutes } from "./routes/connection";
import { earningRuleRoutes } from "./routes/earning-rules";
import { flagRoutes } from "./routes/flags";
import { limitRoutes } from "./routes/limits";
import { memberCardLinkRoutes } from "./routes/member-card-link";
import { memberIconRoutes } from "./routes/member-icon";
import { memberImportRoutes } from "./routes/member-import";
import { memberRoutes } from "./routes/members";
import { notificationRoutes } from "./routes/notifications";
import { pointsRoutes } from "./routes/points";
import { rewardRoutes } from "./routes/rewards";
import { settingsRoutes } from "./routes/settings";
import { tierRoutes } from "./routes/tiers";

// The admin API under /admin/v1: merchants run their programme here. Bearer API keys, one error
// envelope (src/admin/errors.ts), routes and the OpenAPI document from the same Zod schemas.
export const adminApi = adminRouter();

adminApi.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
  type: "http",
  scheme: "bearer",
  description: "An admin API key of the company (lk_...)",
});

// 4 MB: a bulk import of 10,000 members is about 2 MB of JSON.
// Reads (GET) start from the client's bookmark, changes on the primary (docs/read-replicas.md).
adminApi.use("*", d1Bookmark(adminBookmarkHeader), adminBodyLimit(4 * 1024 * 1024), requireApiKey);
adminApi.route("/", apiKeyRoutes);
adminApi.route("/", memberRoutes);
adminApi.route("/", memberImportRoutes);
adminApi.route("/", memberIconRoutes);
adminApi.route("/", memberCardLinkRoutes);
adminApi.route("/", rewardRoutes);
adminApi.route("/", settingsRoutes);
adminApi.route("/", earningRuleRoutes);
adminApi.route("/", tierRoutes);
adminApi.route("/", limitRoutes);
adminApi.route("/", flagRoutes);
adminApi.route("/", notificationRoutes);
adminApi.route("/", pointsRoutes);
adminApi.route("/", connectionRoutes);
