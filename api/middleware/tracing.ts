/**
 * HTTP server spans (OpenTelemetry HTTP conventions): one `SERVER` span per request, named by
 * method and route pattern (never the raw path), continuing the caller's `traceparent` header
 * when it sends a valid one. The span is active while the request is handled, so the events a
 * route appends carry it and log lines find its trace id. With tracing off it only calls `next`.
 */
import type { MiddlewareHandler } from "hono";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { contextFrom, endSpan, tracer, tracingEnabled } from "../../core/tracing/mod.ts";

const UNTRACED = new Set(["/healthz", "/readyz", "/metrics"]);

export function tracing(): MiddlewareHandler {
  return async (c, next) => {
    // Probes and scrapes every few seconds would bury the traces worth reading.
    if (!tracingEnabled() || UNTRACED.has(c.req.path)) return next();
    const parent = contextFrom(c.req.header("traceparent"));
    const method = c.req.method;
    const span = tracer().startSpan(method, {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": method, "url.path": c.req.path, "url.scheme": "http" },
    }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
    // After routing, `routePath` is the pattern of the handler that answered.
    const route = c.req.routePath;
    if (route && route !== "/*" && route !== "*") {
      span.updateName(`${method} ${route}`);
      span.setAttribute("http.route", route);
    }
    span.setAttribute("http.response.status_code", c.res.status);
    if (c.res.status >= 500) span.setStatus({ code: 2 });
    span.end();
  };
}
