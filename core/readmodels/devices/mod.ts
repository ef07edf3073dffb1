/**
 * @module
 * The device registry read model (`devices` + its `device_labels` entry table) and its queries.
 */
export { type DeviceCredential, type DeviceRow, devices, evolveDevice } from "./model.ts";
export { getDevice, listDevices, type ListDevicesOptions } from "./queries.ts";
