/**
 * The HTTP app, built from its dependencies so tests drive it with `app.request()`. With only
 * `readiness` it serves the health endpoints (a processor's own service); with the full
 * `AppDeps` it serves the /api/v1 routes of design §7 and their OpenAPI document.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { uuidv7 } from "../core/events/uuid_v7.ts";
import { authenticate } from "./auth/principal.ts";
import { defaultClientAddress } from "./auth/client_address.ts";
import type { AppDeps, HealthDeps } from "./deps.ts";
import { errorHandler, handleNotFound } from "./middleware/error_handler.ts";
import { securityHeaders } from "./middleware/security_headers.ts";
import { tracing } from "./middleware/tracing.ts";
import { accessRoutes } from "./routes/access.ts";
import { apiContext } from "./routes/api_context.ts";
import { authRoutes } from "./routes/auth.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { commandRoutes } from "./routes/commands.ts";
import { mountRoutes, type Route, route, type RouteHooks } from "./routes/define.ts";
import { deviceDataRoutes } from "./routes/device_data.ts";
import { deviceRoutes } from "./routes/devices.ts";
import { healthRoutes } from "./routes/health.ts";
import { dlqRoutes, streamRoutes } from "./routes/log_views.ts";
import { exportRoutes } from "./routes/export.ts";
import { firmwareRoutes } from "./routes/firmware.ts";
import { openApiDocument } from "./routes/openapi.ts";
import { otaRoutes } from "./routes/ota.ts";
import { ruleBacktestRoutes } from "./routes/rule_backtest.ts";
import { ruleRoutes } from "./routes/rules.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { cameraRoutes } from "./routes/cameras.ts";
import { retentionRoutes } from "./routes/retention.ts";

/** Request bodies above this are refused with 413 (except on routes that stream a raw body). */
const MAX_BODY_BYTES = 1024 * 1024;

const hasApi = (deps: HealthDeps | AppDeps): deps is AppDeps => "users" in deps && "readModels" in deps;

/** The /api/v1 routes of `deps` (the live stream only when its seam is wired). */
export function apiRoutes(deps: AppDeps): Route[] {
  const ctx = apiContext(deps);
  const clientAddress = deps.clientAddress ?? defaultClientAddress(deps.security ?? {});
  return [
    ...authRoutes(ctx, clientAddress),
    ...accessRoutes(ctx),
    ...deviceRoutes(ctx),
    ...deviceDataRoutes(ctx),
    ...commandRoutes(ctx),
    ...ruleRoutes(ctx),
    ...ruleBacktestRoutes(ctx),
    ...alertRoutes(ctx),
    ...dlqRoutes(ctx),
    ...otaRoutes(ctx),
    ...(deps.live ? streamRoutes(ctx, deps.live) : []),
    ...(deps.webhooks ? webhookRoutes(ctx, deps.webhooks) : []),
    ...(deps.exportLog ? exportRoutes(ctx, deps.exportLog) : []),
    ...(deps.firmware ? firmwareRoutes(ctx, deps.firmware) : []),
    ...(deps.cameras ? cameraRoutes(ctx, deps.cameras) : []),
    ...(deps.retention ? retentionRoutes(ctx, deps.retention) : []),
  ];
}

function auditHooks(deps: AppDeps): RouteHooks {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => uuidv7(now()));
  return {
    authenticate: (c) => authenticate(c, deps.users, now),
    async audit(c, r, actor, status) {
      try {
        await deps.users.appendAudit({
          id: newId(),
          at: new Date(now()).toISOString(),
          actor,
          action: `${r.method.toUpperCase()} ${r.path}`,
          target: c.req.path,
          status,
        });
      } catch (error) {
        // The call itself is done (and durable); a lost audit row must not turn it into an error.
        deps.logger?.error("cannot record audit", { action: `${r.method.toUpperCase()} ${r.path}`, error });
      }
    },
  };
}

export function createApp(deps: HealthDeps | AppDeps): Hono {
  const app = new Hono();
  const security = deps.security ?? {};
  app.use(tracing());
  app.use(securityHeaders({ hsts: security.hsts ?? false }));
  if (security.corsOrigins?.length) {
    app.use("/api/v1/*", cors({ origin: security.corsOrigins, credentials: true }));
  }
  const routes = [...healthRoutes(deps), ...(hasApi(deps) ? apiRoutes(deps) : [])];
  // Routes that stream a raw body (firmware uploads) enforce their own, larger limit.
  const streamed = new Set(
    routes.filter((r) => r.rawBody).map((r) => {
      if (r.path.includes("{")) {
        throw new TypeError(`Route ${r.path}: a raw body needs a path without parameters`);
      }
      return `${r.method.toUpperCase()} ${r.path}`;
    }),
  );
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES });
  app.use("/api/v1/*", (c, next) => streamed.has(`${c.req.method} ${c.req.path}`) ? next() : limit(c, next));

  const documented = [
    ...routes,
    route({
      method: "get",
      path: "/api/v1/openapi.json",
      summary: "This document",
      tag: "meta",
      permission: "public",
      responses: { 200: "OpenAPI 3.1" },
      handle: ({ c }) => c.json(openApi),
    }),
  ];
  const openApi = openApiDocument(documented);
  mountRoutes(app, documented, deps, hasApi(deps) ? auditHooks(deps) : undefined);

  app.notFound(handleNotFound);
  app.onError(errorHandler(deps.logger?.child("http")));
  return app;
}
