/**
 * The client address that login attempts are counted against. Without a trusted proxy it is the
 * socket peer. Behind proxies it comes from `X-Forwarded-For`, whose entries a client can forge
 * except those appended by proxies we trust:
 * - `trustProxy: true` trusts any peer: the last entry (the address the proxy in front saw);
 * - `trustProxy: ["127.0.0.1", "10.0.0.0/8"]` trusts only those peers: when the socket peer is one
 *   of them, the chain is walked from the right over trusted entries, and the first untrusted one
 *   is the client (all trusted: the left-most). Any other peer is the client itself, whatever
 *   header it sends.
 */
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";
import { addressMatcher } from "./address_ranges.ts";

export type TrustProxy = boolean | readonly string[];

/**
 * The client address from the socket peer (undefined: no socket information) and the request's
 * `X-Forwarded-For`, for any transport (HTTP here; an MQTT-over-WebSocket upgrade could use it too).
 * Throws a `TypeError` at once when a trusted proxy is neither an address nor a CIDR range.
 */
export function clientAddressResolver(
  trustProxy: TrustProxy = false,
): (peer: string | undefined, forwardedFor: string | undefined) => string {
  const trusted = Array.isArray(trustProxy) ? addressMatcher(trustProxy) : undefined;
  return (peer, forwardedFor) => {
    // No socket information (e.g. `app.request()` in tests): every such request shares one bucket.
    if (trustProxy === false) return peer ?? "unknown";
    const chain = forwardedFor?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
    if (!trusted) return chain[chain.length - 1] ?? peer ?? "unknown";
    // Without a socket peer there is no telling who wrote the header.
    if (peer === undefined) return "unknown";
    if (!trusted(peer)) return peer;
    return chain.findLast((entry) => !trusted(entry)) ?? chain[0] ?? peer;
  };
}

/** The client address of a Hono request (see `clientAddressResolver`). */
export function defaultClientAddress(options: { trustProxy?: TrustProxy } = {}): (c: Context) => string {
  const resolve = clientAddressResolver(options.trustProxy);
  return (c) => resolve(socketPeer(c), c.req.header("x-forwarded-for"));
}

function socketPeer(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address ?? undefined;
  } catch {
    return undefined;
  }
}
