/**
 * Creating and reading events against a catalog. `createEvent` is for writers and throws on bad
 * input; `parseEvent` is for readers of the log and never throws: it returns a reason, so a
 * consumer can dead-letter a bad record and move on.
 */

import type { z } from "zod";
import { ValidationError } from "../errors.ts";
import type { CatalogEvent, CatalogEventType, EventCatalog, EventDefinition } from "./definition.ts";
import { upcastData } from "./definition.ts";
import {
  type EventEnvelope,
  eventEnvelopeSchema,
  SOURCE_PATTERN,
  toEventTime,
  TRACEPARENT_PATTERN,
} from "./envelope.ts";
import { isUuidV7, uuidv7 } from "./uuid_v7.ts";

export interface CreateEventOptions {
  /** Partition key: the device id, or the entity id for events about something else. */
  key: string;
  /** Producer name, e.g. `ingest`, `api`. */
  source: string;
  /** When it happened: epoch ms, a `Date` or ISO-8601. Default: ingest time (`now()`). */
  time?: number | string | Date;
  traceparent?: string;
  /** Server clock in epoch ms, for `ingestedAt` and the id. Default `Date.now`. */
  now?: () => number;
  /** A UUIDv7 to use instead of a new one, e.g. to keep an id across a retry. */
  id?: string;
  /**
   * The caller has already checked `data` against everything the type's current schema demands
   * and built it in the schema's output form (defaults filled in, keys in schema order): it is
   * used as given, without a second parse. For a producer's own parser on its hot path (ingest
   * validates each uplink as it reads it); anything else leaves this unset, and its data is
   * parsed, with the detailed error. The envelope fields are checked either way.
   */
  trustedData?: boolean;
}

export type ParseEventResult<Event> = { ok: true; event: Event } | { ok: false; reason: string };

/** `createEvent` and `parseEvent` bound to one catalog. */
export interface EventFactory<C extends EventCatalog> {
  /**
   * Returns a validated envelope of `type` at its current version. Throws a `ValidationError`
   * naming each failing field, e.g. `Invalid data for telemetry.reported: values.0.value: …`.
   */
  createEvent<T extends CatalogEventType<C>>(
    type: T,
    data: z.input<C[T]["schema"]>,
    options: CreateEventOptions,
  ): CatalogEvent<C, T>;
  /**
   * Validates an envelope read from a log, upcasts old versions of `data` and validates it
   * against the current schema. Unknown types and versions newer than the catalog are refused.
   */
  parseEvent(input: unknown): ParseEventResult<CatalogEvent<C>>;
}

type Issue = { path: string; message: string };

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((part) => String(part)).join("."),
    message: issue.message,
  }));
}

function describe(issues: Issue[]): string {
  return issues.map(({ path, message }) => (path === "" ? message : `${path}: ${message}`)).join("; ");
}

function envelopeOf(
  parsed: z.infer<typeof eventEnvelopeSchema>,
  definition: EventDefinition,
  data: unknown,
): EventEnvelope {
  const { traceparent, ...rest } = parsed;
  // Rebuilt field by field so an explicit `traceparent: undefined` does not survive.
  return { ...rest, ...(traceparent === undefined ? {} : { traceparent }), v: definition.version, data };
}

/** `toEventTime` of epoch ms, remembering the last answer: events come many per millisecond. */
let lastIso = { ms: NaN, iso: "" };
function isoOfMillis(ms: number): string {
  if (ms !== lastIso.ms) lastIso = { ms, iso: toEventTime(ms) };
  return lastIso.iso;
}

/** The envelope fields `createEvent` takes from its caller, checked as the envelope schema does. */
function callerFieldsValid(options: CreateEventOptions): boolean {
  return typeof options.key === "string" && options.key.length >= 1 && options.key.length <= 256 &&
    typeof options.source === "string" && SOURCE_PATTERN.test(options.source) &&
    (options.traceparent === undefined ||
      (typeof options.traceparent === "string" && TRACEPARENT_PATTERN.test(options.traceparent))) &&
    (options.id === undefined || (typeof options.id === "string" && isUuidV7(options.id)));
}

