/**
 * The device registry read model: one row per device, decommissioned devices included, with a
 * `device_labels` entry table for the label filter.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";

/** The stored device credential: only its hash and algorithm (see `device.registered`). */
export interface DeviceCredential {
  algorithm: "sha256" | "scrypt" | "argon2id";
  hash: string;
}

/** One device of the registry. Decommissioned devices stay listed. */
export interface DeviceRow {
  id: string;
  name?: string;
  model?: string;
  labels: Record<string, string>;
  /** `camera` for a video source (issue 19); absent for the MQTT devices. */
  kind?: "device" | "camera";
  status: "active" | "decommissioned";
  /** Absent before the first token and after decommissioning: a device without one cannot connect. */
  credential?: DeviceCredential;
  createdAt: string;
  updatedAt: string;
}

/**
 * The registry row after `event`. `device.registered` creates the row (a second registration of
 * the same id is ignored: ids are unique, the API answers 409); the other registry events
 * ignore unknown devices. Decommissioning keeps the row, drops the credential so the device can
 * no longer authenticate, and ignores later rotations.
 */
export function evolveDevice(row: DeviceRow | undefined, event: DomainEvent): DeviceRow | undefined {
  const at = canonicalTime(event.time);
  switch (event.type) {
    case "device.registered": {
      if (row !== undefined) return row;
      const { name, model, labels, credential, kind } = event.data;
      return {
        id: event.key,
        ...(name === undefined ? {} : { name }),
        ...(model === undefined ? {} : { model }),
        labels: { ...labels },
        ...(kind === undefined ? {} : { kind }),
        status: "active",
        ...(credential === undefined ? {} : { credential: { ...credential } }),
        createdAt: at,
        updatedAt: at,
      };
    }
    case "device.updated": {
      if (row === undefined) return row;
      const { name, model, labels } = event.data;
      return {
        ...row,
        ...(name === undefined ? {} : { name }),
        ...(model === undefined ? {} : { model }),
        ...(labels === undefined ? {} : { labels: { ...labels } }),
        updatedAt: at,
      };
    }
    case "device.credentials.rotated": {
      if (row === undefined || row.status === "decommissioned") return row;
      return { ...row, credential: { ...event.data.credential }, updatedAt: at };
    }
    case "device.decommissioned": {
      if (row === undefined || row.status === "decommissioned") return row;
      const { credential: _dropped, ...rest } = row;
      return { ...rest, status: "decommissioned", updatedAt: at };
    }
    default:
      return row;
  }
}

export const devices = defineReadModel<DeviceRow, string>({
  name: "devices",
  version: 1,
  key: ["id"],
  columns: {
    id: "text",
    name: "text?",
    model: "text?",
    labels: "json",
    kind: "text?",
    status: "text",
    credential: "json?",
    createdAt: "text",
    updatedAt: "text",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE devices (
        id {key} PRIMARY KEY, name TEXT, model TEXT, labels TEXT NOT NULL, status TEXT NOT NULL,
        credential TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE TABLE device_labels (
        device_id {key} NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (device_id, key))`,
      `CREATE INDEX device_labels_by_value ON device_labels (key, value, device_id)`,
    ],
  }, {
    // issue 19: cameras are devices of kind "camera"; NULL for every device before it.
    version: 2,
    statements: [`ALTER TABLE devices ADD COLUMN kind TEXT`],
  }],
  eventTypes: ["device.registered", "device.updated", "device.credentials.rotated", "device.decommissioned"],
  keysOf: (event) => [event.key],
  evolve: evolveDevice,
  entryTables: [{
    table: "device_labels",
    parentColumn: "device_id",
    columns: ["key", "value"],
    entriesOf: (row) => Object.entries(row.labels),
  }],
});
