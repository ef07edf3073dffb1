/**
 * @module
 * The device shadow read model (reported, desired, delta, version, connected, lastSeen) and its
 * query.
 */
export {
  type DeviceStateRow,
  deviceStates,
  emptyDeviceState,
  evolveDeviceState,
  isStateEvent,
} from "./model.ts";
export { getDeviceState } from "./queries.ts";
