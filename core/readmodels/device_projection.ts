/**
 * Pure reducers of the device registry and the device shadow. Every adapter (the in-memory fake,
 * SQLite, PostgreSQL) projects through these, so the projection logic lives in one place.
 * A reducer returns the row it was given (same reference) when the event changes nothing.
 */
import type { DomainEvent } from "../events/catalog.ts";
import { mergePatch, stateDelta } from "./json_patch.ts";
import type { DeviceRow, DeviceStateRow, JsonObject } from "./rows.ts";

/** Envelope times may carry an offset; rows hold the canonical UTC form so they compare as strings. */
export function canonicalTime(time: string): string {
  return new Date(time).toISOString();
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
      const { name, model, labels, credential } = event.data;
      return {
        id: event.key,
        ...(name === undefined ? {} : { name }),
        ...(model === undefined ? {} : { model }),
        labels: { ...labels },
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

/** The empty shadow a device starts with. */
export function emptyDeviceState(deviceId: string): DeviceStateRow {
  return { deviceId, reported: {}, desired: {}, delta: {}, version: 0, connected: false };
}

/** Event types that show the device itself was active, so they move `lastSeen`. */
const SEEN_TYPES: ReadonlySet<string> = new Set([
  "device.connected",
  "device.disconnected",
  "device.state.reported",
  "telemetry.reported",
]);

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
  return SEEN_TYPES.has(event.type) ? seen(next, canonicalTime(event.time)) : next;
}

/** True for the events `evolveDeviceState` reacts to. */
export function isStateEvent(event: DomainEvent): boolean {
  return SEEN_TYPES.has(event.type) || event.type === "device.state.desired";
}
