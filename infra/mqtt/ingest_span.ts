/**
 * The gateway's producer span of one uplink (OpenTelemetry messaging conventions): from the
 * moment the broker hands it over, through validation, to its events being durable in the log,
 * with a child span for the log append (the group-commit wait included). It continues the trace
 * of the device's `traceparent` (an MQTT 5 user property) when there is one, else starts a trace;
 * the events carry it as their creation context, so every consumer of them links to it.
 *
 * Only made when tracing is on (`tracingEnabled()`); callers test that first.
 */
import { type Context, type Span, SpanKind, trace } from "@opentelemetry/api";
import type { DomainEvent } from "../../core/events/catalog.ts";
import type { Uplink, UplinkResult } from "../../core/gateway/uplink.ts";
import { contextFrom, stampTraceparent, traceparentOf, tracer } from "../../core/tracing/mod.ts";

/** `telemetry`, `commands/+/ack`…: the uplink's route below `devices/{id}/`, ids masked (span names). */
export function uplinkRoute(topic: string): string {
  const rest = topic.split("/").slice(2).join("/");
  return rest.startsWith("commands/") ? rest.replace(/^commands\/[^/]+/, "commands/+") : rest;
}

export interface IngestSpan {
  span: Span;
  /** The span's context: work done under it (validation, the append) nests in it. */
  context: Context;
}

export function startIngestSpan(uplink: Uplink): IngestSpan {
  const span = tracer().startSpan(`ingest ${uplinkRoute(uplink.topic)}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": "aiot",
      "messaging.operation.type": "send",
      "messaging.operation.name": "ingest",
      "mqtt.topic": uplink.topic,
      "mqtt.qos": uplink.qos ?? 0,
      "aiot.device.id": uplink.deviceId,
      ...(uplink.clientId ? { "messaging.client.id": uplink.clientId } : {}),
    },
  }, contextFrom(uplink.traceparent));
  return { span, context: trace.setSpan(contextFrom(uplink.traceparent), span) };
}

/** The result with its events stamped with the span as their creation context, and noted on the span. */
export function traceResult({ span }: IngestSpan, result: UplinkResult): UplinkResult {
  const traceparent = traceparentOf(span);
  if (!result.ok) {
    span.setAttribute("aiot.rejected", result.reason);
    span.setStatus({ code: 2, message: `rejected: ${result.reason}` });
    return { ...result, rejected: stampTraceparent([result.rejected], traceparent)[0]! };
  }
  const first = result.events[0];
  if (first) span.setAttribute("messaging.message.id", first.id);
  return { ok: true, events: stampTraceparent(result.events as DomainEvent[], traceparent) };
}

/** A child span around appending to `topic`, ended when `durable` settles. */
export function traceAppend(ingest: IngestSpan, topic: string, durable: Promise<void>): void {
  ingest.span.setAttribute("messaging.destination.name", topic);
  const span = tracer().startSpan(`append ${topic}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "messaging.system": "aiot",
      "messaging.destination.name": topic,
      "aiot.log.operation": "append",
    },
  }, ingest.context);
  durable.then(() => span.end(), (error) => {
    span.setStatus({ code: 2, message: error instanceof Error ? error.message : String(error) });
    span.end();
  });
}
