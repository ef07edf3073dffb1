/**
 * The security headers the old nginx added, on every response (errors and 404s included):
 * a same-origin CSP, `no-referrer-when-downgrade`, `nosniff`, no framing, and HSTS only when the
 * platform is served over TLS (HSTS over plain HTTP would lock browsers out of a LAN install).
 */
import type { MiddlewareHandler } from "hono";

/**
 * Same-origin only: the dashboard loads nothing from other origins. `media-src blob:`: the camera
 * pages play HLS with hls.js, which feeds the video element a Media Source (a `blob:` URL made by
 * the page itself, never fetched from anywhere).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function securityHeaders(options: { hsts?: boolean } = {}): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.set("Referrer-Policy", "no-referrer-when-downgrade");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    if (options.hsts) headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  };
}
