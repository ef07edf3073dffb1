/**
 * A record a processor could not handle, as the `input.rejected` event that keeps it on the
 * dead-letter topic: the record's bytes (capped, see `rejectedPayload`), its topic and the reason.
 */
import { createEvent, type EventOf } from "../events/catalog.ts";
import { rejectedPayload } from "../events/dlq.ts";
import type { LogRecord } from "../log/event_log.ts";

const encoder = new TextEncoder();

/** Envelope keys are 1–256 characters; a foreign record's key may not be. */
const dlqKey = (key: string) => (key.length >= 1 && key.length <= 256 ? key : "unknown");

export function deadLetterEvent(
  record: LogRecord,
  reason: string,
  processor: string,
): EventOf<"input.rejected"> {
  return createEvent("input.rejected", {
    topic: record.topic,
    reason: `${processor}: ${reason}`.slice(0, 1024),
    ...rejectedPayload(encoder.encode(record.value)),
  }, { key: dlqKey(record.key), source: processor });
}
