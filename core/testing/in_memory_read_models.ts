/**
 * The in-memory `ReadModels` fake. It projects through the same reducers as the SQL adapter and
 * keeps the same transaction promise: a batch is staged on copies and swapped in only when every
 * write succeeded, so a failure (see `WriteFaults`) leaves neither rows nor checkpoint behind.
 */
import type {
  ListCommandsOptions,
  ListDevicesOptions,
  ListDlqOptions,
  Page,
  ProjectBatch,
  ProjectResult,
  ReadModels,
} from "../readmodels/read_models.ts";
import type { CommandRow, DeviceRow, DeviceStateRow, DlqRow } from "../readmodels/rows.ts";
import { decodeCursor, pageLimit, toPage } from "../readmodels/pagination.ts";
import { pendingEvents, projectEvents } from "../readmodels/projection.ts";

/** The tables a projection writes, as the contract names them. */
export type ReadModelTable = "devices" | "device_states" | "commands" | "dlq";

/** Test switch: while `failWritesTo` is set, writing to that table throws, mid-transaction. */
export interface WriteFaults {
  failWritesTo?: ReadModelTable | undefined;
}

interface Tables {
  devices: Map<string, DeviceRow>;
  states: Map<string, DeviceStateRow>;
  commands: Map<string, CommandRow>;
  dlq: Map<string, DlqRow>;
  checkpoints: Map<string, number>;
}

const emptyTables = (): Tables => ({
  devices: new Map(),
  states: new Map(),
  commands: new Map(),
  dlq: new Map(),
  checkpoints: new Map(),
});

const copy = <T>(row: T): T => structuredClone(row);
const checkpointKey = (processor: string, topic: string, partition: number) =>
  JSON.stringify([processor, topic, partition]);
const byId = <Row extends { id: string }>(a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A fresh, empty fake. `faults` is read at every write, so a test can arm it later. */
export function createInMemoryReadModels(faults: WriteFaults = {}): ReadModels {
  let tables = emptyTables();

  function write<Row>(
    table: ReadModelTable,
    target: Map<string, Row>,
    rows: Row[],
    idOf: (row: Row) => string,
  ) {
    if (rows.length === 0) return target;
    if (faults.failWritesTo === table) throw new Error(`Injected failure writing to ${table}`);
    const next = new Map(target);
    for (const row of rows) next.set(idOf(row), copy(row));
    return next;
  }

  return {
    migrate: () => Promise.resolve(),

    // deno-lint-ignore require-await -- async so that a thrown error becomes a rejection, as with I/O
    async project(batch: ProjectBatch): Promise<ProjectResult> {
      const key = checkpointKey(batch.processor, batch.topic, batch.partition);
      const pending = pendingEvents(batch, tables.checkpoints.get(key));
      if (pending.applied === 0) return { applied: 0, skipped: pending.skipped };
      const changes = projectEvents(tables, pending.events);
      const dlqNew = changes.dlq.filter((row) => !tables.dlq.has(row.id)); // insert-only, like ON CONFLICT DO NOTHING
      const staged: Tables = {
        devices: write("devices", tables.devices, changes.devices, (r) => r.id),
        states: write("device_states", tables.states, changes.states, (r) => r.deviceId),
        commands: write("commands", tables.commands, changes.commands, (r) => r.id),
        dlq: write("dlq", tables.dlq, dlqNew, (r) => r.id),
        checkpoints: new Map(tables.checkpoints).set(key, pending.nextOffset!),
      };
      tables = staged;
      return { applied: pending.applied, skipped: pending.skipped };
    },

    checkpoint: (processor, topic, partition) =>
      Promise.resolve(tables.checkpoints.get(checkpointKey(processor, topic, partition))),

    getDevice: (id) => Promise.resolve(tables.devices.has(id) ? copy(tables.devices.get(id)) : undefined),

    // deno-lint-ignore require-await
    async listDevices(options: ListDevicesOptions = {}): Promise<Page<DeviceRow>> {
      const limit = pageLimit(options.limit);
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const { label } = options;
      const rows = [...tables.devices.values()]
        .filter((row) => after === undefined || row.id > after)
        .filter((row) => label === undefined || row.labels[label.key] === label.value)
        .sort(byId)
        .slice(0, limit + 1);
      return toPage(rows.map(copy), limit, (row) => row.id);
    },

    getDeviceState: (deviceId) =>
      Promise.resolve(tables.states.has(deviceId) ? copy(tables.states.get(deviceId)) : undefined),

    getCommand: (id) => Promise.resolve(tables.commands.has(id) ? copy(tables.commands.get(id)) : undefined),

    // deno-lint-ignore require-await
    async listCommands(options: ListCommandsOptions): Promise<CommandRow[]> {
      const limit = pageLimit(options.limit);
      const rows = [...tables.commands.values()]
        .filter((row) => row.deviceId === options.deviceId)
        .filter((row) => options.status === undefined || row.status === options.status)
        .sort((
          a,
          b,
        ) => (a.requestedAt !== b.requestedAt ? (a.requestedAt < b.requestedAt ? 1 : -1) : -byId(a, b)));
      return rows.slice(0, limit).map(copy);
    },

    // deno-lint-ignore require-await
    async listOpenCommands(options: { limit?: number } = {}): Promise<CommandRow[]> {
      return [...tables.commands.values()]
        .filter((row) => row.status === "requested" || row.status === "dispatched")
        .sort((
          a,
          b,
        ) => (a.requestedAt !== b.requestedAt ? (a.requestedAt < b.requestedAt ? -1 : 1) : byId(a, b)))
        .slice(0, options.limit ?? 10_000)
        .map(copy);
    },

    // deno-lint-ignore require-await
    async listDlq(options: ListDlqOptions = {}): Promise<Page<DlqRow>> {
      const limit = pageLimit(options.limit);
      const before = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const rows = [...tables.dlq.values()]
        .filter((row) => before === undefined || row.id < before)
        .filter((row) => options.deviceId === undefined || row.deviceId === options.deviceId)
        .sort((a, b) => -byId(a, b))
        .slice(0, limit + 1);
      return toPage(rows.map(copy), limit, (row) => row.id);
    },

    clear() {
      tables = emptyTables();
      return Promise.resolve();
    },

    close: () => Promise.resolve(),
  };
}
