/**
 * The `ReadModels` port (design §4): the query side of AIOT — device registry, device shadows,
 * commands and the dead-letter listing — fed by the `readmodels` processor. Rows and the
 * processor's checkpoint change in one transaction, which makes projection exactly-once even
 * though the log delivers at least once. Read models are disposable: `clear()` and a replay from
 * offset 0 rebuild them identically.
 */
import type { EventEnvelope } from "../events/envelope.ts";
import type { CommandRow, CommandStatus, DeviceRow, DeviceStateRow, DlqRow } from "./rows.ts";

/** One batch of one partition, as the runner hands it to a processor. */
export interface ProjectBatch {
  /** The processor name: checkpoints are kept per processor, topic and partition. */
  processor: string;
  topic: string;
  partition: number;
  events: readonly EventEnvelope[];
  /** The log offset of each event, aligned with `events`, increasing. */
  offsets: readonly number[];
}

export interface ProjectResult {
  /** Events at or after the checkpoint, including types the read models do not project. */
  applied: number;
  /** Events below the checkpoint: a redelivery of what was already applied. */
  skipped: number;
}

/** One page of a keyset-paginated listing; `next` is an opaque cursor, absent on the last page. */
export interface Page<Row> {
  items: Row[];
  next?: string;
}

export interface ListDevicesOptions {
  /** Only devices carrying this label. */
  label?: { key: string; value: string };
  /** `next` of the previous page. */
  cursor?: string;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number;
}

export interface ListCommandsOptions {
  deviceId: string;
  status?: CommandStatus;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number;
}

export interface ListDlqOptions {
  deviceId?: string;
  cursor?: string;
  /** Default 50, at most 500 (larger values are clamped). */
  limit?: number;
}

export interface ReadModels {
  /** Creates or upgrades the tables; idempotent and safe when several processes start at once. */
  migrate(): Promise<void>;
  /**
   * Applies the events at or after the stored checkpoint and stores the checkpoint past the last
   * offset, atomically: after a failure neither rows nor checkpoint have moved. Events of types
   * the read models do not project advance the checkpoint only.
   */
  project(batch: ProjectBatch): Promise<ProjectResult>;
  /** The next offset to apply, or `undefined` when the partition was never projected. */
  checkpoint(processor: string, topic: string, partition: number): Promise<number | undefined>;
  getDevice(id: string): Promise<DeviceRow | undefined>;
  /** Devices by id, ascending. */
  listDevices(options?: ListDevicesOptions): Promise<Page<DeviceRow>>;
  getDeviceState(deviceId: string): Promise<DeviceStateRow | undefined>;
  getCommand(id: string): Promise<CommandRow | undefined>;
  /** The newest commands of a device first (by `requestedAt`, then id). */
  listCommands(options: ListCommandsOptions): Promise<CommandRow[]>;
  /**
   * Commands not finished yet (`requested` or `dispatched`) of every device, oldest first: what the
   * commands processor must still deliver or expire after a restart.
   */
  listOpenCommands(options?: { limit?: number }): Promise<CommandRow[]>;
  /** Dead-lettered uplinks, newest first (by event id, i.e. ingest time). */
  listDlq(options?: ListDlqOptions): Promise<Page<DlqRow>>;
  /** Deletes every row and every checkpoint: the first step of a rebuild. */
  clear(): Promise<void>;
  close(): Promise<void>;
}
