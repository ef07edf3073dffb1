/**
 * The cameras read model: one row per camera, its configuration (the RTSP URL without
 * credentials, the sealed credentials or push stream key) and its stream status as the
 * camera supervisor last reported it. `camera.removed` drops the row; stream events of a camera
 * that does not exist (any more) change nothing.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";

export type CameraSource = { kind: "rtsp"; url: string } | { kind: "push" };

export type CameraStatus = "starting" | "online" | "offline";

export interface CameraRow {
  id: string;
  name?: string;
  labels: Record<string, string>;
  source: CameraSource;
  /** `user:password` of the RTSP URL or a push camera's stream key, sealed (context: the camera id). */
  credentials?: string;
  record: boolean;
  retentionHours: number;
  status: CameraStatus;
  /** Why it is offline. */
  reason?: string;
  /** When the status last changed. */
  since: string;
  codec?: string;
  width?: number;
  height?: number;
  createdAt: string;
  updatedAt: string;
}

/** Retention when a camera is created without one. */
export const DEFAULT_RETENTION_HOURS = 24;

export function evolveCamera(row: CameraRow | undefined, event: DomainEvent): CameraRow | undefined {
  const at = canonicalTime(event.time);
  switch (event.type) {
    case "camera.configured": {
      const { name, labels, source, credentials, record, retentionHours } = event.data;
      if (row === undefined) {
        if (source === undefined) return undefined; // a change of a camera that was removed meanwhile
        return {
          id: event.key,
          ...(name === undefined ? {} : { name }),
          labels: { ...labels },
          source: { ...source },
          ...(credentials === undefined ? {} : { credentials }),
          record: record ?? true,
          retentionHours: retentionHours ?? DEFAULT_RETENTION_HOURS,
          status: "starting",
          since: at,
          createdAt: at,
          updatedAt: at,
        };
      }
      const next: CameraRow = {
        ...row,
        ...(name === undefined ? {} : { name }),
        ...(labels === undefined ? {} : { labels: { ...labels } }),
        ...(record === undefined ? {} : { record }),
        ...(retentionHours === undefined ? {} : { retentionHours }),
        updatedAt: at,
      };
      if (source === undefined) return next;
      // A new source: the supervisor starts over with it (credentials belong to the URL).
      const { credentials: _old, reason: _reason, codec: _c, width: _w, height: _h, ...rest } = next;
      return {
        ...rest,
        source: { ...source },
        ...(credentials === undefined ? {} : { credentials }),
        status: "starting",
        since: at,
      };
    }
    case "camera.removed":
      return undefined;
    case "camera.stream.online": {
      if (row === undefined) return row;
      const { reason: _reason, codec: _c, width: _w, height: _h, ...rest } = row;
      const { codec, width, height } = event.data;
      return {
        ...rest,
        status: "online",
        since: row.status === "online" ? row.since : at,
        ...(codec === undefined ? {} : { codec }),
        ...(width === undefined ? {} : { width }),
        ...(height === undefined ? {} : { height }),
      };
    }
    case "camera.stream.offline": {
      if (row === undefined) return row;
      return {
        ...row,
        status: "offline",
        reason: event.data.reason,
        since: row.status === "offline" ? row.since : at,
      };
    }
    default:
      return row;
  }
}

export const cameras = defineReadModel<CameraRow, string>({
  name: "cameras",
  version: 1,
  key: ["id"],
  columns: {
    id: "text",
    name: "text?",
    labels: "json",
    source: "json",
    credentials: "text?",
    record: "bool",
    retentionHours: "real",
    status: "text",
    reason: "text?",
    since: "text",
    codec: "text?",
    width: "int",
    height: "int",
    createdAt: "text",
    updatedAt: "text",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE cameras (
        id {key} PRIMARY KEY, name TEXT, labels TEXT NOT NULL, source TEXT NOT NULL, credentials TEXT,
        record INTEGER NOT NULL, retention_hours DOUBLE PRECISION NOT NULL, status TEXT NOT NULL,
        reason TEXT, since TEXT NOT NULL, codec TEXT, width INTEGER, height INTEGER,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE TABLE camera_labels (
        camera_id {key} NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (camera_id, key))`,
      `CREATE INDEX camera_labels_by_value ON camera_labels (key, value, camera_id)`,
    ],
  }],
  eventTypes: ["camera.configured", "camera.removed", "camera.stream.online", "camera.stream.offline"],
  keysOf: (event) => [event.key],
  evolve: evolveCamera,
  entryTables: [{
    table: "camera_labels",
    parentColumn: "camera_id",
    columns: ["key", "value"],
    entriesOf: (row) => Object.entries(row.labels),
  }],
});
