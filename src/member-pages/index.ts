import { Hono } from "hono";
import type { AppEnv } from "../services";
import { cardRoutes } from "./card";
import { devOutboxRoutes } from "./dev-outbox";
import { joinRoutes } from "./join";
import { unsubscribeRoutes } from "./unsubscribe";

// The pages a customer sees, without signing in: joining the programme (/join/:companyId, from the
// QR poster at the counter), their own card (/card/:token), and stopping our emails (/unsubscribe/...).
export const memberPageRoutes = new Hono<AppEnv>();
memberPageRoutes.route("/", joinRoutes);
memberPageRoutes.route("/", cardRoutes);
memberPageRoutes.route("/", unsubscribeRoutes);
memberPageRoutes.route("/", devOutboxRoutes);
