import assert from "node:assert/strict";
import { serviceNameFor, tracingRequested } from "./tracing.ts";

Deno.test("tracingRequested() needs an OTLP endpoint and respects OTEL_SDK_DISABLED", () => {
  assert.equal(tracingRequested({}), false);
  assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }), true);
  assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" }), true);
  assert.equal(
    tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" }),
    false,
  );
  assert.equal(
    tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none" }),
    false,
  );
});

Deno.test("serviceNameFor() names a process by its roles", () => {
  const all = ["gateway", "timeseries", "api"];
  assert.equal(serviceNameFor(["api", "gateway", "timeseries"], all), "aiot");
  assert.equal(serviceNameFor(["gateway"], all), "aiot-gateway");
  assert.equal(serviceNameFor(["timeseries", "api"], all), "aiot-api-timeseries");
});
