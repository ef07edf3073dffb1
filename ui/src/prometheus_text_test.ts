import assert from "node:assert/strict";
import { parsePrometheusText } from "./prometheus_text.ts";

Deno.test("parsePrometheusText() reads samples with labels and skips comments", () => {
  const text = [
    "# HELP aiot_consumer_lag Events a processor has not committed yet, per topic.",
    "# TYPE aiot_consumer_lag gauge",
    'aiot_consumer_lag{processor="projector",topic="aiot.telemetry"} 12',
    "aiot_sse_clients 3",
    "",
    'aiot_processor_batch_seconds_bucket{processor="rules",le="+Inf"} 7',
    'aiot_processor_batch_seconds_sum{processor="rules"} 0.125 1700000000000',
  ].join("\n");
  assert.deepEqual(parsePrometheusText(text), [
    { name: "aiot_consumer_lag", labels: { processor: "projector", topic: "aiot.telemetry" }, value: 12 },
    { name: "aiot_sse_clients", labels: {}, value: 3 },
    { name: "aiot_processor_batch_seconds_bucket", labels: { processor: "rules", le: "+Inf" }, value: 7 },
    { name: "aiot_processor_batch_seconds_sum", labels: { processor: "rules" }, value: 0.125 },
  ]);
});

Deno.test("parsePrometheusText() unescapes label values and reads special numbers", () => {
  const [escaped, inf, nan] = parsePrometheusText(
    'm{a="x\\"y\\\\z\\nw", b = "1,}"} -Inf\nm{} +Inf\nm NaN\n',
  );
  assert.deepEqual(escaped, { name: "m", labels: { a: 'x"y\\z\nw', b: "1,}" }, value: -Infinity });
  assert.equal(inf!.value, Infinity);
  assert.ok(Number.isNaN(nan!.value));
});

Deno.test("parsePrometheusText() names the line it cannot read", () => {
  assert.throws(() => parsePrometheusText("ok 1\nbad{x=1} 2"), /line 2 .*expected ="…" after label x/);
  assert.throws(() => parsePrometheusText('m{a="open 1'), /unterminated label value/);
  assert.throws(() => parsePrometheusText("m one"), /expected a number, got "one"/);
  assert.throws(() => parsePrometheusText("m"), /expected a number/);
});
