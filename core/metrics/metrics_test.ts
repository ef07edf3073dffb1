import assert from "node:assert/strict";
import { Metrics } from "./metrics.ts";

Deno.test("Metrics renders counters, gauges and cumulative histograms as Prometheus text", () => {
  const m = new Metrics();
  m.count("aiot_events_total", "Events.", { topic: "aiot.telemetry" }, 3);
  m.count("aiot_events_total", "Events.", { topic: "aiot.telemetry" });
  m.set("aiot_lag", "Lag.", { processor: "timeseries" }, 7);
  m.gauge("aiot_sse_clients", "SSE clients.", () => [{ labels: {}, value: 2 }]);
  m.observe("aiot_http_seconds", "Latency.", { route: "/x" }, 0.02, [0.01, 0.05, 1]);
  m.observe("aiot_http_seconds", "Latency.", { route: "/x" }, 0.5, [0.01, 0.05, 1]);
  const text = m.render();
  assert.match(text, /# TYPE aiot_events_total counter\naiot_events_total\{topic="aiot.telemetry"\} 4\n/);
  assert.match(text, /aiot_lag\{processor="timeseries"\} 7\n/);
  assert.match(text, /aiot_sse_clients 2\n/);
  assert.match(text, /aiot_http_seconds_bucket\{route="\/x",le="0.01"\} 0\n/);
  assert.match(text, /aiot_http_seconds_bucket\{route="\/x",le="0.05"\} 1\n/);
  assert.match(text, /aiot_http_seconds_bucket\{route="\/x",le="1"\} 2\n/);
  assert.match(text, /aiot_http_seconds_bucket\{route="\/x",le="\+Inf"\} 2\n/);
  assert.match(text, /aiot_http_seconds_count\{route="\/x"\} 2\n/);
});

Deno.test("Metrics escapes label values", () => {
  const m = new Metrics();
  m.count("x_total", "X.", { v: 'a"b\\c\nd' });
  assert.match(m.render(), /x_total\{v="a\\"b\\\\c\\nd"\} 1/);
});

Deno.test("Metrics.observeMany() counts every value into the cumulative buckets, like observe() one by one", () => {
  const one = new Metrics();
  const many = new Metrics();
  const values = [0.0005, 0.001, 0.003, 0.2, 7, 12];
  for (const v of values) one.observe("age_seconds", "Age.", { p: "ts" }, v, [0.001, 0.005, 1, 10]);
  many.observeMany("age_seconds", "Age.", { p: "ts" }, values, [0.001, 0.005, 1, 10]);
  assert.equal(many.render(), one.render());
  assert.match(many.render(), /age_seconds_bucket\{p="ts",le="0.001"\} 2\n/);
  assert.match(many.render(), /age_seconds_bucket\{p="ts",le="10"\} 5\n/);
  assert.match(many.render(), /age_seconds_bucket\{p="ts",le="\+Inf"\} 6\n/);
});
