/**
 * @module
 * OpenTelemetry export: the SDK (`@opentelemetry/sdk-trace` + the OTLP/HTTP protobuf exporter)
 * registered only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, with the sampler of
 * `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` and `service.name` per process.
 */
export { SAMPLER_NAMES, samplerFromEnv } from "./sampler.ts";
export {
  serviceNameFor,
  startTracing,
  type Tracing,
  type TracingOptions,
  tracingRequested,
} from "./tracing.ts";
