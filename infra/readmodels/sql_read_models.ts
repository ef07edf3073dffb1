/**
 * `ReadModels` on SQL: one code path for SQLite and PostgreSQL over a `SqlDriver`. `project()`
 * runs in one transaction: lock and read the checkpoint, drop the events below it, load only the
 * touched rows, apply the pure reducers of `core/readmodels` in memory, write the changed rows
 * with multi-row upserts and store the checkpoint. Redelivered batches are thus skipped
 * (exactly-once effect) and a failure leaves neither rows nor checkpoint behind.
 */
import type {
  ListCommandsOptions,
  ListDevicesOptions,
  ListDlqOptions,
  Page,
  ProjectBatch,
  ProjectResult,
  ReadModels,
} from "../../core/readmodels/read_models.ts";
import type { CommandRow, DeviceRow, DlqRow } from "../../core/readmodels/rows.ts";
import { jsonEqual } from "../../core/readmodels/json_patch.ts";
import { decodeCursor, pageLimit, toPage } from "../../core/readmodels/pagination.ts";
import { keysTouchedBy, pendingEvents, projectEvents } from "../../core/readmodels/projection.ts";
import { runMigrations } from "./migrations.ts";
import type { SqlDriver, SqlParam, SqlTx } from "./sql_driver.ts";
import {
  commandTable,
  deviceStateTable,
  deviceTable,
  dlqTable,
  loadRows,
  replaceLabels,
  upsertRows,
} from "./sql_rows.ts";

/** Tables emptied by `clear()`, children first. */
const TABLES = ["device_labels", "devices", "device_states", "commands", "dlq", "read_model_checkpoints"];

/**
 * Locks the checkpoint row of the batch's partition for the rest of the transaction (creating it
 * with -1 = none) and returns the stored next offset. On PostgreSQL this serialises two
 * projectors of the same partition (e.g. during a consumer-group rebalance); on SQLite the
 * transaction already holds the write lock.
 */
async function lockCheckpoint(tx: SqlTx, batch: ProjectBatch): Promise<number | undefined> {
  const rows = await tx.query<{ next_offset: unknown }>(
    `INSERT INTO read_model_checkpoints (processor, topic, partition, next_offset) VALUES (?, ?, ?, -1)
     ON CONFLICT (processor, topic, partition) DO UPDATE SET next_offset = read_model_checkpoints.next_offset
     RETURNING next_offset`,
    [batch.processor, batch.topic, batch.partition],
  );
  const stored = Number(rows[0]?.next_offset ?? -1);
  return stored < 0 ? undefined : stored;
}

async function applyBatch(tx: SqlTx, batch: ProjectBatch): Promise<ProjectResult> {
  const pending = pendingEvents(batch, await lockCheckpoint(tx, batch));
  const keys = keysTouchedBy(pending.events);
  const snapshot = {
    devices: await loadRows(tx, deviceTable, keys.deviceIds),
    states: await loadRows(tx, deviceStateTable, keys.stateIds),
    commands: await loadRows(tx, commandTable, keys.commandIds),
  };
  const changes = projectEvents(snapshot, pending.events);
  await upsertRows(tx, deviceTable, changes.devices);
  await replaceLabels(
    tx,
    changes.devices.filter((row) => !jsonEqual(row.labels, snapshot.devices.get(row.id)?.labels)),
  );
  await upsertRows(tx, deviceStateTable, changes.states);
  await upsertRows(tx, commandTable, changes.commands);
  await upsertRows(tx, dlqTable, changes.dlq, "ignore"); // the event id is the idempotency key
  await tx.query(
    "UPDATE read_model_checkpoints SET next_offset = ? WHERE processor = ? AND topic = ? AND partition = ?",
    [pending.nextOffset ?? -1, batch.processor, batch.topic, batch.partition],
  );
  return { applied: pending.applied, skipped: pending.skipped };
}

