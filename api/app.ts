/**
 * The HTTP app, built from its dependencies so tests drive it with `app.request()`.
 * For now it serves the health endpoints; the /api/v1 routes arrive with the API issue.
 */
import { Hono } from "hono";

/** The result of probing one engine. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface AppDeps {
  /** Probes each engine; `/readyz` is 200 only when all are ok. */
  readiness(): Promise<ReadinessCheck[]>;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.get("/readyz", async (c) => {
    const checks = await deps.readiness();
    const ready = checks.every((check) => check.ok);
    return c.json({ status: ready ? "ready" : "not_ready", checks }, ready ? 200 : 503);
  });

  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}` } }, 404)
  );

  app.onError((error, c) => {
    console.error("unhandled error", error);
    return c.json({ error: { code: "internal", message: "Internal server error" } }, 500);
  });

  return app;
}
