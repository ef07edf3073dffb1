/**
 * What the catalog knows about one event type: its topic family, the current version of its
 * `data`, the zod schema of that version and the upcasters that lift older stored versions.
 *
 * Only the current schema is kept. Stored events are never rewritten; readers upcast them, one
 * version step at a time, then validate the result against the current schema.
 */

import type { z } from "zod";
import type { EventEnvelope } from "./envelope.ts";
import type { TopicFamily } from "./topic_families.ts";

/** Lifts `data` stored at version `from` to version `from + 1`. */
export interface Upcaster {
  from: number;
  up(data: unknown): unknown;
}

/** One entry of an event catalog. */
export interface EventDefinition<Schema extends z.ZodType = z.ZodType> {
  family: TopicFamily;
  /** Current version of `data`; events are written at this version. */
  version: number;
  /** Schema of `data` at `version`. */
  schema: Schema;
  /** One upcaster for each older version, ordered by `from` (1, 2, … version - 1). */
  upcasters: readonly Upcaster[];
  /**
   * Top-level fields of `data` that hold secrets (credential hashes, signing keys). They stay on
   * the log for the processors that need them and are dropped from anything shown to clients:
   * see `redactForClients` in `redaction.ts`.
   */
  secretFields: readonly string[];
}

/** Event type name → definition. */
export type EventCatalog = Readonly<Record<string, EventDefinition>>;

/** The event type names of a catalog. */
export type CatalogEventType<C extends EventCatalog> = keyof C & string;

/** The typed `data` of event type `T` in catalog `C`. */
export type CatalogEventData<C extends EventCatalog, T extends CatalogEventType<C>> = z.output<
  C[T]["schema"]
>;

/** Envelope union of catalog `C` (or of the types `T`), discriminated by `type`. */
export type CatalogEvent<C extends EventCatalog, T extends CatalogEventType<C> = CatalogEventType<C>> = {
  [K in T]: EventEnvelope<K, CatalogEventData<C, K>>;
}[T];

/**
 * Builds an event definition, checking that the upcasters form a complete chain from version 1
 * to the current version. Throws a `TypeError` otherwise: a broken chain is a programming error
 * and must fail at start-up, not when an old event is read.
 */
export function defineEvent<Schema extends z.ZodType>(definition: {
  family: TopicFamily;
  schema: Schema;
  version?: number;
  upcasters?: readonly Upcaster[];
  secretFields?: readonly string[];
}): EventDefinition<Schema> {
  const version = definition.version ?? 1;
  const upcasters = definition.upcasters ?? [];
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`Cannot define an event at version ${version}: expected an integer from 1`);
  }
  const froms = upcasters.map((upcaster) => upcaster.from);
  const expected = Array.from({ length: version - 1 }, (_, i) => i + 1);
  if (froms.join(",") !== expected.join(",")) {
    throw new TypeError(
      `Cannot define an event at version ${version}: upcasters must go from [${expected.join(", ")}], ` +
        `got [${froms.join(", ")}]`,
    );
  }
  return {
    family: definition.family,
    version,
    schema: definition.schema,
    upcasters,
    secretFields: definition.secretFields ?? [],
  };
}

/**
 * Lifts `data` stored at `fromVersion` to the current version of `definition`. Throws a
 * `RangeError` when `fromVersion` is not between 1 and the current version, and whatever an
 * upcaster throws.
 */
export function upcastData(definition: EventDefinition, fromVersion: number, data: unknown): unknown {
  if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion > definition.version) {
    throw new RangeError(`Cannot upcast from version ${fromVersion} to ${definition.version}`);
  }
  let current = data;
  for (const upcaster of definition.upcasters.slice(fromVersion - 1)) {
    current = upcaster.up(current);
  }
  return current;
}
