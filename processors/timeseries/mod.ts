/**
 * @module
 * The `timeseries` projector: `telemetry.reported` events → TimeSeriesStore points. Every value
 * becomes one point keyed by (device, metric, time); the store's natural key and rollup guards make
 * a redelivered batch a no-op, so the generic runner's at-least-once delivery has exactly-once effect.
 */
import type { ProcessorDefinition } from "../../core/processing/processor.ts";
import type { MetricPoint, TimeSeriesStore } from "../../core/timeseries/time_series_store.ts";

export function timeseriesProjector(store: TimeSeriesStore, telemetryTopic: string): ProcessorDefinition {
  return {
    name: "timeseries",
    topics: [telemetryTopic],
    handles: ["telemetry.reported"],
    async handle(events, { offsets }) {
      const points: MetricPoint[] = [];
      events.forEach((event, i) => {
        if (event.type !== "telemetry.reported") return;
        for (const { name, value, ts } of event.data.values) {
          points.push({ deviceId: event.key, metric: name, t: ts, value, seq: offsets[i]! });
        }
      });
      if (points.length > 0) await store.write(points);
    },
  };
}
