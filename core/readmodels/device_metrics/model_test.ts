import { eventClock } from "../../testing/read_model_fixtures.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { type DeviceMetricRow, evolveDeviceMetric } from "./model.ts";

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
