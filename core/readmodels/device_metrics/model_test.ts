import { eventClock } from "../../testing/read_model_fixtures.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import assert from "node:assert/strict";
import { type DeviceMetricRow, deviceMetrics, evolveDeviceMetric } from "./model.ts";

const temperature = projectionSpec<DeviceMetricRow>((row, event) =>
  evolveDeviceMetric(row, event, ["d1", "temperature"])
);

Deno.test("evolveDeviceMetric() keeps the latest value by event time and counts every point", () => {
  const c = eventClock();
  temperature.given(
    c.event("telemetry.reported", "d1", { values: [{ name: "temperature", value: 21.5, ts: 1_000 }] }),
    c.event("telemetry.reported", "d1", {
      values: [{ name: "humidity", value: 40, ts: 3_000 }, { name: "temperature", value: 22, ts: 2_000 }],
    }),
    // backfilled: older than the latest, so it only counts
    c.event("telemetry.reported", "d1", { values: [{ name: "temperature", value: 5, ts: 500 }] }),
  ).then({ deviceId: "d1", metric: "temperature", value: 22, t: 2_000, count: 3 });
});

Deno.test("evolveDeviceMetric() takes the later point on equal times and keeps any value type", () => {
  const c = eventClock();
  temperature.given(
    c.event("telemetry.reported", "d1", { values: [{ name: "temperature", value: 1, ts: 7 }] }),
    c.event("telemetry.reported", "d1", { values: [{ name: "temperature", value: "hot", ts: 7 }] }),
  ).then({ deviceId: "d1", metric: "temperature", value: "hot", t: 7, count: 2 });
  temperature.given(c.event("device.connected", "d1", { clientId: "d1", protocol: "mqtt" })).then(undefined);
  temperature.given(
    c.event("telemetry.reported", "d1", { values: [{ name: "humidity", value: 1, ts: 7 }] }),
  ).then(undefined);
});

Deno.test("evolveDeviceMetric() keeps the latest point's unit and quality (v2); good is left out", () => {
  const c = eventClock();
  const point = (value: number, ts: number, extra: Record<string, string> = {}) =>
    c.event("telemetry.reported", "d1", { values: [{ name: "temperature", value, ts, ...extra }] });
  temperature.given(point(21, 1_000, { unit: "°C", quality: "uncertain" }))
    .then({
      deviceId: "d1",
      metric: "temperature",
      value: 21,
      t: 1_000,
      unit: "°C",
      quality: "uncertain",
      count: 1,
    });
  // A backfilled point only counts; a later one brings its own unit and quality, or none.
  temperature.given(
    point(21, 1_000, { unit: "°C", quality: "bad" }),
    point(5, 500, { unit: "K" }),
    point(22, 2_000),
  ).then({ deviceId: "d1", metric: "temperature", value: 22, t: 2_000, count: 3 });
});

Deno.test("device_metrics: merging partial rows equals folding, unit and quality included", () => {
  const c = eventClock();
  const events = [
    c.event("telemetry.reported", "d1", { values: [{ name: "temperature", value: 1, ts: 10, unit: "°C" }] }),
    c.event("telemetry.reported", "d1", {
      values: [{ name: "temperature", value: 2, ts: 30, quality: "bad" }],
    }),
    c.event("telemetry.reported", "d1", { values: [{ name: "temperature", value: 3, ts: 20, unit: "K" }] }),
  ];
  const fold = (list: typeof events) =>
    list.reduce<DeviceMetricRow | undefined>(
      (row, e) => evolveDeviceMetric(row, e, ["d1", "temperature"]),
      undefined,
    )!;
  for (let cut = 1; cut < events.length; cut++) {
    assert.deepEqual(
      deviceMetrics.accumulate!.merge(fold(events.slice(0, cut)), fold(events.slice(cut))),
      fold(events),
      `cut at ${cut}`,
    );
  }
});
