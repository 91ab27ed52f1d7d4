import { Hono } from "hono";
import { sql } from "drizzle-orm";
import { ConfigError } from "./config";
import { describeError } from "./lib/logger";
import type { AppEnv } from "./services";
import { all, query } from "./storage/sql";

/**
 * Liveness and readiness. /health answers without touching D1 or KV (is the Worker up?); /ready
 * also checks the configuration and runs one trivial D1 query (can it serve the POS?), so an uptime check can tell a Worker that
 * is up from one that can answer a search. The benchmark uses /ready as the floor of a D1 round trip.
 */
export const healthRoutes = new Hono<AppEnv>()
  .get("/health", (c) => c.json({ status: "ok" }))
  .get("/ready", async (c) => {
    const services = c.get("services");
    const { db, logger } = services;
    try {
      void services.config; // a Worker whose secrets are missing or unfit cannot serve the POS either
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      logger.error("readiness: configuration invalid", { detail: err.message });
      return c.json({ status: "unavailable" }, 503);
    }
    try {
      await all(db, query(sql`SELECT 1 AS ok`));
      return c.json({ status: "ok" });
    } catch (err) {
      logger.error("readiness: D1 did not answer", describeError(err));
      return c.json({ status: "unavailable" }, 503);
    }
  });
