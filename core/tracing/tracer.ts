/**
 * The platform's tracer and its switch. `@opentelemetry/api` is a no-op until a composition root
 * registers an SDK (infra/otel does, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set) and then calls
 * `enableTracing()`. Hot paths test `tracingEnabled()` first, so with tracing off a message costs
 * one boolean test: no span, no context, no `traceparent` string.
 */
import { type Context, context, ROOT_CONTEXT, type Span, trace, type Tracer } from "@opentelemetry/api";
import { formatTraceparent, parseTraceparent } from "./traceparent.ts";

let enabled = false;
let current: Tracer = trace.getTracer("aiot");

/** Turns the platform's spans on (or off again, in tests): after registering a tracer provider. */
export function enableTracing(on = true): void {
  enabled = on;
  // Taken from the provider registered now: one taken earlier would keep a replaced provider's.
  current = trace.getTracer("aiot");
}

/** Whether spans are made at all; false by default. */
export const tracingEnabled = (): boolean => enabled;

/** The one tracer of the platform's own spans. */
export const tracer = (): Tracer => current;

/**
 * The context to start a span in that continues `traceparent`, or a root context (a new trace)
 * when there is none or it is malformed: never the ambient context, which on a socket callback
 * may belong to an unrelated operation.
 */
export function contextFrom(traceparent: string | undefined): Context {
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

/** The `traceparent` of a span, sampled or not: downstream spans follow its decision. */
export const traceparentOf = (span: Span): string => formatTraceparent(span.spanContext());

/** The `traceparent` of the active span, if there is a valid one. */
export function activeTraceparent(): string | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const spanContext = span.spanContext();
  return trace.isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : undefined;
}

/**
 * Runs `work` in the trace of `traceparent` when the active span belongs to another trace (a batch
 * span of events from several traces): what `work` starts — a downlink to a device, say — then
 * joins the trace of the event it is for. As it is otherwise, and with tracing off.
 */
export function withinTraceOf<T>(traceparent: string | undefined, work: () => T): T {
  if (!enabled || traceparent === undefined) return work();
  const own = parseTraceparent(traceparent);
  if (!own || trace.getSpan(context.active())?.spanContext().traceId === own.traceId) return work();
  return context.with(trace.setSpanContext(context.active(), own), work);
}

/** Ends `span` with an error status when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: 2, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/**
 * Sets `traceparent` on events that have none, as copies (events may be shared read-only).
 * Used where a span produces events: they carry the span as their creation context.
 */
export function stampTraceparent<E extends { traceparent?: string }>(events: E[], traceparent: string): E[] {
  return events.map((event) => event.traceparent ? event : { ...event, traceparent });
}
