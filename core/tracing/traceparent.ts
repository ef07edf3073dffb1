/**
 * W3C Trace Context `traceparent` (version 00) to and from an OpenTelemetry span context. Pure
 * string work: the gateway reads it from a device's MQTT 5 user property, the API from an HTTP
 * header, the runner from a log record's header; every event carries it in its envelope.
 */
import { type SpanContext, TraceFlags } from "@opentelemetry/api";
import { TRACEPARENT_PATTERN } from "../events/envelope.ts";

/**
 * The remote span context of a `traceparent`, or undefined when it is absent or malformed (a bad
 * header starts a new trace, it never fails a request). Future versions are read as version 00,
 * as the specification asks.
 */
export function parseTraceparent(traceparent: string | undefined): SpanContext | undefined {
  if (traceparent === undefined || traceparent.length < 55) return undefined;
  // A later version may append fields after the flags; the first 55 characters keep their meaning.
  const head = traceparent.length === 55 ? traceparent : traceparent.slice(0, 55);
  if (traceparent.length > 55 && (head.startsWith("00") || traceparent[55] !== "-")) return undefined;
  if (!TRACEPARENT_PATTERN.test(head)) return undefined;
  return {
    traceId: head.slice(3, 35),
    spanId: head.slice(36, 52),
    traceFlags: parseInt(head.slice(53, 55), 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
}

/** The `traceparent` (version 00) of a span context. */
export function formatTraceparent(context: SpanContext): string {
  const flags = context.traceFlags & TraceFlags.SAMPLED ? "01" : "00";
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** Whether a `traceparent` has its sampled flag set: read without parsing (hot paths). */
export function isSampledTraceparent(traceparent: string): boolean {
  // The flags are the last two hex digits of version 00; bit 0 is "sampled".
  const last = traceparent.charCodeAt(54);
  return traceparent.length >= 55 && ((last >= 48 && last <= 57 ? last - 48 : last - 87) & 1) === 1;
}
