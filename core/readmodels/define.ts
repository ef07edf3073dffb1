/**
 * A read model is plain data, like a processor: a table, its columns, which rows an event touches
 * (`keysOf`) and a pure `evolve`. The engine-neutral machinery (`projection.ts`, the SQL store,
 * the in-memory fake) iterates over a registered list of these, so a new read model is one folder
 * and one line in `registry.ts`.
 */
import type { DomainEvent, EventType } from "../events/catalog.ts";

/**
 * How a row field is stored. `json` is stringified TEXT, `bool` is 0/1, `int`/`real` numbers;
 * a trailing `?` marks an optional field (absent ↔ NULL). Both engines share this one mapping.
 */
export type ColumnType = "text" | "text?" | "int" | "real" | "bool" | "json" | "json?";

/** A row key: a string for one key field, a tuple for a composite key (in `key` order). */
export type RowKey = string | readonly string[];

/** A schema step of one read model. Statements are portable DDL; `{key}` is the id column type. */
export interface ReadModelMigration {
  version: number;
  statements: readonly string[];
}

/**
 * A secondary table of (parent key, …values) rows derived from each row, kept in step by the
 * machinery: e.g. `device_labels` (device_id, key, value) for filtering devices by label.
 */
export interface EntryTable<Row> {
  table: string;
  /** The column holding the parent row's key (single-field keys only). */
  parentColumn: string;
  /** The value columns after the parent column. */
  columns: readonly string[];
  entriesOf(row: Row): readonly (readonly string[])[];
}

export interface ReadModel<Row = unknown, K extends RowKey = RowKey> {
  /** Names the model in `aiot rebuild <name>`, checkpoints and versions; also the default table. */
  name: string;
  table: string;
  /**
   * The projection's version: raising it means "this table must be rebuilt from the log" (the
   * platform does so at start, `aiot rebuild <name>` on demand), without touching the others.
   */
  version: number;
  /** The key fields of a row, in key order. */
  key: readonly (keyof Row & string)[];
  /** Every field of the row and how it is stored; the SQL column is the field in snake_case. */
  columns: { readonly [F in keyof Row & string]-?: ColumnType };
  migrations: readonly ReadModelMigration[];
  /** The event types `keysOf` may return keys for; other events never reach it. */
  eventTypes: ReadonlySet<EventType>;
  /** The rows `event` may change (none: an empty array). */
  keysOf(event: DomainEvent): readonly K[];
  /** The row after `event`: the same reference when nothing changed, `undefined` for no row. */
  evolve(row: Row | undefined, event: DomainEvent, key: K): Row | undefined;
  /**
   * Rows are written once and never change (the first write wins): the machinery neither loads
   * them before a batch nor updates them (e.g. the DLQ, keyed by event id).
   */
  immutable: boolean;
  /** Rows that combine without a read first (aggregates); see `Accumulation`. */
  accumulate?: Accumulation<Row> | undefined;
  entryTables: readonly EntryTable<Row>[];
}

/**
 * Rows of an aggregate (counts, latest by time) need not be read before a batch: the batch folds
 * each key from no row into a partial row, and the store merges that into the stored row — with
 * `merge` in memory and with `sql` in the upsert. `evolve` must fold from `undefined`, and merging
 * partials must equal folding the events one by one (contract-tested on every store).
 */
export interface Accumulation<Row> {
  merge(stored: Row, partial: Row): Row;
  /**
   * The merged value of each non-key column as SQL, where `old.<column>` is the stored value and
   * `new.<column>` the partial row's (e.g. `old.count + new.count`).
   */
  sql: { readonly [F in keyof Row & string]?: string };
}

export interface ReadModelOptions<Row, K extends RowKey>
  extends Omit<ReadModel<Row, K>, "table" | "eventTypes" | "immutable" | "entryTables" | "accumulate"> {
  accumulate?: Accumulation<Row> | undefined;
  table?: string;
  eventTypes: readonly EventType[];
  immutable?: boolean;
  entryTables?: readonly EntryTable<Row>[];
}

/** A read model from its options; checks the definition is consistent. */
export function defineReadModel<Row, K extends RowKey>(options: ReadModelOptions<Row, K>): ReadModel<Row, K> {
  if (!/^[a-z][a-z0-9_]*$/.test(options.name)) {
    throw new TypeError(`Cannot define read model "${options.name}": names are lower snake_case`);
  }
  if (options.key.length === 0) throw new TypeError(`Cannot define read model "${options.name}": no key`);
  if (options.entryTables?.length && options.key.length !== 1) {
    throw new TypeError(`Cannot define read model "${options.name}": entry tables need a one-field key`);
  }
  if (options.accumulate && (options.immutable || options.entryTables?.length)) {
    throw new TypeError(
      `Cannot define read model "${options.name}": an accumulating model has no entry tables`,
    );
  }
  return {
    ...options,
    table: options.table ?? options.name,
    eventTypes: new Set(options.eventTypes),
    immutable: options.immutable ?? false,
    entryTables: options.entryTables ?? [],
  };
}

/** The SQL column of a row field: `deviceId` → `device_id`. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The key of `row`, as `keysOf` returns keys. */
export function keyOfRow<Row>(model: ReadModel<Row, RowKey>, row: Row): RowKey {
  const values = model.key.map((field) => String(row[field]));
  return values.length === 1 ? values[0]! : values;
}

/** A key as one string, for maps (a composite key as its JSON). */
export function keyId(key: RowKey): string {
  return typeof key === "string" ? key : JSON.stringify(key);
}

/** The key fields' values in key order. */
export function keyValues(key: RowKey): readonly string[] {
  return typeof key === "string" ? [key] : key;
}

/** Any read model, for registries and generic machinery. */
// deno-lint-ignore no-explicit-any
export type AnyReadModel = ReadModel<any, any>;
