/**
 * What of an event may leave the platform. The log keeps everything the processors need, secrets
 * included (device credential hashes); every view of events given to clients (the SSE stream, and
 * later export and webhooks) goes through `redactForClients`, so a secret field is declared once,
 * beside its schema (`secretFields` in `defineEvent`), and is dropped everywhere.
 */
import { eventCatalog } from "./catalog.ts";
import type { EventEnvelope } from "./envelope.ts";

const secretFieldsByType: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(eventCatalog).flatMap(([type, d]) => d.secretFields.length ? [[type, d.secretFields]] : []),
);

const isKnownType = (type: string) => Object.hasOwn(eventCatalog, type);

/**
 * False only for known event types without secret fields: lets a caller holding encoded events
 * (log records, which name their type in the `event-type` header) pass those on as they are and
 * decode only the rest.
 */
export function needsRedaction(type: string | undefined): boolean {
  return type === undefined || !isKnownType(type) || secretFieldsByType.has(type);
}

/**
 * The event as clients may see it: the secret fields of its type dropped from `data` (the same
 * object when there is nothing to drop, else a copy; the input is never changed). Undefined for a
 * type this build does not know, e.g. one written by a newer version during a rolling upgrade: its
 * secret fields are unknown here, so it is withheld rather than risked.
 */
export function redactForClients<E extends EventEnvelope>(event: E): E | undefined {
  if (!isKnownType(event.type)) return undefined;
  const fields = secretFieldsByType.get(event.type);
  const data = event.data;
  if (!fields || typeof data !== "object" || data === null) return event;
  if (!fields.some((field) => Object.hasOwn(data, field))) return event;
  return {
    ...event,
    data: Object.fromEntries(Object.entries(data).filter(([field]) => !fields.includes(field))),
  };
}
