/**
 * The OpenTelemetry SDK of a process: spans made with `@opentelemetry/api` (core/tracing) are
 * batched and exported over OTLP/HTTP (protobuf) to `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), which the exporter reads itself with the other standard
 * `OTEL_EXPORTER_OTLP_*` variables (headers, timeout). Without an endpoint nothing is registered:
 * the API stays a no-op and the platform's spans are never made (`enableTracing`).
 *
 * Each thread that makes spans starts its own SDK (a Worker has its own globals): the main thread
 * in `servePlatform`, the projection thread in its worker.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { enableTracing } from "../../core/tracing/mod.ts";
import { samplerFromEnv } from "./sampler.ts";

export interface TracingOptions {
  /** The `OTEL_*` variables. */
  env: Record<string, string | undefined>;
  /** `service.name` unless `OTEL_SERVICE_NAME` (or `OTEL_RESOURCE_ATTRIBUTES`) names one. */
  serviceName: string;
  /** Instead of the OTLP exporter (tests). */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Exports what is buffered, then stops; spans made after it are dropped. */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for traces: an OTLP endpoint, and the SDK not disabled. */
export function tracingRequested(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

const positive = (value: string | undefined): number | undefined => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
};

let started: Tracing | undefined;

/**
 * Registers the SDK when the environment asks for traces; undefined (and nothing registered) when
 * it does not. At most once per thread: a second call returns the first SDK.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (started) return started;
  const { env } = options;
  if (!options.exporter && !tracingRequested(env)) return undefined;
  const resource = resourceFromAttributes({ "service.name": options.serviceName })
    .merge(detectResources({ detectors: [envDetector] }));
  const scheduledDelayMillis = positive(env.OTEL_BSP_SCHEDULE_DELAY);
  const maxQueueSize = positive(env.OTEL_BSP_MAX_QUEUE_SIZE);
  const processor = new BatchSpanProcessor({
    exporter: options.exporter ?? new OTLPTraceExporter(),
    ...(scheduledDelayMillis ? { scheduledDelayMillis } : {}),
    // Spans beyond the queue are dropped, never waited for: tracing must not slow ingest down.
    maxQueueSize: maxQueueSize ?? 8192,
    maxExportBatchSize: 1024,
  });
  const provider = new TracerProvider({
    resource,
    sampler: samplerFromEnv(env),
    spanProcessors: [processor],
  });
  // Keeps the active span across `await`s, so spans nest and log lines find their trace id.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enableTracing();
  started = {
    flush: () => provider.forceFlush(),
    async shutdown() {
      enableTracing(false);
      await provider.shutdown();
      // Back to the no-op API, so a later `startTracing` (tests) can register again.
      trace.disable();
      context.disable();
      propagation.disable();
      started = undefined;
    },
  };
  return started;
}

/** `service.name` of a process running `roles`: `aiot` for all of them, else `aiot-<roles>`. */
export function serviceNameFor(roles: readonly string[], allRoles: readonly string[]): string {
  return roles.length === allRoles.length && allRoles.every((r) => roles.includes(r))
    ? "aiot"
    : `aiot-${[...roles].sort().join("-")}`;
}
