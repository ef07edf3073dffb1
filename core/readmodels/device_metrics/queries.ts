/** Typed queries of the device metrics read model. */
import type { ReadModelStore } from "../store.ts";
import { type DeviceMetricRow, deviceMetrics } from "./model.ts";

/** Every metric of `deviceId` with its latest value, by metric name (at most 10,000). */
export function listDeviceMetrics(store: ReadModelStore, deviceId: string): Promise<DeviceMetricRow[]> {
  return store.list(deviceMetrics, {
    where: [{ field: "deviceId", op: "=", value: deviceId }],
    orderBy: [{ field: "metric" }],
    limit: 10_000,
  });
}
