/** Typed queries of the dead-letter read model. */
import { listPage } from "../pagination.ts";
import type { Page, ReadModelStore } from "../store.ts";
import { dlq, type DlqRow } from "./model.ts";

export interface ListDlqOptions {
  deviceId?: string;
  cursor?: string;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number;
}

/** Dead-lettered uplinks, newest first (by event id, i.e. ingest time). */
export function listDlq(store: ReadModelStore, options: ListDlqOptions = {}): Promise<Page<DlqRow>> {
  return listPage(store, dlq, {
    where: options.deviceId === undefined ? [] : [{ field: "deviceId", op: "=", value: options.deviceId }],
    descending: true,
    cursor: options.cursor,
    limit: options.limit,
  });
}
