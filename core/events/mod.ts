/**
 * @module
 * The event model of AIOT (design §3): the envelope every event travels in, the catalog of event
 * types with a zod schema and version for each, upcasting of old versions on read, the topic
 * catalog, UUIDv7 ids, the JSON codec, and what of an event clients may see (`redactForClients`).
 *
 * ```ts
 * import { createEvent, decodeEvent, encodeEvent, topicFor } from "./mod.ts";
 *
 * const event = createEvent("telemetry.reported", {
 *   values: [{ name: "temperature", value: 21.5, ts: Date.now() }],
 * }, { key: "dev-1", source: "ingest" });
 * const topic = topicFor(event.type); // "aiot.telemetry"
 * const result = decodeEvent(encodeEvent(event)); // { ok: true, event }
 * ```
 */

export { isUuidV7, uuidv7, uuidV7Time } from "./uuid_v7.ts";
export { type EventEnvelope, eventEnvelopeSchema } from "./envelope.ts";
export {
  type CatalogEvent,
  type CatalogEventData,
  type CatalogEventType,
  defineEvent,
  type EventCatalog,
  type EventDefinition,
  type Upcaster,
} from "./definition.ts";
export {
  createEventFactory,
  type CreateEventOptions,
  type EventFactory,
  type ParseEventResult,
} from "./event_factory.ts";
export {
  createEvent,
  type DomainEvent,
  eventCatalog,
  type EventData,
  type EventOf,
  type EventType,
  eventTypes,
  isEventType,
  parseEvent,
} from "./catalog.ts";
export { topicFamilies, type TopicFamily } from "./topic_families.ts";
export { DEFAULT_TOPIC_PREFIX, topicFor, type TopicNames, topicNames } from "./topics.ts";
export { decodeEvent, encodeEvent } from "./codec.ts";
export { MAX_REJECTED_PAYLOAD_BYTES, type RejectedPayload, rejectedPayload } from "./dlq.ts";
export { needsRedaction, redactForClients } from "./redaction.ts";
