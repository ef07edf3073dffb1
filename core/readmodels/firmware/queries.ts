/** Typed queries of the firmware read model. */
import { listPage } from "../pagination.ts";
import type { Page, ReadModelStore } from "../store.ts";
import { firmware, type FirmwareRow } from "./model.ts";

export function getFirmware(store: ReadModelStore, id: string): Promise<FirmwareRow | undefined> {
  return store.get(firmware, id);
}

/** Images by id (UUIDv7: oldest upload first). */
export function listFirmware(
  store: ReadModelStore,
  options: { cursor?: string | undefined; limit?: number | undefined } = {},
): Promise<Page<FirmwareRow>> {
  return listPage(store, firmware, { cursor: options.cursor, limit: options.limit });
}

/** The image published as `name` `version`, if any (the API keeps that pair unique). */
export async function findFirmwareRelease(
  store: ReadModelStore,
  name: string,
  version: string,
): Promise<FirmwareRow | undefined> {
  const rows = await store.list(firmware, {
    where: [{ field: "name", op: "=", value: name }, { field: "version", op: "=", value: version }],
    orderBy: [{ field: "id" }],
    limit: 1,
  });
  return rows[0];
}

/** Whether any image row still points at the stored bytes `sha256` (the store deduplicates). */
export async function firmwareBytesInUse(store: ReadModelStore, sha256: string): Promise<boolean> {
  const rows = await store.list(firmware, {
    where: [{ field: "sha256", op: "=", value: sha256 }],
    orderBy: [{ field: "id" }],
    limit: 1,
  });
  return rows.length > 0;
}
