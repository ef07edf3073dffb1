/**
 * Tokens the gateway has verified, per device: a reconnect storm then costs one hash lookup per
 * connection instead of one scrypt each, and while the directory is down a device verified
 * recently can still reconnect (`recentlyVerified`). Only SHA-256 digests of tokens are kept.
 *
 * Each entry names the stored credential hash it was verified against, so a token stops matching
 * as soon as the directory shows another hash, and when each was last confirmed by the directory,
 * so the outage fallback only trusts recent knowledge.
 */

export interface VerifiedTokens {
  /** True when `tokenDigest` was verified against `credentialHash`. */
  matches(deviceId: string, credentialHash: string, tokenDigest: string): boolean;
  /** Records a successful check (or confirms a remembered one) as of now. */
  remember(deviceId: string, credentialHash: string, tokenDigest: string): void;
  /**
   * True when `tokenDigest` was confirmed within `maxAgeMs` and no other token of the device was
   * confirmed since (an older token never outlives a newer one).
   */
  recentlyVerified(deviceId: string, tokenDigest: string, maxAgeMs: number): boolean;
  forget(deviceId: string): void;
}

interface Entry {
  credentialHash: string;
  tokenDigest: string;
  confirmedAt: number;
}

/** Entries per device: the current token, plus one more while devices switch over. */
const ENTRIES_PER_DEVICE = 2;

/** `maxDevices` least recently used devices are kept; `now` is epoch ms. */
export function createVerifiedTokens(maxDevices: number, now: () => number): VerifiedTokens {
  const byDevice = new Map<string, Entry[]>();

  /** Marks `deviceId` most recently used (Map order is insertion order). */
  function touch(deviceId: string, entries: Entry[]): void {
    byDevice.delete(deviceId);
    byDevice.set(deviceId, entries.slice(0, ENTRIES_PER_DEVICE));
    if (byDevice.size > maxDevices) byDevice.delete(byDevice.keys().next().value!);
  }

  return {
    matches(deviceId, credentialHash, tokenDigest) {
      return (byDevice.get(deviceId) ?? []).some((e) =>
        e.credentialHash === credentialHash && e.tokenDigest === tokenDigest
      );
    },

    remember(deviceId, credentialHash, tokenDigest) {
      const others = (byDevice.get(deviceId) ?? []).filter((e) =>
        e.credentialHash !== credentialHash || e.tokenDigest !== tokenDigest
      );
      touch(deviceId, [{ credentialHash, tokenDigest, confirmedAt: now() }, ...others]);
    },

    recentlyVerified(deviceId, tokenDigest, maxAgeMs) {
      const latest = byDevice.get(deviceId)?.[0];
      return latest?.tokenDigest === tokenDigest && now() - latest.confirmedAt <= maxAgeMs;
    },

    forget(deviceId) {
      byDevice.delete(deviceId);
    },
  };
}
