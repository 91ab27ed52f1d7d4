import { Hono } from "hono";
import type { AppEnv } from "../services";
import { cardRoutes } from "./card";
import { joinRoutes } from "./join";

// The pages a customer sees, without signing in: joining the programme (/join/:companyId, from the
// QR poster at the counter) and their own card (/card/:token).
export const memberPageRoutes = new Hono<AppEnv>();
memberPageRoutes.route("/", joinRoutes);
memberPageRoutes.route("/", cardRoutes);
