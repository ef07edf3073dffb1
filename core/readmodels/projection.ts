/**
 * One batch through the reducers: which rows a batch touches (so an adapter loads only those),
 * and the rows it changes. Adapters load, call `projectEvents`, and write the result with the
 * checkpoint in one transaction; the fake does the same in memory.
 */
import type { DomainEvent } from "../events/catalog.ts";
import type { EventEnvelope } from "../events/envelope.ts";
import { commandIdOf, dlqRowOf, evolveCommand } from "./command_projection.ts";
import { evolveDevice, evolveDeviceState, isStateEvent } from "./device_projection.ts";
import type { ProjectBatch } from "./read_models.ts";
import type { CommandRow, DeviceRow, DeviceStateRow, DlqRow } from "./rows.ts";

const REGISTRY_TYPES: ReadonlySet<string> = new Set([
  "device.registered",
  "device.updated",
  "device.credentials.rotated",
  "device.decommissioned",
]);

const PROJECTED_TYPES: ReadonlySet<string> = new Set([
  ...REGISTRY_TYPES,
  "device.connected",
  "device.disconnected",
  "device.state.reported",
  "device.state.desired",
  "telemetry.reported",
  "command.requested",
  "command.dispatched",
  "command.acked",
  "command.failed",
  "command.expired",
  "input.rejected",
]);

/**
 * True for the event types the read models project. The runner hands over decoded, validated
 * events, so a known type means its `data` matches the catalog schema.
 */
export function isProjected(event: EventEnvelope): event is DomainEvent {
  return PROJECTED_TYPES.has(event.type);
}

/** The ids of the rows a batch reads before it writes. */
export interface ProjectionKeys {
  deviceIds: string[];
  stateIds: string[];
  commandIds: string[];
}

/** The current rows of the touched ids; an id without a row is absent. */
export interface ProjectionSnapshot {
  devices: ReadonlyMap<string, DeviceRow>;
  states: ReadonlyMap<string, DeviceStateRow>;
  commands: ReadonlyMap<string, CommandRow>;
}

/** The rows to write: every row whose value changed, in its final form. */
export interface ProjectionChanges {
  devices: DeviceRow[];
  states: DeviceStateRow[];
  commands: CommandRow[];
  dlq: DlqRow[];
}

/** The rows `events` may change, by table. */
export function keysTouchedBy(events: readonly DomainEvent[]): ProjectionKeys {
  const devices = new Set<string>();
  const states = new Set<string>();
  const commands = new Set<string>();
  for (const event of events) {
    if (REGISTRY_TYPES.has(event.type)) devices.add(event.key);
    if (isStateEvent(event)) states.add(event.key);
    const commandId = commandIdOf(event);
    if (commandId !== undefined) commands.add(commandId);
  }
  return { deviceIds: [...devices], stateIds: [...states], commandIds: [...commands] };
}

function changed<Row>(before: ReadonlyMap<string, Row>, after: Map<string, Row>): Row[] {
  const rows: Row[] = [];
  for (const [id, row] of after) if (before.get(id) !== row) rows.push(row);
  return rows;
}

function evolveIn<Row>(
  rows: Map<string, Row>,
  id: string,
  event: DomainEvent,
  evolve: (row: Row | undefined, event: DomainEvent) => Row | undefined,
): void {
  const current = rows.get(id);
  const next = evolve(current, event);
  if (next !== undefined && next !== current) rows.set(id, next);
}

/** Applies `events` in order to `snapshot` (left untouched) and returns what changed. */
export function projectEvents(
  snapshot: ProjectionSnapshot,
  events: readonly DomainEvent[],
): ProjectionChanges {
  const devices = new Map(snapshot.devices);
  const states = new Map(snapshot.states);
  const commands = new Map(snapshot.commands);
  const dlq = new Map<string, DlqRow>();
  for (const event of events) {
    if (REGISTRY_TYPES.has(event.type)) evolveIn(devices, event.key, event, evolveDevice);
    if (isStateEvent(event)) evolveIn(states, event.key, event, evolveDeviceState);
    const commandId = commandIdOf(event);
    if (commandId !== undefined) evolveIn(commands, commandId, event, evolveCommand);
    if (event.type === "input.rejected") dlq.set(event.id, dlqRowOf(event));
  }
  return {
    devices: changed(snapshot.devices, devices),
    states: changed(snapshot.states, states),
    commands: changed(snapshot.commands, commands),
    dlq: [...dlq.values()],
  };
}

/** The part of a batch at or after the checkpoint, and the checkpoint after it. */
export interface PendingEvents {
  /** Projected events at or after the checkpoint, in order. */
  events: DomainEvent[];
  /** Events at or after the checkpoint (projected or not). */
  applied: number;
  /** Events below the checkpoint: already applied by an earlier delivery. */
  skipped: number;
  /** The checkpoint to store: one past the last offset, never lower than `checkpoint`. */
  nextOffset: number | undefined;
}

/**
 * Splits `batch` at `checkpoint` (the next offset to apply, `undefined` when none is stored).
 * Throws a `RangeError` when offsets are missing, negative or not increasing.
 */
export function pendingEvents(batch: ProjectBatch, checkpoint: number | undefined): PendingEvents {
  const { events, offsets } = batch;
  if (events.length !== offsets.length) {
    throw new RangeError(`Cannot project ${events.length} events with ${offsets.length} offsets`);
  }
  const from = checkpoint ?? 0;
  const pending: DomainEvent[] = [];
  let applied = 0;
  let last = -1;
  for (let i = 0; i < events.length; i++) {
    const offset = offsets[i]!;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset <= last) {
      throw new RangeError(`Cannot project offset ${offset} after ${last}: offsets must increase`);
    }
    last = offset;
    if (offset < from) continue;
    applied++;
    const event = events[i]!;
    if (isProjected(event)) pending.push(event);
  }
  const nextOffset = applied > 0 ? last + 1 : checkpoint;
  return { events: pending, applied, skipped: events.length - applied, nextOffset };
}
