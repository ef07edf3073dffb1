/**
 * @module
 * Tracing with `@opentelemetry/api`: the platform's tracer and the switch that keeps it free when
 * off, W3C `traceparent` parsing and formatting, and the consumer-side parent and links of a batch
 * (messaging conventions). Exporting spans is a composition root's business (infra/otel).
 */
export { formatTraceparent, isSampledTraceparent, parseTraceparent } from "./traceparent.ts";
export {
  activeTraceparent,
  contextFrom,
  enableTracing,
  endSpan,
  stampTraceparent,
  traceparentOf,
  tracer,
  tracingEnabled,
  withinTraceOf,
} from "./tracer.ts";
export { type BatchTraceContext, batchTraceContext, MAX_BATCH_LINKS } from "./messaging.ts";
