/**
 * Device uplink → typed event, per the device contract (design §6). Pure: the broker adapter
 * authenticates the device, then hands every message here; what comes back is either events to
 * append or a rejection (an `input.rejected` event for the dead-letter topic plus the notice for
 * `devices/{id}/errors`). No input makes this throw.
 */
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import { rejectedPayload } from "../../core/events/dlq.ts";
import { MAX_STRING_VALUE_LENGTH } from "../../core/events/telemetry.ts";
import { escapeControlCharacters } from "../../core/events/storable_text.ts";
import type { RejectionNotice, Uplink, UplinkResult } from "../../core/gateway/uplink.ts";
import { z } from "zod";
import { parseTimestamp, type TelemetryValue, telemetryValues, UplinkRejected } from "./telemetry_payload.ts";
import { DEFAULT_UPLINK_LIMITS, TOPIC_ID, type UplinkLimits } from "./uplink_limits.ts";
import type { MetricNameCap } from "./metric_name_cap.ts";
import { stateLimitViolation } from "../../core/devices/state_limits.ts";

export type { RejectionNotice, Uplink, UplinkResult };

export interface UplinkOptions {
  now?: () => number;
  limits?: Partial<UplinkLimits>;
  traceparent?: string;
  /**
   * Counts each device's distinct metric names against `limits.maxMetricsPerDevice`; without
   * it that limit is not enforced (ingest itself keeps no state).
   */
  metricNames?: MetricNameCap;
}

const ackSchema = z.strictObject({
  status: z.enum(["ok", "error"]),
  result: z.json().optional(),
  error: z.string().max(4096).optional(),
});

const otaStatusSchema = z.strictObject({
  jobId: z.string().regex(TOPIC_ID, "expected 1-128 characters of A-Z a-z 0-9 _ . : -"),
  status: z.enum(["downloading", "installing", "succeeded", "failed"]),
  progress: z.number().min(0).max(100).optional(),
  version: z.string().min(1).max(64).optional(),
  error: z.string().min(1).max(1024).optional(),
});

const deviceEventSchema = z.strictObject({
  type: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, "expected 1-128 characters of A-Z a-z 0-9 _ . : -"),
  ts: z.unknown().optional(),
  data: z.record(z.string(), z.json()).optional(),
});

function parsed<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new UplinkRejected(
    `${what}: ${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`,
  );
}

/** Stateless between calls (no `stream`), so one serves every uplink. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeJson(payload: Uint8Array, limits: UplinkLimits): unknown {
  if (payload.length > limits.maxPayloadBytes) {
    throw new UplinkRejected(`payload is ${payload.length} bytes, limit ${limits.maxPayloadBytes}`);
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    throw new UplinkRejected("payload is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UplinkRejected(`invalid JSON: ${(error as Error).message}`);
  }
}

/**
 * True when telemetry the parser accepted is sure to pass the `telemetry.reported` schema, so the
 * event can be made without parsing it again. The parser checks names, units, qualities and
 * values as the schema does; what it may let through is only a longer string value (with
 * `maxStringBytes` raised past the schema's cap: a UTF-8 byte count is never below the UTF-16
 * length), a negative or unsafe timestamp (with a past window reaching before 1970) and an
 * unknown QoS. Those go through the schema, which refuses them with its own reason.
 */
function schemaSafe(values: TelemetryValue[], qos: number | undefined, limits: UplinkLimits): boolean {
  if (limits.maxStringBytes > MAX_STRING_VALUE_LENGTH) return false;
  if (qos !== undefined && qos !== 0 && qos !== 1 && qos !== 2) return false;
  for (const { ts } of values) if (!(Number.isSafeInteger(ts) && ts >= 0)) return false;
  return true;
}

