import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { ConfigError } from "./config";
import { iconRoutes } from "./icons/routes";
import { kountaRoutes } from "./kounta/routes";
import { KountaError, messages } from "./lib/errors";
import { describeError, Logger, redactPath } from "./lib/logger";
import { RequestMetrics } from "./lib/metrics";
import { Services, type AppEnv } from "./lib/services";
import { newId } from "./lib/crypto";

export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(requestId({ generator: () => newId("req") }));

  app.use(async (c, next) => {
    const metrics = new RequestMetrics();
    const logger = new Logger({ request_id: c.get("requestId") });
    c.set("services", new Services(c.env, metrics, logger));
    await next();
    c.header("Server-Timing", metrics.serverTiming());
    logger.info("request", {
      method: c.req.method,
      path: redactPath(c.req.path),
      status: c.res.status,
      duration_ms: Math.round(metrics.elapsedMs()),
      d1_round_trips: metrics.d1RoundTrips,
      d1_queries: metrics.d1Queries,
      kounta_calls: metrics.kountaCalls,
      d1_rows_read: metrics.d1RowsRead,
      kv: metrics.kv,
    });
  });

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.route("/kounta", kountaRoutes);
  app.route("/icons", iconRoutes);

  app.notFound((c) => c.json({ error: messages.notFound }, 404));

  app.onError((err, c) => {
    const logger = c.get("services")?.logger ?? new Logger({ request_id: c.get("requestId") });
    if (err instanceof KountaError) {
      return c.json({ error: err.message }, err.status);
    }
    if (err instanceof HTTPException) {
      // Hono's own (a malformed body, a body too large): its status, a plain sentence.
      const status = err.status;
      const error = status === 413 ? "The request is too large." : status < 500 ? "The request could not be read." : messages.internal;
      return c.json({ error }, status);
    }
    if (err instanceof ConfigError) {
      logger.error("configuration invalid", { detail: err.message });
      return c.json({ error: messages.misconfigured }, 500);
    }
    logger.error("unhandled error", { path: redactPath(c.req.path), ...describeError(err) });
    return c.json({ error: messages.internal }, 500);
  });

  return app;
}
