/**
 * Cross-site request forgery protection for cookie-authenticated writes. A browser attaches the
 * session cookie to any request to us, also one a foreign page makes (a form, a `text/plain`
 * fetch: no preflight), and SameSite=Strict alone leaves older browsers and same-site
 * subdomains exposed. So a write that authenticates with the cookie must come from our own
 * origin or one of `AIOT_CORS_ORIGINS`; bearer tokens are never sent by a browser on its own and
 * are not checked.
 *
 * The same rules as Go's `http.CrossOriginProtection`: trust `Sec-Fetch-Site` when the browser
 * sends it (the browser computes it, so proxies rewriting Host cannot confuse it); else compare
 * `Origin` with the host the request was sent to (the scheme is left out: behind a TLS proxy we see
 * http while the browser saw https); a request with neither header is not from a browser.
 */
import type { Context } from "hono";
import { ForbiddenError } from "../http_errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The hosts (`name:port` as in a Host header) this request was addressed to. */
function addressedHosts(c: Context): string[] {
  const forwarded = c.req.header("x-forwarded-host")?.split(",").map((h) => h.trim()) ?? [];
  // A foreign page cannot set X-Forwarded-Host (not a CORS-safelisted header): safe to accept.
  return [c.req.header("host") ?? new URL(c.req.url).host, ...forwarded].map((h) => h.toLowerCase());
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Throws a `ForbiddenError` when the unsafe request `c` comes from an origin not allowed. */
export function assertSameOrigin(c: Context, allowedOrigins: readonly string[] = []): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header("origin");
  if (origin !== undefined && allowedOrigins.includes(origin)) return;
  const fetchSite = c.req.header("sec-fetch-site");
  if (fetchSite !== undefined) {
    if (fetchSite === "same-origin" || fetchSite === "none") return;
    throw new ForbiddenError(
      `Cross-origin request refused: Sec-Fetch-Site is ${fetchSite} and Origin ${origin ?? "(none)"} ` +
        "is not in AIOT_CORS_ORIGINS",
    );
  }
  if (origin === undefined) return;
  const host = hostOf(origin);
  if (host !== undefined && addressedHosts(c).includes(host)) return;
  throw new ForbiddenError(
    `Cross-origin request refused: Origin ${
      origin.slice(0, 200)
    } is neither this host nor in AIOT_CORS_ORIGINS`,
  );
}
