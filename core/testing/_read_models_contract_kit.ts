/** Shared pieces of the `ReadModelStore` contract suite: the factory, batches and a full dump. */
import type { DomainEvent } from "../events/catalog.ts";
import type { WriteFaults } from "./in_memory_read_model_store.ts";
import {
  type CommandRow,
  type DeviceRow,
  type DeviceStateRow,
  type DlqRow,
  getDeviceState,
  listCommands,
  listDevices,
  listDlq,
  type ProjectBatch,
  type ReadModelStore,
} from "../readmodels/mod.ts";

export interface ReadModelsFactory {
  /**
   * Migrated read models holding no rows and no checkpoints. The contract closes them. While
   * `faults.failWritesTo` is set, the adapter's writes to that table must throw mid-transaction.
   */
  newReadModels(faults: WriteFaults): Promise<ReadModelStore>;
}

export interface ReadModelsContractCase {
  name: string;
  run(factory: ReadModelsFactory): Promise<void>;
}

/** Runs `fn` on fresh read models and closes them. */
export async function withReadModels(
  factory: ReadModelsFactory,
  fn: (rm: ReadModelStore, faults: WriteFaults) => Promise<void>,
): Promise<void> {
  const faults: WriteFaults = {};
  const rm = await factory.newReadModels(faults);
  try {
    await fn(rm, faults);
  } finally {
    await rm.close();
  }
}

/** A batch of `events` at consecutive offsets from `first`, on one partition of the device topic. */
export function batchOf(events: DomainEvent[], first: number, partition = 0): ProjectBatch {
  return {
    processor: "readmodels",
    topic: "aiot.device",
    partition,
    events,
    offsets: events.map((_, i) => first + i),
  };
}

/** Everything the read models hold about `deviceIds`, plus the whole DLQ, for equality checks. */
export interface ReadModelsDump {
  devices: DeviceRow[];
  states: (DeviceStateRow | undefined)[];
  commands: CommandRow[];
  dlq: DlqRow[];
}

export async function dump(rm: ReadModelStore, deviceIds: string[]): Promise<ReadModelsDump> {
  const devices: DeviceRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDevices(rm, { limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    devices.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  const states = await Promise.all(deviceIds.map((id) => getDeviceState(rm, id)));
  const commands =
    (await Promise.all(deviceIds.map((deviceId) => listCommands(rm, { deviceId, limit: 500 }))))
      .flat();
  const dlq = (await listDlq(rm, { limit: 500 })).items;
  return { devices, states, commands, dlq };
}
