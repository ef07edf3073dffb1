/**
 * Telemetry events (topic family `telemetry`). Key: the device id.
 *
 * Ingest turns each accepted uplink on `devices/{id}/telemetry` (one object, an array of them or
 * a flat object, design §6) into one `telemetry.reported` event: a flat batch of typed values,
 * each with its own timestamp, quality and optional unit, so consumers never deal with the
 * payload variants.
 *
 * Versions: v1 (2026-11) values were `{name, value, ts}`; v2 adds `quality` and `unit`. Events of
 * v1 stay on the log as they were and are upcast when read (`telemetryV1ToV2`).
 */

import { z } from "zod";
import { epochMillisSchema, metricNameSchema, metricValueSchema } from "./_schemas.ts";
/** The longest string value a telemetry point may carry (UTF-16 units). */
export { MAX_STRING_VALUE_LENGTH } from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

/** How far a value can be trusted, as the device reports it (the OPC UA status classes). */
export const QUALITIES = ["good", "uncertain", "bad"] as const;
export type Quality = typeof QUALITIES[number];

/** A unit as the device names it (`°C`, `kWh`, `%`): free text, no control characters. */
const unitSchema = z.string().regex(/^[^\p{Cc}]{1,32}$/u, "expected 1-32 characters, no control characters");

/** v1 of a point: a name, a typed value and its time. */
const metricPointV1Schema = z.strictObject({
  name: metricNameSchema,
  value: metricValueSchema,
  /** Device time when the device sent one, else ingest time (epoch milliseconds). */
  ts: epochMillisSchema,
});

/**
 * v2 of a point: v1 plus what the value is in (`unit`, when the device says) and how far it can
 * be trusted (`quality`, `good` unless the device says otherwise).
 */
const metricPointSchema = metricPointV1Schema.extend({
  unit: unitSchema.optional(),
  quality: z.enum(QUALITIES).default("good"),
});

/**
 * `telemetry.reported` v2: a batch of typed metric values of one device, each with its quality
 * and optionally its unit. v1 had neither; its values are read as `good` with no unit.
 */
const telemetryReportedSchema = z.strictObject({
  /** Never empty; the per-message limit (default 1,000) is enforced and configured by ingest. */
  values: z.array(metricPointSchema).min(1),
  /** MQTT QoS the device published with; at QoS 1 a redelivered message can repeat values. */
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
});

/**
 * v1 → v2: every v1 value was taken as good; v1 had no units. Anything that is not v1's shape is
 * passed on unchanged, for the v2 schema to reject with its reason.
 */
export function telemetryV1ToV2(data: unknown): unknown {
  if (typeof data !== "object" || data === null || !Array.isArray((data as { values?: unknown }).values)) {
    return data;
  }
  const v1 = data as { values: unknown[] };
  return {
    ...v1,
    values: v1.values.map((point) =>
      typeof point === "object" && point !== null ? { ...point, quality: "good" } : point
    ),
  };
}

export const telemetryEvents = {
  "telemetry.reported": defineEvent({
    family: "telemetry",
    schema: telemetryReportedSchema,
    version: 2,
    upcasters: [{ from: 1, up: telemetryV1ToV2 }],
  }),
} as const;
