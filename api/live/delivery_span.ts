/**
 * The span of one event handed to SSE clients: a child of the event's creation context (its
 * `traceparent` header), so a reading's trace ends where the dashboard gets it. Made only for
 * sampled events (an unsampled parent would drop it anyway), with tracing on (the caller checks).
 */
import { SpanKind } from "@opentelemetry/api";
import type { LogRecord } from "../../core/log/event_log.ts";
import { contextFrom, isSampledTraceparent, tracer } from "../../core/tracing/mod.ts";

export function traceDelivery(record: LogRecord, clients: number): void {
  const traceparent = record.headers["traceparent"];
  if (!traceparent || !isSampledTraceparent(traceparent)) return;
  tracer().startSpan(`deliver ${record.topic}`, {
    kind: SpanKind.CONSUMER,
    attributes: {
      "messaging.system": "aiot",
      "messaging.operation.type": "process",
      "messaging.operation.name": "deliver",
      "messaging.destination.name": record.topic,
      "messaging.destination.partition.id": String(record.partition),
      "aiot.event.type": record.headers["event-type"] ?? "",
      "aiot.sse.clients": clients,
    },
  }, contextFrom(traceparent)).end();
}
