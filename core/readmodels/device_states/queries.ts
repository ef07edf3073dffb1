/** Typed queries of the device shadows. */
import type { ReadModelStore } from "../store.ts";
import { type DeviceStateRow, deviceStates } from "./model.ts";

/** The shadow of `deviceId`, or `undefined` when nothing was projected for it yet. */
export function getDeviceState(store: ReadModelStore, deviceId: string): Promise<DeviceStateRow | undefined> {
  return store.get(deviceStates, deviceId);
}
