/**
 * Login attempts per client address over a sliding window (default: 10 a minute). The 11th
 * attempt inside the window is refused with the seconds until the oldest one leaves it. Kept in
 * memory per API instance: behind several instances the limit applies per instance.
 */

export interface LoginRateLimitOptions {
  /** Attempts allowed per window. Default 10. */
  limit?: number;
  /** Default 60,000 ms. */
  windowMs?: number;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Addresses tracked at most; the stalest are forgotten first. Default 10,000. */
  maxAddresses?: number;
}

export type AttemptResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface LoginRateLimiter {
  /** Counts an attempt from `address` and says whether it may proceed. */
  attempt(address: string): AttemptResult;
}

export function createLoginRateLimiter(options: LoginRateLimitOptions = {}): LoginRateLimiter {
  const limit = options.limit ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const maxAddresses = options.maxAddresses ?? 10_000;
  /** Address → times of its attempts in the window, oldest first; Map order = least recently seen first. */
  const attempts = new Map<string, number[]>();

  return {
    attempt(address) {
      const t = now();
      const recent = (attempts.get(address) ?? []).filter((at) => at > t - windowMs);
      attempts.delete(address);
      if (recent.length >= limit) {
        attempts.set(address, recent);
        const retryAfterMs = recent[0]! + windowMs - t;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
      }
      recent.push(t);
      attempts.set(address, recent);
      if (attempts.size > maxAddresses) attempts.delete(attempts.keys().next().value!);
      return { allowed: true };
    },
  };
}
