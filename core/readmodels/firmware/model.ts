/**
 * The firmware read model: every image in the firmware store, as `GET /firmware` shows it.
 * `firmware.published` adds a row (a redelivery changes nothing), `firmware.deleted` drops it.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";

export interface FirmwareRow {
  id: string;
  name: string;
  version: string;
  sha256: string;
  size: number;
  createdAt: string;
  createdBy?: string;
}

export function evolveFirmware(row: FirmwareRow | undefined, event: DomainEvent): FirmwareRow | undefined {
  switch (event.type) {
    case "firmware.published": {
      if (row !== undefined) return row;
      const { firmwareId, name, version, sha256, size, by } = event.data;
      return {
        id: firmwareId,
        name,
        version,
        sha256,
        size,
        createdAt: canonicalTime(event.time),
        ...(by === undefined ? {} : { createdBy: by }),
      };
    }
    case "firmware.deleted":
      return undefined;
    default:
      return row;
  }
}

export const firmware = defineReadModel<FirmwareRow, string>({
  name: "firmware",
  version: 1,
  key: ["id"],
  columns: {
    id: "text",
    name: "text",
    version: "text",
    sha256: "text",
    size: "int",
    createdAt: "text",
    createdBy: "text?",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE firmware (
        id {key} PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, sha256 TEXT NOT NULL,
        size BIGINT NOT NULL, created_at TEXT NOT NULL, created_by TEXT)`,
      "CREATE INDEX firmware_name_version ON firmware (name, version)",
      "CREATE INDEX firmware_sha256 ON firmware (sha256)",
    ],
  }],
  eventTypes: ["firmware.published", "firmware.deleted"],
  keysOf: (event) => [(event.data as { firmwareId: string }).firmwareId],
  evolve: (row, event) => evolveFirmware(row, event),
});
