/**
 * The one place errors become responses: `{"error": {"code", "message", "details"?}}`. AIOT's
 * error classes carry their status and code; Hono's own `HTTPException`s (e.g. body too large)
 * keep theirs; anything else is a 500 that is logged and never explained to the client.
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AiotError } from "../../core/errors.ts";
import { TooManyRequestsError } from "../http_errors.ts";
import { type Logger, noopLogger } from "../../core/logging/mod.ts";

const CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

/** The error handler, logging what it cannot explain to the client. */
export const errorHandler = (logger: Logger = noopLogger): ErrorHandler => (error, c: Context) => {
  if (error instanceof AiotError) {
    if (error instanceof TooManyRequestsError) c.header("Retry-After", String(error.retryAfterSeconds));
    const body = {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    };
    return c.json({ error: body }, error.status as ContentfulStatusCode);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return c.json({
      error: { code: CODES[status] ?? "http_error", message: error.message || "Request refused" },
    }, status);
  }
  // The route pattern, not the URL: a query string may carry a signature or a token.
  logger.error("unhandled error", { method: c.req.method, route: c.req.routePath, error });
  return c.json({ error: { code: "internal", message: "Internal server error" } }, 500);
};

export const handleNotFound: NotFoundHandler = (c) =>
  c.json({ error: { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}` } }, 404);
