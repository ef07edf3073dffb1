/**
 * Caps on device state documents (reported and desired), so a shadow cannot grow without limit:
 * every read of the state, every delta sent to the device and every projection of it costs in
 * proportion to its size, and deep nesting costs stack in the recursive merge. Ingest checks the
 * reported-state patches of devices against them, the API the desired-state patches of people.
 */

export interface StateLimits {
  /** Largest state document (or patch) as serialized JSON, in UTF-8 bytes. Default 64 KiB. */
  maxStateBytes: number;
  /** Deepest nesting of objects and arrays; `{"a": 1}` is 1 level deep. Default 16. */
  maxStateDepth: number;
}

export const DEFAULT_STATE_LIMITS: Readonly<StateLimits> = Object.freeze({
  maxStateBytes: 64 * 1024,
  maxStateDepth: 16,
});

/** The nesting depth of a JSON value, counted without recursion and up to `stopAt`. */
export function jsonDepth(value: unknown, stopAt: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== "object" || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Why `document` breaks the limits, or undefined when it does not. Depth is checked first, so a
 * document nested too deep is never serialized (that recursion could exhaust the stack).
 * `what` names it in the reason: `state`, `desired state`.
 */
export function stateLimitViolation(
  document: unknown,
  limits: StateLimits,
  what: string,
): string | undefined {
  const depth = jsonDepth(document, limits.maxStateDepth);
  if (depth > limits.maxStateDepth) {
    return `${what} is nested more than ${limits.maxStateDepth} levels deep`;
  }
  const bytes = new TextEncoder().encode(JSON.stringify(document)).length;
  if (bytes > limits.maxStateBytes) {
    return `${what} is ${bytes} bytes serialized, limit ${limits.maxStateBytes}`;
  }
  return undefined;
}
