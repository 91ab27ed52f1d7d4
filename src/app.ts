import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { adminApi } from "./admin";
import { AdminError, adminErrorBody, adminErrorCodes, type AdminErrorCode } from "./admin/errors";
import { docsRoutes, registerKountaOperations } from "./docs/openapi";
import { requestId } from "hono/request-id";
import { ConfigError } from "./config";
import { connectRoutes } from "./connect/routes";
import { dashboardRoutes } from "./dashboard";
import { memberPageRoutes } from "./member-pages";
import { isPublicPagePath, publicErrorPage, publicNotFoundPage } from "./member-pages/error-pages";
import { healthRoutes } from "./health";
import { iconRoutes } from "./icons/routes";
import { kountaRoutes } from "./kounta/routes";
import { KountaError } from "./lib/errors";
import { serviceMessages as messages } from "./loyalty/cashier-messages";
import { describeError, Logger, redactPath } from "./lib/logger";
import { RequestMetrics } from "./lib/metrics";
import { Services, type AppEnv } from "./services";
import { newId } from "./lib/crypto";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

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

  app.route("/", healthRoutes);
  app.route("/kounta", kountaRoutes);
  app.route("/icons", iconRoutes);
  app.route("/admin/v1", adminApi);
  app.route("/", connectRoutes);
  app.route("/dashboard", dashboardRoutes);
  app.route("/", memberPageRoutes);
  registerKountaOperations(app.openAPIRegistry);
  app.route("/", docsRoutes(app));

  app.notFound((c) => {
    if (isAdminPath(c.req.path)) return c.json(adminErrorBody("not_found", "No such admin API route", c.get("requestId")), 404);
    if (isPublicPagePath(c.req.path)) return publicNotFoundPage(c);
    return c.json({ error: messages.notFound }, 404);
  });

  app.onError((err, c) => {
    const logger = c.get("services")?.logger ?? new Logger({ request_id: c.get("requestId") });
    if (isAdminPath(c.req.path)) {
      const { code, message } = adminError(err, logger, c.req.path);
      return c.json(adminErrorBody(code, message, c.get("requestId")), adminErrorCodes[code]);
    }
    if (err instanceof KountaError) {
      return c.json({ error: err.message }, err.status);
    }
    if (err instanceof HTTPException) {
      // Hono's own (a malformed body, a body too large): its status, a plain sentence.
      const status = err.status;
      const error = status === 413 ? messages.tooLarge : status < 500 ? messages.unreadable : messages.internal;
      return c.json({ error }, status);
    }
    if (err instanceof ConfigError) {
      logger.error("configuration invalid", { detail: err.message });
      return isPublicPagePath(c.req.path) ? publicErrorPage(c) : c.json({ error: messages.misconfigured }, 500);
    }
    logger.error("unhandled error", { path: redactPath(c.req.path), ...describeError(err) });
    return isPublicPagePath(c.req.path) ? publicErrorPage(c) : c.json({ error: messages.internal }, 500);
  });

  return app;
}

function isAdminPath(path: string): boolean {
  return path === "/admin/v1" || path.startsWith("/admin/v1/");
}

/** The admin API's envelope for any error: its own, Hono's, a misconfiguration or the unexpected. */
function adminError(err: Error, logger: Logger, path: string): { code: AdminErrorCode; message: string } {
  let code: AdminErrorCode = "internal";
  let message = "Something went wrong. Please try again.";
  if (err instanceof AdminError) {
    code = err.code;
    message = err.message;
  } else if (err instanceof HTTPException && err.status < 500) {
    code = (Object.entries(adminErrorCodes).find(([, status]) => status === err.status)?.[0] as AdminErrorCode) ?? "invalid_request";
    message = err.status === 413 ? "The request body is too large" : "The request could not be read";
  } else if (err instanceof ConfigError) {
    logger.error("configuration invalid", { detail: err.message });
    message = "The loyalty service is not set up correctly.";
  } else {
    logger.error("unhandled error", { path: redactPath(path), ...describeError(err) });
  }
  return { code, message };
}
