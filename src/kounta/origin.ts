import type { Context } from "hono";
import type { AppEnv } from "../services";

/** Our own absolute origin for URLs we hand to the POS (icons, redeem_url). */
export function publicOrigin<E extends AppEnv>(c: Context<E>): string {
  return c.get("services").config.PUBLIC_BASE_URL?.replace(/\/+$/, "") ?? new URL(c.req.url).origin;
}
