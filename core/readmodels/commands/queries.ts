/** Typed queries of the commands read model. */
import { pageLimit } from "../pagination.ts";
import type { ReadModelStore } from "../store.ts";
import { type CommandRow, commands, type CommandStatus } from "./model.ts";

export function getCommand(store: ReadModelStore, id: string): Promise<CommandRow | undefined> {
  return store.get(commands, id);
}

export interface ListCommandsOptions {
  deviceId: string;
  status?: CommandStatus;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number;
}

/** The newest commands of a device first (by `requestedAt`, then id). */
export function listCommands(store: ReadModelStore, options: ListCommandsOptions): Promise<CommandRow[]> {
  return store.list(commands, {
    where: [
      { field: "deviceId", op: "=", value: options.deviceId },
      ...(options.status === undefined
        ? []
        : [{ field: "status" as const, op: "=" as const, value: options.status }]),
    ],
    orderBy: [{ field: "requestedAt", desc: true }, { field: "id", desc: true }],
    limit: pageLimit(options.limit),
  });
}

/**
 * Commands not finished yet (`requested` or `dispatched`) of every device, oldest first: what the
 * commands processor must still deliver or expire after a restart.
 */
export function listOpenCommands(
  store: ReadModelStore,
  options: { limit?: number } = {},
): Promise<CommandRow[]> {
  return store.list(commands, {
    where: [{ field: "status", op: "in", value: ["requested", "dispatched"] }],
    orderBy: [{ field: "requestedAt" }, { field: "id" }],
    limit: Math.min(Math.max(1, options.limit ?? 10_000), 100_000),
  });
}
