/**
 * One batch through the registered read models, engine-neutral: split the batch at each model's
 * checkpoint, collect the keys each model touches (so a store loads only those rows), and fold
 * the events into the changed rows. Stores load, call `projectModel`, and write the result with
 * the checkpoints in one transaction; the fake does the same in memory.
 */
import type { DomainEvent } from "../events/catalog.ts";
import { type AnyReadModel, keyId, keyOfRow, type RowKey } from "./define.ts";
import type { ProjectBatch, ProjectResult } from "./store.ts";

/** The part of a batch one model still has to apply. */
export interface ModelPlan {
  model: AnyReadModel;
  /** Events of the model's types at or after its checkpoint, in order. */
  events: DomainEvent[];
  /** The distinct rows those events touch. */
  keys: RowKey[];
  /** The checkpoint to store: one past the batch's last offset, never lower than the stored one. */
  nextOffset: number | undefined;
  /** Whether the checkpoint moves (false when the whole batch is below it). */
  advances: boolean;
}

export interface BatchPlan extends ProjectResult {
  plans: ModelPlan[];
}

/** Throws a `RangeError` when offsets are missing, negative or not increasing. */
function checkOffsets(batch: ProjectBatch): void {
  const { events, offsets } = batch;
  if (events.length !== offsets.length) {
    throw new RangeError(`Cannot project ${events.length} events with ${offsets.length} offsets`);
  }
  let last = -1;
  for (const offset of offsets) {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset <= last) {
      throw new RangeError(`Cannot project offset ${offset} after ${last}: offsets must increase`);
    }
    last = offset;
  }
}

/**
 * Splits `batch` for each of `models` at its checkpoint (`checkpoints.get(name)`, the next offset
 * to apply; absent: none stored). The runner hands over decoded, validated events, so a type a
 * model lists means its `data` matches the catalog schema.
 */
export function planBatch(
  models: readonly AnyReadModel[],
  batch: ProjectBatch,
  checkpoints: ReadonlyMap<string, number | undefined>,
): BatchPlan {
  checkOffsets(batch);
  const { events, offsets } = batch;
  const last = offsets.length === 0 ? -1 : offsets[offsets.length - 1]!;
  let applied = 0;
  const plans = models.map((model): ModelPlan => {
    const checkpoint = checkpoints.get(model.name);
    const from = checkpoint ?? 0;
    let first = 0;
    while (first < offsets.length && offsets[first]! < from) first++;
    applied = Math.max(applied, events.length - first);
    const mine: DomainEvent[] = [];
    const keys = new Map<string, RowKey>();
    for (let i = first; i < events.length; i++) {
      const event = events[i]! as DomainEvent;
      if (!model.eventTypes.has(event.type)) continue;
      mine.push(event);
      for (const key of model.keysOf(event)) keys.set(keyId(key), key);
    }
    const advances = first < events.length;
    return {
      model,
      events: mine,
      keys: [...keys.values()],
      nextOffset: advances ? last + 1 : checkpoint,
      advances,
    };
  });
  return { plans, applied, skipped: events.length - applied };
}

/** The rows to write for one model: changed rows in their final form, and removed keys. */
export interface ModelChanges<Row> {
  upserts: Row[];
  deletes: RowKey[];
}

/**
 * Applies `events` in order to `snapshot` (the current rows of the touched keys, by `keyId`; left
 * untouched) and returns what changed.
 */
export function projectModel<Row>(
  model: AnyReadModel,
  snapshot: ReadonlyMap<string, Row>,
  events: readonly DomainEvent[],
): ModelChanges<Row> {
  const rows = new Map<string, Row | undefined>(snapshot);
  for (const event of events) {
    for (const key of model.keysOf(event)) {
      const id = keyId(key);
      const current = rows.get(id);
      if (model.immutable && current !== undefined) continue; // the first write wins
      const next = model.evolve(current, event, key) as Row | undefined;
      if (next !== current) rows.set(id, next);
    }
  }
  const upserts: Row[] = [];
  const deletes: RowKey[] = [];
  for (const [id, row] of rows) {
    const before = snapshot.get(id);
    if (row === before) continue;
    if (row === undefined) deletes.push(keyOfRow(model, before));
    else upserts.push(row);
  }
  return { upserts, deletes };
}

/** The names of `models`, checked against the registry: an unknown name is a `RangeError`. */
export function selectModels(
  models: readonly AnyReadModel[],
  names: readonly string[] | undefined,
): readonly AnyReadModel[] {
  if (names === undefined) return models;
  for (const name of names) {
    if (!models.some((m) => m.name === name)) {
      throw new RangeError(
        `Unknown read model "${name}": expected one of ${models.map((m) => m.name).join(", ")}`,
      );
    }
  }
  return models.filter((m) => names.includes(m.name));
}
