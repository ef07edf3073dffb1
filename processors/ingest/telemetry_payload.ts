/**
 * The three telemetry payload forms of the device contract, flattened into typed metric values:
 * `{"ts"?, "values": {…}}`, an array of those, or a flat `{"temperature": 21.5}`.
 * A flat object may carry `ts` too; every other key of a flat object is a metric.
 * Numbers stay numbers, strings stay strings: nothing is guessed or coerced.
 *
 * A metric's value may also be an object `{"value": 21.5, "unit"?: "°C", "quality"?: "good" |
 * "uncertain" | "bad"}` (contract addition of `telemetry.reported` v2): the unit and quality
 * travel with the value; without them a value is `good` with no unit.
 */
import { QUALITIES, type Quality } from "../../core/events/telemetry.ts";
import { METRIC_NAME, type UplinkLimits } from "./uplink_limits.ts";

/** Keys in the order of the `telemetry.reported` point schema, so the event is as it would be parsed. */
export interface TelemetryValue {
  name: string;
  value: number | boolean | string;
  ts: number;
  unit?: string;
  quality: Quality;
}

/** Thrown with a reason a device can act on; ingest turns it into a rejection. */
export class UplinkRejected extends Error {}

const encoder = new TextEncoder();

/** Epoch ms or ISO-8601 → epoch ms within the allowed window. */
export function parseTimestamp(raw: unknown, where: string, now: number, limits: UplinkLimits): number {
  let ms: number;
  if (typeof raw === "number") {
    if (!Number.isInteger(raw)) throw new UplinkRejected(`${where}: epoch milliseconds must be an integer`);
    ms = raw;
  } else if (typeof raw === "string" && /^\d{4}-\d{2}-\d{2}T/.test(raw) && !Number.isNaN(Date.parse(raw))) {
    ms = Date.parse(raw);
  } else {
    throw new UplinkRejected(`${where}: expected epoch milliseconds or an ISO-8601 date-time`);
  }
  if (ms < now - limits.maxPastMs) {
    throw new UplinkRejected(
      `${where}: ${new Date(ms).toISOString()} is more than ${days(limits.maxPastMs)} in the past`,
    );
  }
  if (ms > now + limits.maxFutureMs) {
    throw new UplinkRejected(
      `${where}: ${new Date(ms).toISOString()} is more than ${days(limits.maxFutureMs)} in the future`,
    );
  }
  return ms;
}

const days = (
  ms: number,
) => (ms >= 86_400_000 ? `${Math.round(ms / 86_400_000)} day(s)` : `${ms / 3_600_000} hour(s)`);

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

const UNIT = /^[^\p{Cc}]{1,32}$/u;
const ANNOTATED_KEYS = new Set(["value", "unit", "quality"]);

/** Where a metric sits, for messages: built only when one is needed (this runs per value). */
const whereOf = (where: string, structured: boolean) => structured ? `${where}.values` : where;

/** A value, or a value with its unit and quality (`{"value", "unit"?, "quality"?}`), at `ts`. */
function pointOf(
  name: string,
  raw: unknown,
  ts: number,
  where: string,
  structured: boolean,
  limits: UplinkLimits,
): TelemetryValue {
  if (!isObject(raw)) {
    return { name, value: valueOf(name, raw, where, structured, limits), ts, quality: "good" };
  }
  const at = `${whereOf(where, structured)}.${name}`;
  const extra = Object.keys(raw).find((k) => !ANNOTATED_KEYS.has(k));
  if (extra !== undefined) {
    throw new UplinkRejected(`${at}: unexpected key "${extra.slice(0, 40)}": expected value, unit, quality`);
  }
  if (!("value" in raw)) throw new UplinkRejected(`${at}: an object value needs "value"`);
  const { unit, quality } = raw;
  if (unit !== undefined && (typeof unit !== "string" || !UNIT.test(unit))) {
    throw new UplinkRejected(`${at}.unit: expected 1-32 characters, no control characters`);
  }
  if (quality !== undefined && !(QUALITIES as readonly unknown[]).includes(quality)) {
    throw new UplinkRejected(`${at}.quality: expected ${QUALITIES.join(", ")}`);
  }
  const value = valueOf(name, raw.value, where, structured, limits);
  return unit === undefined
    ? { name, value, ts, quality: (quality ?? "good") as Quality }
    : { name, value, ts, unit: unit as string, quality: (quality ?? "good") as Quality };
}

function valueOf(
  name: string,
  raw: unknown,
  where: string,
  structured: boolean,
  limits: UplinkLimits,
): number | boolean | string {
  if (!METRIC_NAME.test(name)) {
    throw new UplinkRejected(
      `${whereOf(where, structured)}: metric name "${
        name.slice(0, 140)
      }" must be 1-128 characters of A-Z a-z 0-9 _ . : / -`,
    );
  }
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) {
      throw new UplinkRejected(`${whereOf(where, structured)}.${name}: number out of range`);
    }
    return raw;
  }
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string") {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: short strings need no encoding to be counted.
    if (raw.length * 3 > limits.maxStringBytes) {
      const bytes = encoder.encode(raw).length;
      if (bytes > limits.maxStringBytes) {
        throw new UplinkRejected(
          `${
            whereOf(where, structured)
          }.${name}: string value is ${bytes} bytes, limit ${limits.maxStringBytes}`,
        );
      }
    }
    return raw;
  }
  throw new UplinkRejected(
    `${whereOf(where, structured)}.${name}: value must be a number, boolean or string, got ${
      raw === null ? "null" : typeof raw
    }`,
  );
}

/** Appends the values of one entry to `values`. */
function entryValues(
  entry: unknown,
  where: string,
  now: number,
  limits: UplinkLimits,
  values: TelemetryValue[],
): void {
  if (!isObject(entry)) throw new UplinkRejected(`${where}: expected an object`);
  const structured = "values" in entry && isObject(entry.values);
  if (structured) {
    const extra = Object.keys(entry).filter((k) => k !== "ts" && k !== "values");
    if (extra.length > 0) throw new UplinkRejected(`${where}: unexpected key "${extra[0]}" next to "values"`);
  }
  const ts = entry.ts === undefined ? now : parseTimestamp(entry.ts, `${where}.ts`, now, limits);
  const metrics = structured ? entry.values as Record<string, unknown> : entry;
  // for-in visits a parsed object's own keys in the order Object.entries would, without the pairs.
  for (const name in metrics) {
    if (!structured && name === "ts") continue;
    values.push(pointOf(name, metrics[name], ts, where, structured, limits));
  }
}

/** Parses a telemetry payload (already JSON-decoded); throws `UplinkRejected` with the reason. */
export function telemetryValues(payload: unknown, now: number, limits: UplinkLimits): TelemetryValue[] {
  const values: TelemetryValue[] = [];
  if (!Array.isArray(payload)) {
    entryValues(payload, "telemetry", now, limits, values);
    checkCount(values, limits);
  } else {
    if (payload.length === 0) throw new UplinkRejected("telemetry: empty array");
    for (let i = 0; i < payload.length; i++) {
      entryValues(payload[i], `telemetry[${i}]`, now, limits, values);
      checkCount(values, limits);
    }
  }
  if (values.length === 0) throw new UplinkRejected("telemetry: no metric values");
  return values;
}

function checkCount(values: TelemetryValue[], limits: UplinkLimits): void {
  if (values.length > limits.maxValuesPerMessage) {
    throw new UplinkRejected(`telemetry: more than ${limits.maxValuesPerMessage} values in one message`);
  }
}
