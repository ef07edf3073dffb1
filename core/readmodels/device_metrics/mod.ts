/**
 * @module
 * The device metrics read model (per device and metric: latest value, its time, point count) and
 * its query.
 */
export { type DeviceMetricRow, deviceMetrics, evolveDeviceMetric } from "./model.ts";
export { listDeviceMetrics } from "./queries.ts";
