/**
 * The device metrics read model: per device and metric, the latest value (by event time), when it
 * was taken, its unit and quality, and how many points were reported. `/devices/{id}/metrics` and the fleet rows read it.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { defineReadModel } from "../define.ts";

/** One metric of one device. */
export interface DeviceMetricRow {
  deviceId: string;
  metric: string;
  /** The value of the point with the latest `t` (on a tie, the later one in the log). */
  value: number | boolean | string;
  /** Event time of that point, epoch milliseconds. */
  t: number;
  /** The unit that point came with (`telemetry.reported` v2), if any. */
  unit?: string;
  /** That point's quality when it is not `good` (v2; absent = good, as every v1 value). */
  quality?: "uncertain" | "bad";
  /**
   * Points reported for this metric. A message a device repeats (QoS 1 redelivery) is a new event
   * and counts again; a log redelivery does not (checkpoints).
   */
  count: number;
}

type MetricKey = readonly [deviceId: string, metric: string];

function metricKeys(event: DomainEvent): MetricKey[] {
  if (event.type !== "telemetry.reported") return [];
  const names = new Set(event.data.values.map((point) => point.name));
  return [...names].map((name) => [event.key, name] as const);
}

/** The row of `key` after the event's points of that metric, in their order in the event. */
export function evolveDeviceMetric(
  row: DeviceMetricRow | undefined,
  event: DomainEvent,
  key: MetricKey,
): DeviceMetricRow | undefined {
  if (event.type !== "telemetry.reported") return row;
  const [deviceId, metric] = key;
  let next = row;
  for (const point of event.data.values) {
    if (point.name !== metric) continue;
    const count = (next?.count ?? 0) + 1;
    next = next === undefined || point.ts >= next.t
      ? {
        deviceId,
        metric,
        value: point.value,
        t: point.ts,
        ...(point.unit === undefined ? {} : { unit: point.unit }),
        ...(point.quality === "good" ? {} : { quality: point.quality }),
        count,
      }
      : { ...next, count };
  }
  return next;
}

/** The latest point's fields of a row (value, t, unit, quality): what a later point replaces. */
const latestOf = ({ value, t, unit, quality }: DeviceMetricRow) => ({
  value,
  t,
  ...(unit === undefined ? {} : { unit }),
  ...(quality === undefined ? {} : { quality }),
});

export const deviceMetrics = defineReadModel<DeviceMetricRow, MetricKey>({
  name: "device_metrics",
  version: 1,
  key: ["deviceId", "metric"],
  columns: {
    deviceId: "text",
    metric: "text",
    value: "json",
    t: "int",
    unit: "text?",
    quality: "text?",
    count: "int",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE device_metrics (
        device_id {key} NOT NULL, metric {key} NOT NULL, value TEXT NOT NULL, t BIGINT NOT NULL,
        count BIGINT NOT NULL, PRIMARY KEY (device_id, metric))`,
    ],
  }, {
    // telemetry.reported v2. No rebuild: rows from v1 values are right as they are (no unit, good).
    version: 2,
    statements: [
      `ALTER TABLE device_metrics ADD COLUMN unit TEXT`,
      `ALTER TABLE device_metrics ADD COLUMN quality TEXT`,
    ],
  }],
  eventTypes: ["telemetry.reported"],
  keysOf: metricKeys,
  evolve: evolveDeviceMetric,
  // Written without a read: a batch's partial count adds up, its latest point wins on a later or
  // equal time (the batch comes later in the log), as `evolveDeviceMetric` does point by point.
  accumulate: {
    merge: (stored, partial) => ({
      deviceId: stored.deviceId,
      metric: stored.metric,
      ...latestOf(partial.t >= stored.t ? partial : stored),
      count: stored.count + partial.count,
    }),
    sql: {
      value: "CASE WHEN new.t >= old.t THEN new.value ELSE old.value END",
      t: "CASE WHEN new.t >= old.t THEN new.t ELSE old.t END",
      unit: "CASE WHEN new.t >= old.t THEN new.unit ELSE old.unit END",
      quality: "CASE WHEN new.t >= old.t THEN new.quality ELSE old.quality END",
      count: "old.count + new.count",
    },
  },
});