function eventsOf(
  uplink: Uplink,
  now: number,
  limits: UplinkLimits,
  { traceparent, metricNames }: UplinkOptions,
): DomainEvent[] {
  const parts = uplink.topic.split("/");
  if (parts[0] !== "devices" || parts[1] !== uplink.deviceId) {
    throw new UplinkRejected(`topic must start with devices/${uplink.deviceId}/`);
  }
  const route = parts.slice(2).join("/");
  const options = {
    key: uplink.deviceId,
    source: "ingest",
    now: () => now,
    ...(traceparent ? { traceparent } : {}),
  };
  const payload = decodeJson(uplink.payload, limits);

  if (route === "telemetry") {
    const values = telemetryValues(payload, now, limits);
    // Last: names are counted only for a message that is otherwise accepted.
    const beyondCap = metricNames?.admit(
      uplink.deviceId,
      values.map((v) => v.name),
      limits.maxMetricsPerDevice,
    );
    if (beyondCap) throw new UplinkRejected(`telemetry: ${beyondCap}`);
    const trustedData = schemaSafe(values, uplink.qos, limits);
    return [
      createEvent(
        "telemetry.reported",
        uplink.qos === undefined ? { values } : { values, qos: uplink.qos },
        trustedData ? { ...options, trustedData } : options,
      ),
    ];
  }
  if (route === "events") {
    const event = parsed(deviceEventSchema, payload, "event");
    const ts = event.ts === undefined ? now : parseTimestamp(event.ts, "event.ts", now, limits);
    return [
      createEvent("device.event.reported", {
        eventType: event.type,
        ts,
        ...(event.data ? { data: event.data } : {}),
      }, {
        ...options,
        time: ts,
      }),
    ];
  }
  if (route === "state/reported") {
    // A patch beyond the caps could only make the merged document break them too. Checked
    // before the schema, whose recursion a deeply nested payload would exhaust.
    const tooLarge = stateLimitViolation(payload, limits, "state");
    if (tooLarge) throw new UplinkRejected(tooLarge);
    const patch = parsed(z.record(z.string(), z.json()), payload, "state");
    return [createEvent("device.state.reported", { patch }, options)];
  }
  if (parts.length === 5 && parts[2] === "commands" && parts[4] === "ack") {
    const commandId = parts[3]!;
    if (!TOPIC_ID.test(commandId)) {
      throw new UplinkRejected(`command id "${commandId.slice(0, 140)}" is not valid`);
    }
    const ack = parsed(ackSchema, payload, "ack");
    return [createEvent("command.acked", { commandId, ...ack }, options)];
  }
  if (route === "ota/status") {
    // The device's word only: whether the job is its own, and what the report means for the job,
    // is for the `ota` processor to judge (a report for a job the device lacks goes to the DLQ there).
    const report = parsed(otaStatusSchema, payload, "ota status");
    return [createEvent("ota.job.reported", report, options)];
  }
  throw new UplinkRejected(`unknown topic "${uplink.topic.slice(0, 200)}"`);
}

/** Turns one uplink into events, or into a rejection with its reason. Never throws. */
export function ingestUplink(uplink: Uplink, options: UplinkOptions = {}): UplinkResult {
  const now = (options.now ?? Date.now)();
  // Without limits of its own (the usual case), the frozen defaults: no copy per uplink.
  const limits = options.limits ? { ...DEFAULT_UPLINK_LIMITS, ...options.limits } : DEFAULT_UPLINK_LIMITS;
  let reason: string;
  try {
    return { ok: true, events: eventsOf(uplink, now, limits, options) };
  } catch (error) {
    reason = error instanceof UplinkRejected
      ? error.message
      : `cannot turn the payload into an event: ${(error as Error).message}`;
  }
  // Reasons quote input, and the dead-letter read model keeps them as text: escaped, so a NUL
  // (which PostgreSQL cannot store) never makes the dead letter itself a poison record.
  reason = escapeControlCharacters(reason).slice(0, 1024);
  const at = new Date(now).toISOString();
  const rejected = createEvent("input.rejected", {
    topic: escapeControlCharacters(uplink.topic).slice(0, 65_535) || "(empty)",
    reason,
    ...rejectedPayload(uplink.payload),
    ...(TOPIC_ID.test(uplink.deviceId) ? { deviceId: uplink.deviceId } : {}),
    ...(uplink.clientId ? { clientId: escapeControlCharacters(uplink.clientId).slice(0, 256) } : {}),
  }, { key: uplink.deviceId.slice(0, 256) || "unknown", source: "ingest", now: () => now });
  return { ok: false, reason, rejected, notice: { topic: uplink.topic, reason, at } };
}
