/** Typed queries of the cameras read model. */
import type { ReadModelStore } from "../store.ts";
import { type CameraRow, cameras } from "./model.ts";

export function getCamera(store: ReadModelStore, id: string): Promise<CameraRow | undefined> {
  return store.get(cameras, id);
}

/** The most cameras one list returns: a site has tens, a tile grid shows a few. */
export const MAX_CAMERAS = 1000;

/** Cameras by id, optionally only those carrying `label`. */
export async function listCameras(
  store: ReadModelStore,
  options: { label?: { key: string; value: string } } = {},
): Promise<CameraRow[]> {
  const rows = await store.list(cameras, { orderBy: [{ field: "id" }], limit: MAX_CAMERAS });
  const label = options.label;
  return label ? rows.filter((row) => row.labels[label.key] === label.value) : rows;
}
