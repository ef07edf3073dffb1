/**
 * @module
 * The device shadow read model (reported, desired, delta, version, connected, lastSeen) and its
 * query, and the same shadow at a past time, folded from the log (`deviceStateAt`).
 */
export {
  type DeviceStateRow,
  deviceStates,
  emptyDeviceState,
  evolveDeviceState,
  isStateEvent,
} from "./model.ts";
export { getDeviceState } from "./queries.ts";
export { deviceStateAt } from "./state_at.ts";
