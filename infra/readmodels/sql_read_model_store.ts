/**
 * `ReadModelStore` on SQL: one code path for SQLite and PostgreSQL over a `SqlDriver`, for every
 * registered read model. `project()` runs in one transaction: lock and read the models'
 * checkpoints, drop the events below each, load only the touched rows, fold them with the pure
 * reducers in memory, write the changed rows with multi-row statements and store the
 * checkpoints. Redelivered batches are thus skipped (exactly-once effect) and a failure leaves
 * neither rows nor checkpoints behind.
 */
import { type AnyReadModel, keyId, keyOfRow, keyValues } from "../../core/readmodels/define.ts";
import { planBatch, projectModel, selectModels } from "../../core/readmodels/projection.ts";
import { readModels as registered } from "../../core/readmodels/registry.ts";
import type { ProjectBatch, ProjectResult, ReadModelStore } from "../../core/readmodels/store.ts";
import { migrateReadModels } from "./migrations.ts";
import type { SqlDriver, SqlTx } from "./sql_driver.ts";
import { selectSql } from "./sql_query.ts";
import { postgresRows } from "./postgres_rows.ts";
import { portableRows, rowCodec, type RowStatements } from "./sql_rows.ts";

/**
 * Locks the checkpoint rows of the batch's partition for `models` for the rest of the transaction
 * (creating them with -1 = none) and returns the stored next offsets. On PostgreSQL this
 * serialises two projectors of the same partition (e.g. during a consumer-group rebalance); on
 * SQLite the transaction already holds the write lock.
 */
async function lockCheckpoints(tx: SqlTx, models: readonly AnyReadModel[], batch: ProjectBatch) {
  const rows = await tx.query<{ model: unknown; next_offset: unknown }>(
    `INSERT INTO projection_checkpoints (model, processor, topic, partition, next_offset)
     VALUES ${models.map(() => "(?, ?, ?, ?, -1)").join(", ")}
     ON CONFLICT (model, processor, topic, partition) DO UPDATE SET next_offset = projection_checkpoints.next_offset
     RETURNING model, next_offset`,
    models.flatMap((m) => [m.name, batch.processor, batch.topic, batch.partition]),
  );
  return new Map(rows.map((r) => {
    const stored = Number(r.next_offset);
    return [String(r.model), stored < 0 ? undefined : stored];
  }));
}

const entriesKey = (entries: readonly (readonly string[])[]) => JSON.stringify(entries);

/** Writes one model's changes: rows, deleted keys, and the entry rows of rows whose entries changed. */
async function writeModel(
  rows: RowStatements,
  tx: SqlTx,
  model: AnyReadModel,
  snapshot: Map<string, unknown>,
  changes: {
    upserts: unknown[];
    deletes: readonly (string | readonly string[])[];
  },
) {
  await rows.deleteRows(tx, model, changes.deletes);
  await rows.upsertRows(tx, model, changes.upserts, model.immutable ? "ignore" : "update");
  for (const table of model.entryTables) {
    const replaced = new Map<string, readonly (readonly string[])[]>();
    for (const key of changes.deletes) replaced.set(keyValues(key)[0]!, []);
    for (const row of changes.upserts) {
      const id = keyId(keyOfRow(model, row));
      const entries = table.entriesOf(row);
      const before = snapshot.get(id);
      if (before === undefined || entriesKey(table.entriesOf(before)) !== entriesKey(entries)) {
        replaced.set(id, entries);
      }
    }
    await rows.replaceEntries(tx, table, replaced);
  }
}

/**
 * Waits for every one of `work` and then fails with the first error, if any. Statements of one
 * transaction are sent together this way (postgres.js pipelines them on the connection; SQLite
 * runs them in turn) and none is left unobserved when another fails.
 */
async function allOf<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/**
 * Three round trips per batch whatever the number of models: lock the checkpoints; load the rows
 * of every model that reads before writing; write every model's changes and the checkpoints.
 */
