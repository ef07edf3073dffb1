/**
 * The client address that login attempts are counted against. Without a trusted proxy it is the
 * socket peer; behind one (`trustProxy`) it is the last `X-Forwarded-For` entry: the address the
 * proxy itself saw, which a client cannot forge (entries before it can be).
 */
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

export function defaultClientAddress(options: { trustProxy?: boolean } = {}): (c: Context) => string {
  return (c) => {
    if (options.trustProxy) {
      const forwarded = c.req.header("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
      const last = forwarded?.[forwarded.length - 1];
      if (last) return last;
    }
    try {
      return getConnInfo(c).remote.address ?? "unknown";
    } catch {
      // No socket information (e.g. `app.request()` in tests): every such request shares one bucket.
      return "unknown";
    }
  };
}
