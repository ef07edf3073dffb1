/**
 * Outside /api/v1 and public: `/healthz` (the process is up), `/readyz` (every engine reachable;
 * 503 naming the ones that are not) and, when the seam is wired, `/metrics` in Prometheus text.
 */
import type { HealthDeps } from "../deps.ts";
import { route } from "./define.ts";

export function healthRoutes(deps: HealthDeps) {
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
      responses: { 200: "Ready", 503: "An engine is not reachable" },
      async handle({ c }) {
        const checks = await deps.readiness();
        const ready = checks.every((check) => check.ok);
        return c.json({ status: ready ? "ready" : "not_ready", checks }, ready ? 200 : 503);
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
