/**
 * The device metrics read model: per device and metric, the latest value (by event time), when it
 * was taken and how many points were reported. `/devices/{id}/metrics` and the fleet rows read it.
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
    const latest = next === undefined || point.ts >= next.t;
    next = {
      deviceId,
      metric,
      value: latest ? point.value : next!.value,
      t: latest ? point.ts : next!.t,
      count: (next?.count ?? 0) + 1,
    };
  }
  return next;
}

export const deviceMetrics = defineReadModel<DeviceMetricRow, MetricKey>({
  name: "device_metrics",
  version: 1,
  key: ["deviceId", "metric"],
  columns: { deviceId: "text", metric: "text", value: "json", t: "int", count: "int" },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE device_metrics (
        device_id {key} NOT NULL, metric {key} NOT NULL, value TEXT NOT NULL, t BIGINT NOT NULL,
        count BIGINT NOT NULL, PRIMARY KEY (device_id, metric))`,
    ],
  }],
  eventTypes: ["telemetry.reported"],
  keysOf: metricKeys,
  evolve: evolveDeviceMetric,
  // Written without a read: a batch's partial count adds up, its latest point wins on a later or
  // equal time (the batch comes later in the log), as `evolveDeviceMetric` does point by point.
  accumulate: {
    merge: (stored, partial) => ({
      ...stored,
      count: stored.count + partial.count,
      ...(partial.t >= stored.t ? { value: partial.value, t: partial.t } : {}),
    }),
    sql: {
      value: "CASE WHEN new.t >= old.t THEN new.value ELSE old.value END",
      t: "CASE WHEN new.t >= old.t THEN new.t ELSE old.t END",
      count: "old.count + new.count",
    },
  },
});
