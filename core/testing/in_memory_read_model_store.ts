/**
 * The in-memory `ReadModelStore` fake, built from the same read-model definitions as the SQL
 * store: the same planner and reducers, and the same transaction promise — a batch is staged on
 * copies and swapped in only when every write succeeded, so a failure (see `WriteFaults`) leaves
 * neither rows nor checkpoints behind.
 */
import { type AnyReadModel, keyId, keyOfRow } from "../readmodels/define.ts";
import { readModels as registered } from "../readmodels/registry.ts";
import type { ReadModelStore, RowFilter, RowQuery } from "../readmodels/store.ts";
import { planBatch, projectModel, selectModels } from "../readmodels/mod.ts";

/** Test switch: while `failWritesTo` names a table, writing to it throws, mid-transaction. */
export interface WriteFaults {
  failWritesTo?: string | undefined;
}

type Rows = Map<string, unknown>;

const copy = <T>(row: T): T => structuredClone(row);
const checkpointKey = (model: string, processor: string, topic: string, partition: number) =>
  JSON.stringify([model, processor, topic, partition]);

function compare(a: unknown, b: unknown): number {
  return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
}

function matches(row: Record<string, unknown>, filter: RowFilter<Record<string, unknown>>): boolean {
  const value = row[filter.field];
  if (value === undefined || value === null) return false;
  switch (filter.op) {
    case "=":
      return value === filter.value;
    case "<":
      return compare(value, filter.value) < 0;
    case ">":
      return compare(value, filter.value) > 0;
    case "in":
      return (filter.value as readonly unknown[]).includes(value);
  }
}

/** A fresh, empty fake of `models` (default: the registry). `faults` is read at every write. */
export function createInMemoryReadModelStore(
  faults: WriteFaults = {},
  models: readonly AnyReadModel[] = registered,
): ReadModelStore {
  const emptyTables = () => new Map(models.map((m) => [m.name, new Map() as Rows]));
  let tables = emptyTables();
  let checkpoints = new Map<string, number>();
  const model = (name: string) => models.find((m) => m.name === name)!;

  function write(m: AnyReadModel, before: Rows, upserts: unknown[], deletes: string[]): Rows {
    if (upserts.length === 0 && deletes.length === 0) return before;
    const tableNames = [m.table, ...m.entryTables.map((e) => e.table)];
    if (faults.failWritesTo !== undefined && tableNames.includes(faults.failWritesTo)) {
      throw new Error(`Injected failure writing to ${faults.failWritesTo}`);
    }
    const next = new Map(before);
    for (const id of deletes) next.delete(id);
    for (const row of upserts) {
      const id = keyId(keyOfRow(m, row));
      if (m.immutable && next.has(id)) continue; // insert-only, like ON CONFLICT DO NOTHING
      const stored = next.get(id);
      next.set(id, copy(m.accumulate && stored !== undefined ? m.accumulate.merge(stored, row) : row));
    }
    return next;
  }

  const fake: ReadModelStore = {
    models,

    migrate: () =>
      Promise.resolve(models.map((m) => ({ name: m.name, version: m.version, status: "ready" as const }))),

    // deno-lint-ignore require-await -- async so that a thrown error becomes a rejection, as with I/O
    async project(batch, options = {}) {
      const selected = selectModels(models, options.models);
      const stored = new Map(selected.map((m) => [
        m.name,
        checkpoints.get(checkpointKey(m.name, batch.processor, batch.topic, batch.partition)),
      ]));
      const plan = planBatch(selected, batch, stored);
      const staged = new Map(tables);
      const stagedCheckpoints = new Map(checkpoints);
      for (const { model: m, events, keys, nextOffset, advances } of plan.plans) {
        if (!advances) continue;
        const current = staged.get(m.name)!;
        const snapshot = new Map<string, unknown>();
        if (!m.immutable && !m.accumulate) {
          for (const key of keys) {
            const id = keyId(key);
            if (current.has(id)) snapshot.set(id, current.get(id));
          }
        }
        const changes = projectModel(m, snapshot, events);
        staged.set(m.name, write(m, current, changes.upserts, changes.deletes.map(keyId)));
        stagedCheckpoints.set(
          checkpointKey(m.name, batch.processor, batch.topic, batch.partition),
          nextOffset!,
        );
      }
      tables = staged;
      checkpoints = stagedCheckpoints;
      return { applied: plan.applied, skipped: plan.skipped };
    },

    checkpoint(processor, topic, partition) {
      const stored = models.map((m) => checkpoints.get(checkpointKey(m.name, processor, topic, partition)));
      if (stored.every((c) => c === undefined)) return Promise.resolve(undefined);
      return Promise.resolve(Math.min(...stored.map((c) => c ?? 0)));
    },

    get(m, key) {
      const row = tables.get(m.name)?.get(keyId(key));
      return Promise.resolve(row === undefined ? undefined : copy(row) as never);
    },

    list<Row>(m: AnyReadModel, query: RowQuery<Row>) {
      const entry = query.entry;
      const entryTable = entry && model(m.name).entryTables.find((e) => e.table === entry.table);
      if (entry && !entryTable) {
        throw new RangeError(`Read model "${m.name}" has no entry table "${entry.table}"`);
      }
      const rows = [...(tables.get(m.name)?.values() ?? [])] as Record<string, unknown>[];
      const selected = rows
        .filter((row) =>
          (query.where ?? []).every((f) => matches(row, f as RowFilter<Record<string, unknown>>))
        )
        .filter((row) =>
          entryTable === undefined ||
          entryTable.entriesOf(row).some((values) => values.every((v, i) => v === entry!.values[i]))
        )
        .sort((a, b) => {
          for (const { field, desc } of query.orderBy) {
            const order = compare(a[field], b[field]);
            if (order !== 0) return desc ? -order : order;
          }
          return 0;
        })
        .slice(0, query.limit);
      return Promise.resolve(selected.map(copy) as Row[]);
    },

    async deleteRows<Row>(m: AnyReadModel, query: RowQuery<Row>) {
      if (m.entryTables.length > 0) {
        throw new RangeError(`Cannot delete rows of read model "${m.name}": it has entry tables`);
      }
      const doomed = await fake.list(m, query);
      const next = new Map(tables.get(m.name));
      for (const row of doomed) next.delete(keyId(keyOfRow(m, row)));
      tables = new Map(tables).set(m.name, next);
      return doomed.length;
    },

    clear(names) {
      const selected = selectModels(models, names);
      const nextTables = new Map(tables);
      for (const m of selected) nextTables.set(m.name, new Map());
      tables = nextTables;
      const cleared = new Set(selected.map((m) => m.name));
      checkpoints = new Map([...checkpoints].filter(([key]) => !cleared.has(JSON.parse(key)[0])));
      return Promise.resolve();
    },

    markReady: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return fake;
}
