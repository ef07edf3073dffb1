/**
 * Outside /api/v1 and public: `/healthz` (the process is up), `/readyz` (every engine reachable;
 * 503 naming the ones that are not) and, when the seam is wired, `/metrics` in Prometheus text.
 *
 * `/readyz` tells anonymous callers (load balancers, probes) only which component is ok: an
 * engine's error names hosts, users and versions, which is for admins (who get `detail`) and the
 * log (each failing detail once, until it changes), not for anyone who can reach the port.
 */
import type { HealthDeps, ReadinessCheck } from "../deps.ts";
import { roleAllows } from "../../core/users/roles.ts";
import { route } from "./define.ts";
import { type Logger, noopLogger } from "../../core/logging/mod.ts";

/** Logs each failing check's detail when it first appears or changes; probes repeat every few seconds. */
function failureLogger(logger: Logger): (checks: ReadinessCheck[]) => void {
  const logged = new Map<string, string>();
  return (checks) => {
    for (const check of checks) {
      if (check.ok) {
        logged.delete(check.name);
      } else if (logged.get(check.name) !== (check.detail ?? "")) {
        logged.set(check.name, check.detail ?? "");
        logger.warn("not ready", { check: check.name, detail: check.detail ?? "(no detail)" });
      }
    }
  };
}

export function healthRoutes(deps: HealthDeps) {
  const logFailures = failureLogger((deps.logger ?? noopLogger).child("readyz"));
  const routes = [
    route({
      method: "get",
      path: "/healthz",
      summary: "The process is up",
      tag: "health",
      permission: "public",
      responses: { 200: "Up" },
      handle: ({ c }) => c.json({ status: "ok" }),
    }),
    route({
      method: "get",
      path: "/readyz",
      summary: "Every engine is reachable",
      tag: "health",
      permission: "public",
      identifyCaller: true,
      responses: {
        200: "Ready",
        503: "An engine is not reachable; `detail` says why, to admins only",
      },
      async handle({ c, principal }) {
        const checks = await deps.readiness();
        logFailures(checks);
        const ready = checks.every((check) => check.ok);
        const detailed = principal !== undefined && roleAllows(principal.role, "manage");
        const shown = detailed ? checks : checks.map(({ name, ok }) => ({ name, ok }));
        return c.json({ status: ready ? "ready" : "not_ready", checks: shown }, ready ? 200 : 503);
      },
    }),
  ];
  const metrics = deps.metrics;
  if (metrics) {
    routes.push(route({
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics (text exposition format)",
      tag: "health",
      permission: "public",
      responses: { 200: "Prometheus text" },
      handle: async ({ c }) =>
        c.body(await metrics(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }),
    }));
  }
  return routes;
}
