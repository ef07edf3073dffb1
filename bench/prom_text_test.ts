import assert from "node:assert/strict";
import { Metrics } from "../core/metrics/metrics.ts";
import { histogramDelta, histogramOf, quantile, sampleValue } from "./prom_text.ts";

const BOUNDS = [0.001, 0.01, 0.1, 1];
const LABELS = { processor: "timeseries" };

function scrape(values: number[]): string {
  const m = new Metrics();
  m.count("aiot_log_appended_events_total", "Appended.", { topic: "aiot.telemetry" }, 42);
  m.observeMany("age_seconds", "Age.", LABELS, values, BOUNDS);
  m.observeMany("age_seconds", "Age.", { processor: "readmodels" }, [5], BOUNDS);
  return m.render();
}

Deno.test("sampleValue() and histogramOf() read what Metrics renders", () => {
  const text = scrape([0.0005, 0.005, 0.05, 0.05]);
  assert.equal(sampleValue(text, "aiot_log_appended_events_total", { topic: "aiot.telemetry" }), 42);
  assert.equal(sampleValue(text, "aiot_log_appended_events_total", { topic: "other" }), 0);
  const h = histogramOf(text, "age_seconds", LABELS);
  assert.deepEqual(h.bounds, BOUNDS);
  assert.deepEqual(h.cumulative, [1, 2, 4, 4]);
  assert.equal(h.count, 4);
  assert.equal(histogramOf(text, "age_seconds", { processor: "readmodels" }).count, 1);
});

Deno.test("quantile() interpolates within the bucket of a delta between two scrapes", () => {
  const before = histogramOf(scrape([0.5, 0.5]), "age_seconds", LABELS);
  // Since then: 10 observations in (0.01, 0.1], 10 in (0.1, 1].
  const after = histogramOf(
    scrape([0.5, 0.5, ...Array(10).fill(0.05), ...Array(10).fill(0.5)]),
    "age_seconds",
    LABELS,
  );
  const delta = histogramDelta(after, before);
  assert.equal(delta.count, 20);
  assert.ok(Math.abs(quantile(delta, 0.5).value! - 0.1) < 1e-9);
  assert.ok(Math.abs(quantile(delta, 0.25).value! - 0.055) < 1e-9);
  assert.ok(Math.abs(quantile(delta, 0.99).value! - (0.1 + 0.9 * 0.98)) < 1e-9);
});

Deno.test("quantile() puts unobserved events above every bound and says so", () => {
  const h = histogramOf(scrape([0.005, 0.005, 5]), "age_seconds", LABELS);
  assert.deepEqual(quantile(h, 0.99), { above: 1 });
  // 2 of 10 expected events stored: their median lies beyond what was observed.
  assert.deepEqual(quantile(h, 0.5, 10), { above: 1 });
  assert.ok(Math.abs(quantile(h, 0.1, 10).value! - 0.0055) < 1e-9);
  assert.deepEqual(quantile(histogramOf("", "age_seconds", LABELS), 0.5), {});
});
