/**
 * The frames of `GET /api/v1/stream` as they go on the wire (text/event-stream), which records a
 * stream wants, and what of a record a client may see: its event upcast when it was stored at an
 * older version, and redacted by `redactForClients`, the one place that decides which fields
 * never leave the platform.
 */
import { eventCatalog, isEventType } from "../../core/events/catalog.ts";
import { decodeEvent } from "../../core/events/codec.ts";
import { needsRedaction, redactForClients } from "../../core/events/redaction.ts";
import type { EventEnvelope } from "../../core/events/envelope.ts";
import type { LogRecord } from "../../core/log/event_log.ts";
import type { LiveFilter } from "../deps.ts";

/** The first bytes of every stream: the reconnect delay for EventSource, and a comment. */
export const CONNECTED = "retry: 2000\n: connected\n\n";

/** A comment that keeps an idle stream (and the proxies on its way) open. */
export const PING = ": ping\n\n";

export const eventFrame = (type: string, token: string, data: string): string =>
  `event: ${type}\nid: ${token}\ndata: ${data}\n\n`;

/**
 * The last frame before the server closes a stream, with `{code, message}` like the API's error
 * body. `dropped` means "reconnect with Last-Event-ID to resume"; `error` means resuming as is
 * cannot work. `resetId` adds an empty `id:` line, which makes EventSource forget its
 * Last-Event-ID, so its automatic reconnect starts a fresh stream instead of repeating the refusal.
 */
export function finalFrame(
  event: "dropped" | "error",
  code: string,
  message: string,
  options: { resetId?: boolean } = {},
): string {
  return `event: ${event}\n${options.resetId ? "id:\n" : ""}data: ${JSON.stringify({ code, message })}\n\n`;
}

/** Whether a stream with `filter` wants `record` (by the `event-type` header and the key). */
export const matches = (filter: LiveFilter, record: LogRecord): boolean =>
  (!filter.device || record.key === filter.device) &&
  (!filter.types || filter.types.includes(record.headers["event-type"] ?? ""));

const isEnvelope = (value: unknown): value is EventEnvelope =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";

/**
 * The `data:` of a record's event as clients may see it, or undefined to withhold the event.
 * Records of types without secrets pass as stored (no decoding on the hot path); the type comes
 * from the `event-type` header that every writer sets from the envelope (`toLogMessage`).
 */
export function clientData(record: LogRecord): string | undefined {
  const type = record.headers["event-type"];
  if (isStoredOld(type, record.headers["event-v"])) {
    // Written at an older version: clients get it upcast, as every other reader does.
    const decoded = decodeEvent(record.value);
    const redacted = decoded.ok ? redactForClients(decoded.event) : undefined;
    return redacted && JSON.stringify(redacted);
  }
  if (!needsRedaction(type)) return record.value;
  let event: unknown;
  try {
    event = JSON.parse(record.value);
  } catch {
    return undefined;
  }
  const redacted = isEnvelope(event) ? redactForClients(event) : undefined;
  return redacted && JSON.stringify(redacted);
}

/** Whether a record's `event-v` header names an older version than its type's current one. */
function isStoredOld(type: string | undefined, version: string | undefined): boolean {
  return type !== undefined && isEventType(type) && version !== String(eventCatalog[type].version);
}
