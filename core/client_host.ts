/**
 * The key a client address is throttled by. The port is dropped (each connection has its own),
 * and an IPv6 address counts by its /64 network: a single host usually holds a whole /64 and can
 * pick a fresh address from it for every attempt.
 */

/** The throttle key of a bare address (no port), as sockets and `X-Forwarded-For` give it. */
export function hostKey(address: string): string {
  return clientHostKey(`[${address.replace(/^\[|\]$/g, "")}]:0`);
}

/** `host:port` as the broker reports it (`[v6]:port` or `v6:port` alike) → the throttle key. */
export function clientHostKey(address: string): string {
  let host = address.replace(/:\d+$/, "");
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (!host.includes(":")) return host;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped) return mapped[1]!;
  const network = ipv6Network64(host);
  return network === undefined ? host : `${network}::/64`;
}

/** The first four hextets of an IPv6 address, or undefined when it is not one. */
function ipv6Network64(host: string): string | undefined {
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array(missing).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":");
}
