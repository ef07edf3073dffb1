/**
 * Events on the wire: JSON text, as stored in Kafka record values, SQLite rows and SSE `data:`.
 */

import type { LogMessage } from "../log/event_log.ts";
import type { EventEnvelope } from "./envelope.ts";
import { type DomainEvent, parseEvent } from "./catalog.ts";
import type { ParseEventResult } from "./event_factory.ts";

/** Serialises an envelope to JSON text. */
export function encodeEvent(event: EventEnvelope): string {
  return JSON.stringify(event);
}

/**
 * Parses JSON text into a validated, upcast event. Never throws: malformed JSON gives
 * `{ ok: false, reason: "invalid JSON: …" }`, anything else the reason from `parseEvent`.
 */
export function decodeEvent(text: string): ParseEventResult<DomainEvent> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
  return parseEvent(value);
}

/** Envelope metadata copied into log headers, so consumers can route without parsing the value. */
export function headersOf(event: EventEnvelope): Record<string, string> {
  const headers: Record<string, string> = {
    "event-id": event.id,
    "event-type": event.type,
    "event-v": String(event.v),
  };
  if (event.traceparent) headers["traceparent"] = event.traceparent;
  return headers;
}

/** The log message of an event: keyed by its key (the device id), the envelope as JSON, metadata headers. */
export function toLogMessage(event: EventEnvelope): LogMessage {
  return { key: event.key, value: encodeEvent(event), headers: headersOf(event) };
}
