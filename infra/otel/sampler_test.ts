import assert from "node:assert/strict";
import { samplerFromEnv } from "./sampler.ts";

Deno.test("samplerFromEnv() defaults to parentbased_always_on, as the specification does", () => {
  assert.match(samplerFromEnv({}).toString(), /^ParentBased\{root=AlwaysOnSampler/);
});

Deno.test("samplerFromEnv() reads OTEL_TRACES_SAMPLER and its ratio argument", () => {
  const sampler = samplerFromEnv({
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: "0.1",
  });
  assert.match(sampler.toString(), /^ParentBased\{root=TraceIdRatioBased\{0\.1\}/);
  assert.match(samplerFromEnv({ OTEL_TRACES_SAMPLER: "traceidratio" }).toString(), /^TraceIdRatioBased\{1\}/);
  assert.equal(samplerFromEnv({ OTEL_TRACES_SAMPLER: "always_off" }).toString(), "AlwaysOffSampler");
  assert.equal(samplerFromEnv({ OTEL_TRACES_SAMPLER: " Always_On " }).toString(), "AlwaysOnSampler");
});

Deno.test("samplerFromEnv() refuses an unknown sampler or a ratio outside [0, 1]", () => {
  assert.throws(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: "jaeger_remote" }), /expected one of always_on/);
  assert.throws(
    () => samplerFromEnv({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" }),
    RangeError,
  );
  assert.throws(
    () => samplerFromEnv({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "ten" }),
    /between 0 and 1/,
  );
});
