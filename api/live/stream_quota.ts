/**
 * How many streams each caller holds. A stream pins a socket, a heartbeat timer and up to its
 * byte budget for as long as it stays open, so one caller (one leaked token, one runaway script)
 * may hold only a few; the next one is refused with 429 until one of theirs closes.
 */
import { TooManyRequestsError } from "../http_errors.ts";

/** Streams last long: retrying at once would only be refused again. */
const RETRY_AFTER_SECONDS = 10;

export interface StreamQuota {
  /** Counts a stream of `caller`; returns its release. Throws `TooManyRequestsError` past the limit. */
  take(caller: string): () => void;
}

export function createStreamQuota(perCaller: number): StreamQuota {
  const held = new Map<string, number>();
  return {
    take(caller) {
      const count = held.get(caller) ?? 0;
      if (count >= perCaller) {
        throw new TooManyRequestsError(
          `Cannot open another stream: ${caller} already holds ${count} (at most ${perCaller})`,
          RETRY_AFTER_SECONDS,
        );
      }
      held.set(caller, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (held.get(caller) ?? 1) - 1;
        if (left > 0) held.set(caller, left);
        else held.delete(caller);
      };
    },
  };
}
