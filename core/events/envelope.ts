/**
 * The envelope every event travels in, on every log (design §3). The envelope is validated on its
 * own, with `data` left `unknown`; the catalog then checks `data` against the schema of `type`
 * at version `v`.
 */

import { z } from "zod";
import { isoTimeSchema } from "./_schemas.ts";
import { isUuidV7 } from "./uuid_v7.ts";

/** One event as stored on the log. */
export interface EventEnvelope<Type extends string = string, Data = unknown> {
  /** UUIDv7, time ordered; the idempotency key of the event. */
  id: string;
  /** Dotted event name, e.g. `telemetry.reported`. */
  type: Type;
  /** Schema version of `data`, an integer from 1. */
  v: number;
  /** Partition key: the device id, or the entity id for events about something else. */
  key: string;
  /** When it happened (ISO-8601): the device clock when given, else ingest time. */
  time: string;
  /** When the platform recorded it (ISO-8601, server clock). */
  ingestedAt: string;
  /** The component that produced it, e.g. `ingest`, `api`, `rules`. */
  source: string;
  /** W3C trace context of the operation that produced the event. */
  traceparent?: string;
  data: Data;
}

/** Dotted lowercase names: `device.state.reported`. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** W3C `traceparent`: version-traceid-parentid-flags, where ff and all-zero ids are invalid. */
export const TRACEPARENT_PATTERN =
  /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Producer names: `ingest`, `api`, `rules`, `ota`, `replay`. */
export const SOURCE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Zod schema of the envelope. Unknown envelope fields are refused, like unknown data fields:
 * a reader must not silently drop something a writer meant.
 */
export const eventEnvelopeSchema = z.strictObject({
  id: z.string().refine(isUuidV7, "expected a lowercase UUIDv7"),
  type: z.string().max(128).regex(EVENT_TYPE_PATTERN, "expected a dotted lowercase name"),
  v: z.int().min(1),
  key: z.string().min(1).max(256),
  time: isoTimeSchema,
  ingestedAt: isoTimeSchema,
  source: z.string().regex(SOURCE_PATTERN, "expected 1-64 characters of a-z 0-9 _ . - (lowercase first)"),
  traceparent: z.string().regex(TRACEPARENT_PATTERN, "expected a W3C traceparent").optional(),
  data: z.unknown(),
});

/**
 * Normalises a time to the canonical envelope form (`Date#toISOString`, UTC, milliseconds).
 * Accepts epoch milliseconds, a `Date` or an ISO-8601 string; throws a `RangeError` otherwise.
 */
export function toEventTime(time: number | string | Date): string {
  if (typeof time === "string" && !isoTimeSchema.safeParse(time).success) {
    throw new RangeError(`Cannot use "${time}" as an event time: expected an ISO-8601 date-time`);
  }
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`Cannot use ${String(time)} as an event time: not a valid date`);
  }
  return date.toISOString();
}
