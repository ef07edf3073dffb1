/**
 * @module
 * Read models (design §4) as data: `defineReadModel` (a table, its columns, `keysOf` and a pure
 * `evolve`), the registry of every model, the generic `ReadModelStore` port the SQL store and the
 * in-memory fake implement, the engine-neutral batch planner, and each model's typed queries
 * (in its own folder: `devices/`, `device_states/`, `commands/`, `dlq/`, `device_metrics/`,
 * `rules/`, `alerts/`, `firmware/`, `ota_campaigns/`, `ota_jobs/`).
 *
 * ```ts
 * import { getDevice } from "./mod.ts";
 * // const row = await getDevice(store, "pump-1");
 * ```
 */
export {
  type AnyReadModel,
  columnOf,
  type ColumnType,
  defineReadModel,
  type EntryTable,
  keyId,
  keyOfRow,
  keyValues,
  type ReadModel,
  type ReadModelMigration,
  type ReadModelOptions,
  type RowKey,
} from "./define.ts";
export type {
  Page,
  ProjectBatch,
  ProjectOptions,
  ProjectResult,
  ReadModelStatus,
  ReadModelStore,
  RowFilter,
  RowQuery,
} from "./store.ts";
export { readModels } from "./registry.ts";
export {
  type BatchPlan,
  type ModelChanges,
  type ModelPlan,
  planBatch,
  projectModel,
  selectModels,
} from "./projection.ts";
export type { JsonObject, JsonValue } from "./json_value.ts";
export { canonicalTime } from "./canonical_time.ts";
export { jsonEqual, mergePatch, stateDelta } from "./json_patch.ts";
export {
  decodeCursor,
  DEFAULT_PAGE_LIMIT,
  encodeCursor,
  listPage,
  type ListPageOptions,
  MAX_PAGE_LIMIT,
  pageLimit,
  toPage,
} from "./pagination.ts";
export {
  type DeviceCredential,
  type DeviceRow,
  getDevice,
  listDevices,
  type ListDevicesOptions,
} from "./devices/mod.ts";
export { deviceStateAt, type DeviceStateRow, emptyDeviceState, getDeviceState } from "./device_states/mod.ts";
export {
  type CommandRow,
  type CommandStatus,
  getCommand,
  isFinalStatus,
  listCommands,
  type ListCommandsOptions,
  listOpenCommands,
} from "./commands/mod.ts";
export { type DlqRow, listDlq, type ListDlqOptions } from "./dlq/mod.ts";
export { type DeviceMetricRow, listDeviceMetrics } from "./device_metrics/mod.ts";
export { getRule, listRules, type RuleRow } from "./rules/mod.ts";
export {
  type AlertRow,
  type AlertStatus,
  getAlert,
  listAlerts,
  type ListAlertsOptions,
} from "./alerts/mod.ts";
export {
  findFirmwareRelease,
  firmwareBytesInUse,
  type FirmwareRow,
  getFirmware,
  listFirmware,
} from "./firmware/mod.ts";
export {
  firmwareInUse,
  getOtaCampaign,
  listOtaCampaigns,
  type OtaCampaignRow,
  type WaveView,
} from "./ota_campaigns/mod.ts";
export { countOtaJobs, listOtaJobs, type OtaJobRow } from "./ota_jobs/mod.ts";
