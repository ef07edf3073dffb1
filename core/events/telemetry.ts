/**
 * Telemetry events (topic family `telemetry`). Key: the device id.
 *
 * Ingest turns each accepted uplink on `devices/{id}/telemetry` (one object, an array of them or
 * a flat object, design §6) into one `telemetry.reported` event: a flat batch of typed values,
 * each with its own timestamp, so consumers never deal with the payload variants.
 */

import { z } from "zod";
import { epochMillisSchema, metricNameSchema, metricValueSchema } from "./_schemas.ts";
import { defineEvent } from "./definition.ts";

/** One metric value of a device at one instant. */
const metricPointSchema = z.strictObject({
  name: metricNameSchema,
  value: metricValueSchema,
  /** Device time when the device sent one, else ingest time (epoch milliseconds). */
  ts: epochMillisSchema,
});

/** `telemetry.reported` v1: a batch of typed metric values of one device. */
const telemetryReportedSchema = z.strictObject({
  /** Never empty; the per-message limit (default 1,000) is enforced and configured by ingest. */
  values: z.array(metricPointSchema).min(1),
  /** MQTT QoS the device published with; at QoS 1 a redelivered message can repeat values. */
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
});

export const telemetryEvents = {
  "telemetry.reported": defineEvent({ family: "telemetry", schema: telemetryReportedSchema }),
} as const;
