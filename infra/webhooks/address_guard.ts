/**
 * Against server-side request forgery: a webhook URL must be http(s), and its host must not be,
 * or resolve to, an address inside the platform's networks — loopback, private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), CGNAT (100.64/10), unspecified,
 * multicast or reserved — unless `AIOT_WEBHOOK_ALLOW_PRIVATE=1`. IPv6 forms that embed an IPv4
 * address (mapped `::ffff:a.b.c.d`, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by
 * that address. Decimal, octal and hex IPv4 spellings (`http://2130706433/`, `0x7f.1`) are
 * normalised by URL parsing before the check.
 *
 * Checked when an endpoint is created and again before every attempt (a name may have been
 * re-pointed). What remains is DNS rebinding between the check and fetch's own resolution: fetch
 * cannot be pinned to the checked address here without breaking TLS name checks, so a name with a
 * very short TTL could still flip in that window. Deployments that need more put the notify role
 * behind an egress proxy or a firewall that drops private destinations.
 */

/** Resolves a host name to its IPv4 and IPv6 addresses (none when it does not resolve). */
export type ResolveHost = (host: string) => Promise<string[]>;

/**
 * A and AAAA records through `Deno.resolveDns`, within 5 s (an API request waits for it); a
 * missing record type is no error.
 */
export const resolveWithDns: ResolveHost = async (host) => {
  const signal = AbortSignal.timeout(5000);
  const lookups = await Promise.allSettled([
    Deno.resolveDns(host, "A", { signal }),
    Deno.resolveDns(host, "AAAA", { signal }),
  ]);
  return lookups.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
};

function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Eight 16-bit groups, or undefined when `text` is not an IPv6 address. */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.replace(/%.*$/, "").split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) out.push(parseInt(piece, 16));
      else return undefined;
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array(missing).fill(0), ...tail] : undefined;
}

/** IPv4 ranges that are not the public internet: [network, prefix length, name]. */
const IPV4_BLOCKED: [string, number, string][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

function ipv4Block(address: number): string | undefined {
  for (const [network, prefix, name] of IPV4_BLOCKED) {
    const size = 2 ** (32 - prefix);
    if (Math.floor(address / size) === Math.floor(parseIpv4(network)! / size)) return name;
  }
  return undefined;
}

function ipv6Block(g: number[]): string | undefined {
  const embedded = (hi: number, lo: number) => ipv4Block(hi * 65536 + lo);
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(8)) return "unspecified";
  if (zeros(7) && g[7] === 1) return "loopback";
  if (zeros(5) && g[5] === 0xffff) return embedded(g[6]!, g[7]!) ?? undefined; // IPv4-mapped
  if (zeros(6)) return embedded(g[6]!, g[7]!) ?? "reserved"; // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(g[6]!, g[7]!);
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!); // 6to4
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return "private (unique local)";
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xffc0) === 0xfec0) return "site-local";
  if ((first & 0xff00) === 0xff00) return "multicast";
  return undefined;
}

/**
 * Why `address` (IPv4 or IPv6 text, brackets allowed) may not be called, e.g. "loopback"; undefined
 * for a public address. Text that is no IP address is refused too ("not an IP address").
 */
export function blockedAddress(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, "");
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return ipv4Block(v4);
  const v6 = parseIpv6(bare);
  return v6 ? ipv6Block(v6) : "not an IP address";
}

export interface UrlCheckOptions {
  /** `AIOT_WEBHOOK_ALLOW_PRIVATE=1`: any host, no resolution. */
  allowPrivate: boolean;
  /** Default: `resolveWithDns`. */
  resolve?: ResolveHost;
}

/** Why `url` may not be a webhook target, or undefined when it may. Never throws. */
export async function checkWebhookUrl(url: string, options: UrlCheckOptions): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not a valid URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return "only http and https URLs are allowed";
  }
  if (options.allowPrivate) return undefined;
  const host = parsed.hostname.toLowerCase();
  const literal = host.startsWith("[") || parseIpv4(host) !== undefined;
  if (literal) {
    const blocked = blockedAddress(host);
    return blocked ? `${host} is a ${blocked} address` : undefined;
  }
  if (host === "localhost" || host.endsWith(".localhost")) return `${host} is a loopback name`;
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveWithDns)(host.replace(/\.$/, ""));
  } catch {
    addresses = [];
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const address of addresses) {
    const blocked = blockedAddress(address);
    if (blocked) return `${host} resolves to ${address}, a ${blocked} address`;
  }
  return undefined;
}