async function applyBatch(
  rows: RowStatements,
  tx: SqlTx,
  models: readonly AnyReadModel[],
  batch: ProjectBatch,
): Promise<ProjectResult> {
  const plan = planBatch(models, batch, await lockCheckpoints(tx, models, batch));
  const moving = plan.plans.filter((p) => p.advances);
  const snapshots = await allOf(moving.map(({ model, events, keys }) =>
    // Immutable rows are insert-only and accumulating ones merge in SQL: neither is read first.
    events.length === 0 || model.immutable || model.accumulate
      ? Promise.resolve(new Map<string, unknown>())
      : rows.loadRows(tx, model, keys, (row) => keyId(keyOfRow(model, row)))
  ));
  const moved = new Map<number, string[]>();
  for (const { model, nextOffset } of moving) {
    moved.set(nextOffset!, [...(moved.get(nextOffset!) ?? []), model.name]);
  }
  await allOf<unknown>([
    ...moving.map(({ model, events }, i) =>
      events.length === 0
        ? Promise.resolve()
        : writeModel(rows, tx, model, snapshots[i]!, projectModel(model, snapshots[i]!, events))
    ),
    ...[...moved].map(([nextOffset, names]) =>
      tx.query(
        `UPDATE projection_checkpoints SET next_offset = ?
       WHERE processor = ? AND topic = ? AND partition = ? AND model IN (${names.map(() => "?").join(", ")})`,
        [nextOffset, batch.processor, batch.topic, batch.partition, ...names],
      )
    ),
  ]);
  return { applied: plan.applied, skipped: plan.skipped };
}

/** Read models over `driver`. Call `migrate()` once before use; `close()` closes the driver. */
export function createSqlReadModelStore(
  driver: SqlDriver,
  models: readonly AnyReadModel[] = registered,
): ReadModelStore {
  const rows = driver.dialect === "postgres" ? postgresRows : portableRows;
  return {
    models,

    migrate: () => migrateReadModels(driver, models),

    async project(batch, options = {}) {
      if (batch.events.length === 0 && batch.offsets.length === 0) return { applied: 0, skipped: 0 };
      const selected = selectModels(models, options.models);
      return await driver.transaction((tx) => applyBatch(rows, tx, selected, batch));
    },

    async checkpoint(processor, topic, partition) {
      const rows = await driver.query<{ model: unknown; next_offset: unknown }>(
        "SELECT model, next_offset FROM projection_checkpoints WHERE processor = ? AND topic = ? AND partition = ?",
        [processor, topic, partition],
      );
      const stored = new Map(rows.map((r) => [String(r.model), Number(r.next_offset)]));
      const offsets = models.map((m) => stored.get(m.name) ?? -1);
      return offsets.some((o) => o < 0) ? undefined : Math.min(...offsets);
    },

    async get(model, key) {
      const codec = rowCodec(model);
      const records = await driver.query(
        `SELECT * FROM ${codec.table} WHERE ${codec.keyColumns.map((c) => `${c} = ?`).join(" AND ")}`,
        [...keyValues(key)],
      );
      return records[0] === undefined ? undefined : codec.fromRecord(records[0]) as never;
    },

    async list(model, query) {
      const { sql, params } = selectSql(model, query as never);
      const codec = rowCodec(model);
      return (await driver.query(sql, params)).map((r) => codec.fromRecord(r)) as never;
    },

    async deleteRows(model, query) {
      if (model.entryTables.length > 0) {
        throw new RangeError(`Cannot delete rows of read model "${model.name}": it has entry tables`);
      }
      const { sql, params } = selectSql(model, query as never);
      const codec = rowCodec(model);
      return await driver.transaction(async (tx) => {
        const keys = (await tx.query(sql, params)).map((r) =>
          keyOfRow(model as AnyReadModel, codec.fromRecord(r))
        );
        await rows.deleteRows(tx, model, keys);
        return keys.length;
      });
    },

    async clear(names) {
      const selected = selectModels(models, names);
      await driver.transaction(async (tx) => {
        for (const model of selected) {
          for (const entry of model.entryTables) await tx.query(`DELETE FROM ${entry.table}`);
          await tx.query(`DELETE FROM ${model.table}`);
        }
        await tx.query(
          `DELETE FROM projection_checkpoints WHERE model IN (${selected.map(() => "?").join(", ")})`,
          selected.map((m) => m.name),
        );
      });
    },

    async markReady(name) {
      const [model] = selectModels(models, [name]);
      await driver.query("UPDATE read_model_versions SET version = ?, status = 'ready' WHERE model = ?", [
        model!.version,
        model!.name,
      ]);
    },

    close: () => driver.close(),
  };
}
