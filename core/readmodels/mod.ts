/**
 * @module
 * Read models (design §4): the `ReadModels` port with its row types, and the pure reducers every
 * adapter projects through — device registry, device shadow (merge patch, delta, version,
 * connected, lastSeen), command lifecycle and dead-letter rows — plus the batch planner that
 * splits a batch at the checkpoint and computes the changed rows.
 *
 * ```ts
 * import { evolveDeviceState } from "./mod.ts";
 * // const row = events.reduce(evolveDeviceState, undefined);
 * ```
 */
export type {
  CommandRow,
  CommandStatus,
  DeviceCredential,
  DeviceRow,
  DeviceStateRow,
  DlqRow,
  JsonObject,
  JsonValue,
} from "./rows.ts";
export type {
  ListCommandsOptions,
  ListDevicesOptions,
  ListDlqOptions,
  Page,
  ProjectBatch,
  ProjectResult,
  ReadModels,
} from "./read_models.ts";
export { jsonEqual, mergePatch, stateDelta } from "./json_patch.ts";
export { canonicalTime, emptyDeviceState, evolveDevice, evolveDeviceState } from "./device_projection.ts";
export { commandIdOf, dlqRowOf, evolveCommand, isFinalStatus } from "./command_projection.ts";
export {
  isProjected,
  keysTouchedBy,
  type PendingEvents,
  pendingEvents,
  projectEvents,
  type ProjectionChanges,
  type ProjectionKeys,
  type ProjectionSnapshot,
} from "./projection.ts";
export {
  decodeCursor,
  DEFAULT_PAGE_LIMIT,
  encodeCursor,
  MAX_PAGE_LIMIT,
  pageLimit,
  toPage,
} from "./pagination.ts";
