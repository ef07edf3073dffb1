/**
 * Which of a topic's records an export holds, and what of each may leave: the device and type
 * filters, the event-time range [from, to) (each telemetry point by its own `t`, other events by
 * the envelope's `time`), upcasting of old versions, and `redactForClients`.
 *
 * Records of the current version of a type without secrets are parsed but not re-validated (they
 * were validated when written, as the live stream assumes too) and, when wholly in range, passed
 * on as stored text: that is what keeps an NDJSON export near the speed of a raw replay. Others go
 * through `decodeEvent` (validated, upcast) and are redacted. A telemetry batch whose points
 * straddle a bound is cut to the points in range, so exports of adjacent ranges hold every point
 * exactly once.
 */
import { eventCatalog, isEventType } from "../events/catalog.ts";
import { decodeEvent } from "../events/codec.ts";
import type { EventEnvelope } from "../events/envelope.ts";
import { needsRedaction, redactForClients } from "../events/redaction.ts";
import type { LogRecord } from "../log/event_log.ts";
import type { MetricValue } from "../timeseries/time_series_store.ts";
import type { ExportQuery } from "./export_query.ts";

/** One row of telemetry's long form. */
export interface TelemetryRow {
  /** Event time of the point (the device's clock when it gave one), epoch ms. */
  t: number;
  deviceId: string;
  metric: string;
  value: MetricValue;
}

interface Point {
  name: string;
  value: MetricValue;
  ts: number;
}

/** An event an export keeps: the envelope (redacted) and, when unchanged, its stored text. */
interface Kept {
  event: EventEnvelope;
  /** The stored JSON, still exactly what clients may see; absent when the event was changed. */
  text?: string;
  /** For `telemetry.reported`: the points in range. */
  points?: Point[];
}

const CURRENT_VERSION: ReadonlyMap<string, string> = new Map(
  Object.entries(eventCatalog).map(([type, d]) => [type, String(d.version)]),
);

function parseStored(text: string): EventEnvelope | undefined {
  try {
    const value = JSON.parse(text) as EventEnvelope;
    return typeof value === "object" && value !== null && typeof value.type === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function pointsOf(event: EventEnvelope): Point[] | undefined {
  const values = (event.data as { values?: unknown } | null)?.values;
  return Array.isArray(values) ? values as Point[] : undefined;
}

/**
 * The point times of a stored `telemetry.reported` envelope of the current version, read off its
 * text without parsing it: true when every `"ts":` is a number in [from, to). In a valid envelope
 * of that type the text `"ts":` occurs only as a point's key: user text (values, units) is inside
 * strings, where a `"` is always escaped, and the type has no user-named keys. Anything unexpected
 * answers false, and the record takes the parsing path.
 */
function allPointsInRange(text: string, from: number, to: number): boolean {
  let found = false;
  for (let at = text.indexOf('"ts":'); at >= 0; at = text.indexOf('"ts":', at + 5)) {
    // Digits summed in place (no substring per point): epoch ms has at most 16 of them.
    let ts = 0;
    let end = at + 5;
    for (
      let digit = text.charCodeAt(end) - 48;
      digit >= 0 && digit <= 9;
      digit = text.charCodeAt(++end) - 48
    ) {
      ts = ts * 10 + digit;
    }
    if (end === at + 5 || end - at - 5 > 16 || !(ts >= from && ts < to)) return false;
    found = true;
  }
  return found;
}

/** The NDJSON line of a record taken as stored, without parsing it; undefined = decide by `keep`. */
function storedLine(record: LogRecord, query: ExportQuery): string | undefined {
  const type = record.headers["event-type"];
  if (type !== "telemetry.reported" || record.headers["event-v"] !== CURRENT_VERSION.get(type)) {
    return undefined;
  }
  if (query.device !== undefined && record.key !== query.device) return undefined;
  if (query.types && !(query.types as string[]).includes(type)) return undefined;
  return allPointsInRange(record.value, query.from, query.to) ? record.value : undefined;
}

/** Decides one record; undefined when the export leaves it out. */
function keep(record: LogRecord, query: ExportQuery): Kept | undefined {
  if (query.device !== undefined && record.key !== query.device) return undefined;
  const headerType = record.headers["event-type"];
  if (headerType !== undefined && query.types && !(query.types as string[]).includes(headerType)) {
    return undefined;
  }

  let event: EventEnvelope | undefined;
  let text: string | undefined;
  const current = headerType !== undefined && isEventType(headerType) &&
    record.headers["event-v"] === CURRENT_VERSION.get(headerType) && !needsRedaction(headerType);
  if (current) {
    event = parseStored(record.value);
    if (event && event.type === headerType && (headerType !== "telemetry.reported" || pointsOf(event))) {
      text = record.value;
    } else event = undefined;
  }
  if (!event) {
    const decoded = decodeEvent(record.value);
    if (!decoded.ok) return undefined;
    event = redactForClients(decoded.event as EventEnvelope);
    if (!event) return undefined;
    if (query.types && !(query.types as string[]).includes(event.type)) return undefined;
    if (query.device !== undefined && event.key !== query.device) return undefined;
  }

  if (event.type !== "telemetry.reported") {
    const time = Date.parse(event.time);
    if (!(time >= query.from && time < query.to)) return undefined;
    return text === undefined ? { event } : { event, text };
  }
  const all = pointsOf(event)!;
  const points = all.filter((p) => p.ts >= query.from && p.ts < query.to);
  if (points.length === 0) return undefined;
  if (points.length === all.length) return text === undefined ? { event, points } : { event, text, points };
  return { event: { ...event, data: { ...(event.data as object), values: points } }, points };
}

/** The NDJSON lines (without newline) of a chunk of records. */
export function selectLines(records: readonly LogRecord[], query: ExportQuery): string[] {
  const lines: string[] = [];
  for (const record of records) {
    const stored = storedLine(record, query);
    if (stored !== undefined) {
      lines.push(stored);
      continue;
    }
    const kept = keep(record, query);
    if (kept) lines.push(kept.text ?? JSON.stringify(kept.event));
  }
  return lines;
}

/** The telemetry rows of a chunk of records, in log order (points in their batch's order). */
export function selectRows(records: readonly LogRecord[], query: ExportQuery): TelemetryRow[] {
  const rows: TelemetryRow[] = [];
  for (const record of records) {
    const kept = keep(record, query);
    if (!kept?.points) continue;
    const deviceId = kept.event.key;
    for (const p of kept.points) rows.push({ t: p.ts, deviceId, metric: p.name, value: p.value });
  }
  return rows;
}
