/**
 * The event catalog of AIOT: every event type of design §3 with its topic family, current
 * version and `data` schema, plus `createEvent`/`parseEvent` bound to it.
 *
 * Every type is at v1. A new version bumps `version` in its family file, replaces the schema and
 * adds an upcaster from the previous version; stored events are never rewritten.
 */

import { alertEvents } from "./alert.ts";
import { cameraEvents } from "./camera.ts";
import { commandEvents } from "./command.ts";
import type { CatalogEvent, CatalogEventData, EventCatalog } from "./definition.ts";
import { deviceEvents } from "./device.ts";
import { dlqEvents } from "./dlq.ts";
import { createEventFactory } from "./event_factory.ts";
import { otaEvents } from "./ota.ts";
import { telemetryEvents } from "./telemetry.ts";

export const eventCatalog = {
  ...telemetryEvents,
  ...deviceEvents,
  ...commandEvents,
  ...otaEvents,
  ...alertEvents,
  ...dlqEvents,
  ...cameraEvents,
} as const satisfies EventCatalog;

/** Names of every known event type. */
export type EventType = keyof typeof eventCatalog;

/** The typed `data` of event type `T`. */
export type EventData<T extends EventType> = CatalogEventData<typeof eventCatalog, T>;

/** The envelope of event type `T`, e.g. `EventOf<"telemetry.reported">`. */
export type EventOf<T extends EventType> = CatalogEvent<typeof eventCatalog, T>;

/** Any known event, discriminated by `type`. */
export type DomainEvent = CatalogEvent<typeof eventCatalog>;

/** Every known event type, in catalog order. */
export const eventTypes: readonly EventType[] = Object.keys(eventCatalog) as EventType[];

/** True when `type` names a known event type. */
export function isEventType(type: unknown): type is EventType {
  return typeof type === "string" && Object.hasOwn(eventCatalog, type);
}

const factory = createEventFactory(eventCatalog);

/**
 * Returns a validated envelope of `type` at its current version, with a new UUIDv7 id and
 * `ingestedAt = now()`. Throws a `ValidationError` naming each failing field path.
 */
export const createEvent: typeof factory.createEvent = factory.createEvent;

/** Validates and upcasts an envelope read from a log; never throws. */
export const parseEvent: typeof factory.parseEvent = factory.parseEvent;