/** Binds `createEvent` and `parseEvent` to `catalog`. */
export function createEventFactory<C extends EventCatalog>(catalog: C): EventFactory<C> {
  const definitionOf = (type: string): EventDefinition | undefined =>
    Object.hasOwn(catalog, type) ? catalog[type] : undefined;

  function createEvent<T extends CatalogEventType<C>>(
    type: T,
    data: z.input<C[T]["schema"]>,
    options: CreateEventOptions,
  ): CatalogEvent<C, T> {
    const definition = definitionOf(type);
    if (definition === undefined) {
      throw new ValidationError(`Unknown event type: ${type}`, {
        details: [{ path: "type", message: "unknown event type" }],
      });
    }
    let eventData: unknown = data;
    if (options.trustedData !== true) {
      const parsedData = definition.schema.safeParse(data);
      if (!parsedData.success) {
        const details = issuesOf(parsedData.error);
        throw new ValidationError(`Invalid data for ${type}: ${describe(details)}`, { details });
      }
      eventData = parsedData.data;
    }
    const ingestedMs = (options.now ?? Date.now)();
    const ingestedAt = isoOfMillis(ingestedMs);
    let time: string;
    try {
      time = options.time === undefined ? ingestedAt : toEventTime(options.time);
    } catch (cause) {
      const details = [{ path: "time", message: (cause as Error).message }];
      throw new ValidationError(`Invalid envelope for ${type}: time: ${details[0]?.message}`, {
        details,
        cause,
      });
    }
    const candidate = {
      id: options.id ?? uuidv7(ingestedMs),
      type,
      v: definition.version,
      key: options.key,
      time,
      ingestedAt,
      source: options.source,
      ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
      data: eventData,
    };
    // Only the caller's fields can be wrong (id, times, type and version are made here): checked
    // directly on the hot path, with the envelope schema giving the detailed error.
    if (!callerFieldsValid(options)) {
      const parsedEnvelope = eventEnvelopeSchema.safeParse(candidate);
      if (!parsedEnvelope.success) {
        const details = issuesOf(parsedEnvelope.error);
        throw new ValidationError(`Invalid envelope for ${type}: ${describe(details)}`, { details });
      }
    }
    return candidate as CatalogEvent<C, T>;
  }

  function parseEvent(input: unknown): ParseEventResult<CatalogEvent<C>> {
    try {
      const envelope = eventEnvelopeSchema.safeParse(input);
      if (!envelope.success) {
        return { ok: false, reason: `invalid envelope: ${describe(issuesOf(envelope.error))}` };
      }
      const { type, v } = envelope.data;
      const definition = definitionOf(type);
      if (definition === undefined) return { ok: false, reason: `unknown event type "${type}"` };
      if (v > definition.version) {
        return { ok: false, reason: `${type} v${v} is newer than the known v${definition.version}` };
      }
      let data: unknown;
      try {
        data = upcastData(definition, v, envelope.data.data);
      } catch (error) {
        return {
          ok: false,
          reason: `cannot upcast ${type} from v${v}: ${(error as Error)?.message ?? error}`,
        };
      }
      const parsedData = definition.schema.safeParse(data);
      if (!parsedData.success) {
        const upcast = v < definition.version ? ` (upcast from v${v})` : "";
        return {
          ok: false,
          reason: `invalid data for ${type} v${definition.version}${upcast}: ${
            describe(issuesOf(parsedData.error))
          }`,
        };
      }
      const event = envelopeOf(envelope.data, definition, parsedData.data) as CatalogEvent<C>;
      return { ok: true, event };
    } catch (error) {
      // Hostile input (a throwing getter, a revoked proxy) must not take a consumer down.
      return { ok: false, reason: `cannot read event: ${(error as Error)?.message ?? String(error)}` };
    }
  }

  return { createEvent, parseEvent };
}
