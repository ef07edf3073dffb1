/**
 * The producer span of a downlink published to a device (a command, desired state, an OTA job),
 * made only inside a traced operation (the `commands` processor's batch span, say), and the
 * `traceparent` to send along as an MQTT 5 user property, so a device that echoes it on its
 * answer (a command ack) continues the same trace. Outside a trace, or with tracing off, the
 * publish goes as it is.
 */
import { context, SpanKind, trace } from "@opentelemetry/api";
import { endSpan, traceparentOf, tracer, tracingEnabled } from "../../core/tracing/mod.ts";
import { uplinkRoute } from "./ingest_span.ts";

/** Runs `publish` under a span when a trace is active; it gets the span's `traceparent`. */
export function tracedDownlink<T>(topic: string, publish: (traceparent?: string) => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return publish();
  const active = context.active();
  const parent = trace.getSpan(active);
  if (!parent || !trace.isSpanContextValid(parent.spanContext())) return publish();
  const span = tracer().startSpan(`publish ${uplinkRoute(topic)}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": "mqtt",
      "messaging.operation.type": "send",
      "messaging.destination.name": topic,
      "aiot.device.id": topic.split("/")[1] ?? "",
    },
  }, active);
  return context.with(trace.setSpan(active, span), () => publish(traceparentOf(span))).then(
    (result) => (span.end(), result),
    (error) => {
      endSpan(span, error);
      throw error;
    },
  );
}
