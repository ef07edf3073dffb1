/**
 * Failed MQTT logins per key (a device id, a client address) over a sliding window. Each failed
 * token check costs a scrypt run, so without a bound one client can keep the CPU busy and guess
 * tokens at leisure; past `limit` failures in the window the gateway refuses further tries of
 * that key without checking them, until the oldest failure leaves the window.
 *
 * Memory is bounded twice: a key keeps at most `limit` failure times, and at most `maxKeys` keys
 * are tracked (the least recently failed are forgotten first). A flood of fresh keys can thus
 * push a throttled key out early; the per-address throttle is what limits such a flood.
 */

export interface FailedLoginThrottleOptions {
  /** Failures allowed per key and window. Default 10. */
  limit?: number;
  /** Default 60,000 ms. */
  windowMs?: number;
  /** Keys tracked at most. Default 10,000. */
  maxKeys?: number;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface FailedLoginThrottle {
  /** Ms until `key` may try again; 0 when it may now. */
  blockedFor(key: string): number;
  /** Counts a failed login of `key`. */
  fail(key: string): void;
  /** Keys tracked (for tests and metrics). */
  size(): number;
  /** Failures of `key` still in the window. */
  failuresOf(key: string): number;
}

export function createFailedLoginThrottle(options: FailedLoginThrottleOptions = {}): FailedLoginThrottle {
  const limit = options.limit ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  /** Key → failure times in the window, oldest first; Map order = least recently failed first. */
  const failures = new Map<string, number[]>();

  const recent = (key: string, t: number) => (failures.get(key) ?? []).filter((at) => at > t - windowMs);

  return {
    blockedFor(key) {
      const t = now();
      const times = recent(key, t);
      return times.length >= limit ? times[times.length - limit]! + windowMs - t : 0;
    },
    fail(key) {
      const t = now();
      const times = [...recent(key, t), t].slice(-limit);
      failures.delete(key);
      failures.set(key, times);
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
    },
    size: () => failures.size,
    failuresOf: (key) => recent(key, now()).length,
  };
}
