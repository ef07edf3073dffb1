/**
 * The command read model: one row per command and where it is in its lifecycle.
 *
 * requested → dispatched → acked | failed | expired. Events of one command can arrive late or out
 * of order (an ack appended before the dispatch record, a retried dispatch after expiry): a status
 * only ever moves forward, a final status never changes, and a late event still fills in the time
 * it carries (e.g. `dispatchedAt`) when that is missing.
 */
import type { DomainEvent, EventOf } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";
import type { JsonObject, JsonValue } from "../json_value.ts";

/** Command statuses; `acked`, `failed` and `expired` are final. */
export type CommandStatus = "requested" | "dispatched" | "acked" | "failed" | "expired";

/** One command and where it is in its lifecycle. */
export interface CommandRow {
  id: string;
  deviceId: string;
  name: string;
  params?: JsonObject;
  status: CommandStatus;
  /**
   * The device's answer when `status` is `acked`: `ok`, or `error` when it tried and failed
   * (`command.acked` with status `error`). `failed` is kept for the platform giving up.
   */
  ackStatus?: "ok" | "error";
  result?: JsonValue;
  /** The device's error text (`acked`/`error`) or the platform's reason (`failed`). */
  error?: string;
  requestedAt: string;
  dispatchedAt?: string;
  completedAt?: string;
  expiresAt: string;
  requestedBy?: string;
}

const RANK: Record<CommandStatus, number> = { requested: 0, dispatched: 1, acked: 2, failed: 2, expired: 2 };

/** True when no later event may change the status. */
export function isFinalStatus(status: CommandStatus): boolean {
  return RANK[status] === 2;
}

/** The command id an event is about, or `undefined` for non-command events. */
export function commandIdOf(event: DomainEvent): string | undefined {
  return event.type.startsWith("command.") ? (event.data as { commandId: string }).commandId : undefined;
}

function requested(row: CommandRow | undefined, event: EventOf<"command.requested">): CommandRow {
  if (row !== undefined) return row; // a repeated request keeps the first one and its progress
  const { commandId, name, params, expiresAt, requestedBy } = event.data;
  return {
    id: commandId,
    deviceId: event.key,
    name,
    ...(params === undefined ? {} : { params: params as JsonObject }),
    status: "requested",
    requestedAt: canonicalTime(event.time),
    expiresAt: canonicalTime(expiresAt),
    ...(requestedBy === undefined ? {} : { requestedBy }),
  };
}

function finished(
  row: CommandRow,
  status: CommandStatus,
  at: string,
  extra: Partial<CommandRow>,
): CommandRow {
  if (isFinalStatus(row.status)) return row;
  return { ...row, ...extra, status, completedAt: at };
}

/**
 * The command row after `event`. Only `command.requested` creates a row: other events for a
 * command never requested (in this log) are ignored, as they carry no name or expiry.
 * `command.acked` with status `error` is `acked` with `ackStatus: "error"`, as the event catalog
 * defines it; `failed` stays reserved for the platform giving up (`command.failed`).
 */
export function evolveCommand(row: CommandRow | undefined, event: DomainEvent): CommandRow | undefined {
  if (event.type === "command.requested") return requested(row, event);
  if (row === undefined) return row;
  const at = canonicalTime(event.time);
  switch (event.type) {
    case "command.dispatched":
      if (row.status === "requested") return { ...row, status: "dispatched", dispatchedAt: at };
      return row.dispatchedAt === undefined ? { ...row, dispatchedAt: at } : row;
    case "command.acked": {
      // Only the device the command was sent to can answer it (the ack's key is its sender).
      if (event.key !== row.deviceId) return row;
      const { status, result, error } = event.data;
      return finished(row, "acked", at, {
        ackStatus: status,
        ...(result === undefined ? {} : { result: result as JsonValue }),
        ...(error === undefined ? {} : { error }),
      });
    }
    case "command.failed":
      return finished(row, "failed", at, { error: event.data.reason });
    case "command.expired":
      return finished(row, "expired", at, {});
    default:
      return row;
  }
}

export const commands = defineReadModel<CommandRow, string>({
  name: "commands",
  version: 1,
  key: ["id"],
  columns: {
    id: "text",
    deviceId: "text",
    name: "text",
    params: "json?",
    status: "text",
    ackStatus: "text?",
    result: "json?",
    error: "text?",
    requestedAt: "text",
    dispatchedAt: "text?",
    completedAt: "text?",
    expiresAt: "text",
    requestedBy: "text?",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE commands (
        id {key} PRIMARY KEY, device_id {key} NOT NULL, name TEXT NOT NULL, params TEXT, status TEXT NOT NULL,
        ack_status TEXT, result TEXT, error TEXT, requested_at TEXT NOT NULL, dispatched_at TEXT,
        completed_at TEXT, expires_at TEXT NOT NULL, requested_by TEXT)`,
      `CREATE INDEX commands_by_device ON commands (device_id, requested_at, id)`,
    ],
  }],
  eventTypes: [
    "command.requested",
    "command.dispatched",
    "command.acked",
    "command.failed",
    "command.expired",
  ],
  keysOf: (event) => {
    const id = commandIdOf(event);
    return id === undefined ? [] : [id];
  },
  evolve: evolveCommand,
});
