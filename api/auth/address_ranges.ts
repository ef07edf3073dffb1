/**
 * IP addresses and CIDR ranges, for naming the proxies whose `X-Forwarded-For` is believed
 * (`AIOT_TRUST_PROXY=10.0.0.0/8,127.0.0.1`). IPv4 and IPv6 (with `::` and an embedded IPv4 tail);
 * an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`, as a dual-stack socket reports IPv4 peers)
 * matches the IPv4 ranges.
 */

interface ParsedAddress {
  /** The address as an unsigned integer of `bits` bits. */
  value: bigint;
  bits: 32 | 128;
}

/** A predicate: is this address in one of the ranges? Unparsable addresses are never in any. */
export type AddressMatcher = (address: string) => boolean;

/**
 * Compiles `ranges` (each an address or `address/prefix`) into a matcher.
 * Throws a `TypeError` naming the first entry that is neither.
 */
export function addressMatcher(ranges: readonly string[]): AddressMatcher {
  const compiled = ranges.map((range) => {
    const [address = "", prefixText, extra] = range.trim().split("/");
    const parsed = parseAddress(address);
    const prefix = prefixText === undefined ? parsed?.bits : Number(prefixText);
    if (
      !parsed || extra !== undefined || prefix === undefined ||
      (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) || prefix > parsed.bits
    ) {
      throw new TypeError(`Cannot parse trusted proxy "${range}": expected an IP address or CIDR range`);
    }
    const shift = BigInt(parsed.bits - prefix);
    return { bits: parsed.bits, shift, network: parsed.value >> shift };
  });
  return (address) => {
    const parsed = parseAddress(address);
    if (!parsed) return false;
    return compiled.some((range) =>
      range.bits === parsed.bits && parsed.value >> range.shift === range.network
    );
  };
}

/** Parses a bare address (no port; IPv6 brackets and a zone are tolerated); undefined if it is none. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const host = text.trim().replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (!host.includes(":")) {
    const v4 = parseIpv4(host);
    return v4 === undefined ? undefined : { value: v4, bits: 32 };
  }
  const v6 = parseIpv6(host);
  if (v6 === undefined) return undefined;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address itself.
  if (v6 >> 32n === 0xffffn) return { value: v6 & 0xffffffffn, bits: 32 };
  return { value: v6, bits: 128 };
}

function parseIpv4(host: string): bigint | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function parseIpv6(host: string): bigint | undefined {
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is the last two groups, written as IPv4.
  const lastColon = host.lastIndexOf(":");
  if (host.slice(lastColon + 1).includes(".")) {
    const v4 = parseIpv4(host.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    host = `${host.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...Array(missing).fill("0"), ...rest];
  if (!words.every((w) => /^[0-9a-f]{1,4}$/i.test(w))) return undefined;
  return words.reduce((acc, w) => (acc << 16n) | BigInt(parseInt(w, 16)), 0n);
}
