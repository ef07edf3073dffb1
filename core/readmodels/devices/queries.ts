/** Typed queries of the device registry. */
import type { ListPageOptions } from "../pagination.ts";
import { listPage } from "../pagination.ts";
import type { Page, ReadModelStore } from "../store.ts";
import { type DeviceRow, devices } from "./model.ts";

export function getDevice(store: ReadModelStore, id: string): Promise<DeviceRow | undefined> {
  return store.get(devices, id);
}

export interface ListDevicesOptions {
  /** Only devices carrying this label. */
  label?: { key: string; value: string };
  /** `next` of the previous page. */
  cursor?: string;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number;
}

/** Devices by id, ascending. */
export function listDevices(
  store: ReadModelStore,
  options: ListDevicesOptions = {},
): Promise<Page<DeviceRow>> {
  const page: ListPageOptions<DeviceRow> = { cursor: options.cursor, limit: options.limit };
  if (options.label) {
    page.entry = { table: "device_labels", values: [options.label.key, options.label.value] };
  }
  return listPage(store, devices, page);
}
