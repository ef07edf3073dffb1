/**
 * What happens after one delivery attempt, as pure functions of the attempt's outcome and the
 * clock: 2xx delivers; 410 Gone fails the delivery and disables the endpoint; anything else
 * (another status, a redirect, which is never followed, a timeout, a refused address) is retried
 * after the next delay of the schedule, or after `Retry-After` when the receiver asks for longer;
 * when the schedule is used up the delivery is `failed` (and stays listed).
 */

/** Delays between attempts, in seconds (design §9): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** A `Retry-After` longer than this is cut to it: a receiver cannot park a delivery for weeks. */
export const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** The result of one HTTP attempt: a response status, or why there was none. */
export type AttemptOutcome =
  | { status: number; retryAfter?: string | undefined }
  | { error: string };

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** The delivery fields an attempt changes. */
export interface AttemptRecord {
  status: DeliveryStatus;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  /** Epoch ms of the next attempt; only while pending. */
  nextAttemptAt?: number;
}

export interface AfterAttempt {
  record: AttemptRecord;
  /** Set when the receiver answered 410 Gone: the endpoint is to be disabled for this reason. */
  disableEndpoint?: string;
}

/**
 * Parses `AIOT_WEBHOOK_RETRY_SECONDS` (`5,300,1800`). Throws a `RangeError` unless it is a list
 * of 1–20 non-negative numbers of seconds, each at most 7 days.
 */
export function parseRetrySeconds(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim()).filter(Boolean);
  const seconds = parts.map(Number);
  if (
    parts.length === 0 || parts.length > 20 ||
    seconds.some((s) => !Number.isFinite(s) || s < 0 || s > 7 * 24 * 3600)
  ) {
    throw new RangeError(
      "Cannot read the webhook retry schedule: expected 1-20 comma-separated seconds, each 0-604800",
    );
  }
  return seconds;
}

/**
 * The delay a `Retry-After` value asks for, in ms from `now`: delay-seconds or an HTTP date
 * (a date in the past is 0). Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | undefined | null, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its month (`Wed, 21 Oct 2015 07:28:00 GMT`); `Date.parse` alone would
  // also read "-5" as the year -5.
  const at = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const describe = (outcome: AttemptOutcome): string => {
  if ("error" in outcome) return outcome.error;
  if (outcome.status >= 300 && outcome.status < 400) {
    return `HTTP ${outcome.status}: redirects are not followed`;
  }
  return `HTTP ${outcome.status}`;
};

/**
 * The delivery after one more attempt that ended with `outcome` at `now`, given how many attempts
 * came before (`attempts`) and the retry schedule (`retrySeconds`: attempts = 1 + its length).
 * A `Retry-After` longer than the scheduled delay wins (up to `MAX_RETRY_AFTER_MS`); a shorter
 * one does not make the retry earlier than the schedule says.
 */
export function afterAttempt(
  attempts: number,
  outcome: AttemptOutcome,
  options: { now: number; retrySeconds?: readonly number[] },
): AfterAttempt {
  const schedule = options.retrySeconds ?? DEFAULT_RETRY_SECONDS;
  const made = attempts + 1;
  const status = "status" in outcome ? { lastStatus: outcome.status } : {};
  if ("status" in outcome && outcome.status >= 200 && outcome.status < 300) {
    return { record: { status: "delivered", attempts: made, ...status } };
  }
  const lastError = describe(outcome);
  if ("status" in outcome && outcome.status === 410) {
    return {
      record: { status: "failed", attempts: made, ...status, lastError: "HTTP 410: the receiver is gone" },
      disableEndpoint: "the receiver answered 410 Gone",
    };
  }
  const scheduled = schedule[made - 1];
  if (scheduled === undefined) return { record: { status: "failed", attempts: made, ...status, lastError } };
  const asked = "status" in outcome ? retryAfterMs(outcome.retryAfter, options.now) : undefined;
  const delay = Math.max(scheduled * 1000, Math.min(asked ?? 0, MAX_RETRY_AFTER_MS));
  return {
    record: { status: "pending", attempts: made, ...status, lastError, nextAttemptAt: options.now + delay },
  };
}