/** Read models over `driver`. Call `migrate()` once before use; `close()` closes the driver. */
export function createSqlReadModels(driver: SqlDriver): ReadModels {
  async function one<Row>(sql: string, params: SqlParam[], map: (r: Record<string, unknown>) => Row) {
    const rows = await driver.query(sql, params);
    return rows[0] === undefined ? undefined : map(rows[0]);
  }

  return {
    async migrate() {
      await runMigrations(driver);
    },

    async project(batch: ProjectBatch): Promise<ProjectResult> {
      if (batch.events.length === 0 && batch.offsets.length === 0) return { applied: 0, skipped: 0 };
      return await driver.transaction((tx) => applyBatch(tx, batch));
    },

    async checkpoint(processor, topic, partition) {
      const rows = await driver.query<{ next_offset: unknown }>(
        "SELECT next_offset FROM read_model_checkpoints WHERE processor = ? AND topic = ? AND partition = ?",
        [processor, topic, partition],
      );
      const stored = rows[0] === undefined ? -1 : Number(rows[0].next_offset);
      return stored < 0 ? undefined : stored;
    },

    getDevice: (id) => one("SELECT * FROM devices WHERE id = ?", [id], deviceTable.fromRecord),

    async listDevices(options: ListDevicesOptions = {}): Promise<Page<DeviceRow>> {
      const limit = pageLimit(options.limit);
      const after = options.cursor === undefined ? "" : decodeCursor(options.cursor);
      const records = options.label === undefined
        ? await driver.query("SELECT * FROM devices WHERE id > ? ORDER BY id LIMIT ?", [after, limit + 1])
        : await driver.query(
          `SELECT d.* FROM device_labels l JOIN devices d ON d.id = l.device_id
           WHERE l.key = ? AND l.value = ? AND l.device_id > ? ORDER BY l.device_id LIMIT ?`,
          [options.label.key, options.label.value, after, limit + 1],
        );
      return toPage(records.map(deviceTable.fromRecord), limit, (row) => row.id);
    },

    getDeviceState: (deviceId) =>
      one("SELECT * FROM device_states WHERE device_id = ?", [deviceId], deviceStateTable.fromRecord),

    getCommand: (id) => one("SELECT * FROM commands WHERE id = ?", [id], commandTable.fromRecord),

    async listCommands(options: ListCommandsOptions): Promise<CommandRow[]> {
      const limit = pageLimit(options.limit);
      const status = options.status === undefined ? "" : " AND status = ?";
      const params: SqlParam[] = [
        options.deviceId,
        ...(options.status === undefined ? [] : [options.status]),
        limit,
      ];
      const records = await driver.query(
        `SELECT * FROM commands WHERE device_id = ?${status} ORDER BY requested_at DESC, id DESC LIMIT ?`,
        params,
      );
      return records.map(commandTable.fromRecord);
    },

    async listOpenCommands(options: { limit?: number } = {}): Promise<CommandRow[]> {
      const records = await driver.query(
        `SELECT * FROM commands WHERE status IN ('requested', 'dispatched') ORDER BY requested_at, id LIMIT ?`,
        [Math.min(Math.max(1, options.limit ?? 10_000), 100_000)],
      );
      return records.map(commandTable.fromRecord);
    },

    async listDlq(options: ListDlqOptions = {}): Promise<Page<DlqRow>> {
      const limit = pageLimit(options.limit);
      const where: string[] = [];
      const params: SqlParam[] = [];
      if (options.cursor !== undefined) where.push("id < ?"), params.push(decodeCursor(options.cursor));
      if (options.deviceId !== undefined) where.push("device_id = ?"), params.push(options.deviceId);
      const filter = where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`;
      const records = await driver.query(`SELECT * FROM dlq${filter} ORDER BY id DESC LIMIT ?`, [
        ...params,
        limit + 1,
      ]);
      return toPage(records.map(dlqTable.fromRecord), limit, (row) => row.id);
    },

    async clear() {
      await driver.transaction(async (tx) => {
        for (const table of TABLES) await tx.query(`DELETE FROM ${table}`);
      });
    },

    close: () => driver.close(),
  };
}
