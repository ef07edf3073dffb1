/**
 * The device shadow read model: what each device reported, what was asked of it, the difference,
 * whether it is connected and when it was last seen.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";
import { mergePatch, stateDelta } from "../json_patch.ts";
import type { JsonObject } from "../json_value.ts";

/** The shadow of one device: what it reported, what was asked of it, and the difference. */
export interface DeviceStateRow {
  deviceId: string;
  reported: JsonObject;
  desired: JsonObject;
  /** The desired values that differ from the reported ones (recursively). */
  delta: JsonObject;
  /** +1 for every `device.state.reported` and `device.state.desired` event. */
  version: number;
  connected: boolean;
  /** Time of the latest event the device itself caused (connect, disconnect, state, telemetry). */
  lastSeen?: string;
}

/** The empty shadow a device starts with. */
export function emptyDeviceState(deviceId: string): DeviceStateRow {
  return { deviceId, reported: {}, desired: {}, delta: {}, version: 0, connected: false };
}

/** Event types that show the device itself was active, so they move `lastSeen`. */
const SEEN_TYPES = [
  "device.connected",
  "device.disconnected",
  "device.state.reported",
  "telemetry.reported",
] as const;
const SEEN: ReadonlySet<string> = new Set(SEEN_TYPES);

function seen(row: DeviceStateRow, time: string): DeviceStateRow {
  if (row.lastSeen !== undefined && row.lastSeen >= time) return row;
  return { ...row, lastSeen: time };
}

function withState(row: DeviceStateRow, reported: JsonObject, desired: JsonObject): DeviceStateRow {
  return { ...row, reported, desired, delta: stateDelta(desired, reported), version: row.version + 1 };
}

/**
 * The shadow after `event`; `undefined` only when `event` does not concern shadows and there was
 * no row. `lastSeen` moves only for events the device caused (connect, disconnect, reported state,
 * telemetry), never for operator actions such as a desired-state change, and never backwards.
 * `connected` follows the latest connect/disconnect event, whatever the client id.
 */
export function evolveDeviceState(
  row: DeviceStateRow | undefined,
  event: DomainEvent,
): DeviceStateRow | undefined {
  if (!isStateEvent(event)) return row;
  let next = row ?? emptyDeviceState(event.key);
  switch (event.type) {
    case "device.state.reported":
      next = withState(next, mergePatch(next.reported, event.data.patch as JsonObject), next.desired);
      break;
    case "device.state.desired":
      next = withState(next, next.reported, mergePatch(next.desired, event.data.patch as JsonObject));
      break;
    case "device.connected":
      if (!next.connected) next = { ...next, connected: true };
      break;
    case "device.disconnected":
      if (next.connected) next = { ...next, connected: false };
      break;
  }
  return SEEN.has(event.type) ? seen(next, canonicalTime(event.time)) : next;
}

/** True for the events `evolveDeviceState` reacts to. */
export function isStateEvent(event: DomainEvent): boolean {
  return SEEN.has(event.type) || event.type === "device.state.desired";
}

export const deviceStates = defineReadModel<DeviceStateRow, string>({
  name: "device_states",
  version: 1,
  key: ["deviceId"],
  columns: {
    deviceId: "text",
    reported: "json",
    desired: "json",
    delta: "json",
    version: "int",
    connected: "bool",
    lastSeen: "text?",
  },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE device_states (
        device_id {key} PRIMARY KEY, reported TEXT NOT NULL, desired TEXT NOT NULL, delta TEXT NOT NULL,
        version INTEGER NOT NULL, connected INTEGER NOT NULL, last_seen TEXT)`,
    ],
  }],
  eventTypes: [...SEEN_TYPES, "device.state.desired"],
  keysOf: (event) => [event.key],
  evolve: evolveDeviceState,
});
