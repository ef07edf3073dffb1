/**
 * How read-model rows map to SQL columns, and the batched statements that load, write and delete
 * them, for any registered read model. JSON fields are stored as TEXT (stringified here), booleans
 * as 0/1, absent optionals as NULL, so SQLite and PostgreSQL share one code path.
 */
import {
  type AnyReadModel,
  columnOf,
  type ColumnType,
  keyValues,
  type RowKey,
} from "../../core/readmodels/define.ts";
import type { SqlParam, SqlRecord, SqlTx } from "./sql_driver.ts";

/**
 * The statements a read-model store writes rows with. `portableRows` (below) runs on both engines
 * with `?` lists; `postgresRows` (postgres_rows.ts) binds whole columns as arrays instead.
 */
export interface RowStatements {
  loadRows: typeof loadRows;
  upsertRows: typeof upsertRows;
  deleteRows: typeof deleteRows;
  replaceEntries: typeof replaceEntries;
}

/** One model's mapping: its columns (key columns first) and row ↔ parameters. */
export interface RowCodec {
  table: string;
  columns: readonly string[];
  /** The storage type of each column, aligned with `columns`. */
  types: readonly ColumnType[];
  keyColumns: readonly string[];
  toParams(row: unknown): SqlParam[];
  fromRecord(record: SqlRecord): unknown;
}

/** A row value as a bound parameter. */
export function encodeValue(type: ColumnType, value: unknown): SqlParam {
  if (value === undefined || value === null) return null;
  switch (type) {
    case "json":
    case "json?":
      return JSON.stringify(value);
    case "bool":
      return value ? 1 : 0;
    case "int":
    case "real":
      return value as number;
    default:
      return String(value);
  }
}

function decodeValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case "json":
    case "json?":
      return JSON.parse(String(value));
    case "bool":
      return Number(value) === 1;
    case "int":
    case "real":
      return Number(value);
    default:
      return String(value);
  }
}

const codecs = new WeakMap<AnyReadModel, RowCodec>();

/** The (cached) codec of `model`. */
export function rowCodec(model: AnyReadModel): RowCodec {
  const cached = codecs.get(model);
  if (cached) return cached;
  const fields = [
    ...model.key,
    ...Object.keys(model.columns).filter((f) => !model.key.includes(f)),
  ];
  const types = fields.map((f) => (model.columns as Record<string, ColumnType>)[f]!);
  const columns = fields.map(columnOf);
  const codec: RowCodec = {
    table: model.table,
    columns,
    types,
    keyColumns: model.key.map(columnOf),
    toParams: (row) => fields.map((f, i) => encodeValue(types[i]!, (row as Record<string, unknown>)[f])),
    fromRecord: (record) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const value = decodeValue(types[i]!, record[columns[i]!]);
        if (value !== undefined) row[fields[i]!] = value;
      }
      return row;
    },
  };
  codecs.set(model, codec);
  return codec;
}

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535 limits. */
const MAX_PARAMS = 30_000;
/** Keys per `IN (…)` list. */
const IN_CHUNK = 512;

const placeholders = (count: number) => `(${Array(count).fill("?").join(", ")})`;

/**
 * Splits `count` rows into statement sizes: full `max` chunks, then powers of two. Statement
 * texts thus come from a small fixed set, which keeps prepared-statement caches bounded.
 */
export function chunkSizes(count: number, max: number): number[] {
  const sizes: number[] = [];
  let left = count;
  while (left >= max) sizes.push(max), left -= max;
  for (let size = 1 << 30; size >= 1; size >>= 1) if (left >= size) sizes.push(size), left -= size;
  return sizes;
}

/** Calls `fn` with consecutive slices of `items` sized by `chunkSizes`. */
async function inChunks<T>(items: readonly T[], max: number, fn: (chunk: readonly T[]) => Promise<unknown>) {
  let at = 0;
  for (const size of chunkSizes(items.length, max)) {
    await fn(items.slice(at, at + size));
    at += size;
  }
}

/** `keys` padded to the next power of two (repeating the last one) so `IN` lists come in few shapes. */
function padded<T>(keys: readonly T[]): T[] {
  let size = 1;
  while (size < keys.length) size <<= 1;
  return [...keys, ...Array(size - keys.length).fill(keys[keys.length - 1])];
}

/** `key IN (?, …)` or `(a, b) IN ((?, ?), …)` for `count` keys, and its parameters. */
function keyIn(codec: RowCodec, keys: readonly RowKey[], prefix = ""): { sql: string; params: SqlParam[] } {
  const columns = codec.keyColumns.map((c) => prefix + c);
  if (columns.length === 1) {
    return {
      sql: `${columns[0]} IN ${placeholders(keys.length)}`,
      params: keys.map((k) => keyValues(k)[0]!),
    };
  }
  const tuple = placeholders(columns.length);
  return {
    sql: `(${columns.join(", ")}) IN (${Array(keys.length).fill(tuple).join(", ")})`,
    params: keys.flatMap((k) => [...keyValues(k)]),
  };
}

/** The rows of `keys` by key id (an absent key has no entry), read with chunked `IN` lists. */
export async function loadRows(
  tx: SqlTx,
  model: AnyReadModel,
  keys: readonly RowKey[],
  idOf: (row: unknown) => string,
) {
  const codec = rowCodec(model);
  const rows = new Map<string, unknown>();
  for (let i = 0; i < keys.length; i += IN_CHUNK) {
    const where = keyIn(codec, padded(keys.slice(i, i + IN_CHUNK)));
    for (const record of await tx.query(`SELECT * FROM ${codec.table} WHERE ${where.sql}`, where.params)) {
      const row = codec.fromRecord(record);
      rows.set(idOf(row), row);
    }
  }
  return rows;
}

/**
 * Inserts or replaces `rows` with multi-row statements (`onConflict: "ignore"` keeps existing
 * rows). Callers pass each key once: PostgreSQL refuses to touch a row twice in one statement.
 */
export async function upsertRows(
  tx: SqlTx,
  model: AnyReadModel,
  rows: readonly unknown[],
  onConflict: "update" | "ignore" = "update",
): Promise<void> {
  const { table, columns, keyColumns } = rowCodec(model);
  const codec = rowCodec(model);
  const perStatement = Math.floor(MAX_PARAMS / columns.length);
  const action = conflictAction(model, onConflict);
  const row = placeholders(columns.length);
  await inChunks(rows, perStatement, (chunk) =>
    tx.query(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(chunk.length).fill(row).join(", ")} ` +
        `ON CONFLICT (${keyColumns.join(", ")}) ${action}`,
      chunk.flatMap((r) => codec.toParams(r)),
    ));
}

/** What an upsert does with a row that exists: keep it, replace it, or merge into it (accumulating models). */
export function conflictAction(model: AnyReadModel, onConflict: "update" | "ignore"): string {
  const { table, columns, keyColumns } = rowCodec(model);
  const updated = columns.slice(keyColumns.length);
  if (onConflict === "ignore" || updated.length === 0) return "DO NOTHING";
  const merged = model.accumulate?.sql as Record<string, string> | undefined;
  const fields = Object.fromEntries(Object.keys(model.columns).map((f) => [columnOf(f), f]));
  const value = (column: string) => {
    const sql = merged?.[fields[column]!];
    if (sql === undefined) return `excluded.${column}`;
    return sql.replace(/\bold\./g, `${table}.`).replace(/\bnew\./g, "excluded.");
  };
  return `DO UPDATE SET ${updated.map((c) => `${c} = ${value(c)}`).join(", ")}`;
}

/** Deletes the rows of `keys`. */
export async function deleteRows(tx: SqlTx, model: AnyReadModel, keys: readonly RowKey[]): Promise<void> {
  const codec = rowCodec(model);
  for (let i = 0; i < keys.length; i += IN_CHUNK) {
    const where = keyIn(codec, keys.slice(i, i + IN_CHUNK));
    await tx.query(`DELETE FROM ${codec.table} WHERE ${where.sql}`, where.params);
  }
}

/** Replaces the entry rows of the parents `entries` holds (parent key → its entries). */
export async function replaceEntries(
  tx: SqlTx,
  table: { table: string; parentColumn: string; columns: readonly string[] },
  entries: ReadonlyMap<string, readonly (readonly string[])[]>,
): Promise<void> {
  const parents = [...entries.keys()];
  for (let i = 0; i < parents.length; i += IN_CHUNK) {
    const chunk = parents.slice(i, i + IN_CHUNK);
    await tx.query(
      `DELETE FROM ${table.table} WHERE ${table.parentColumn} IN ${placeholders(chunk.length)}`,
      chunk,
    );
  }
  const rows = [...entries].flatMap(([parent, values]) => values.map((v) => [parent, ...v]));
  const width = table.columns.length + 1;
  const perStatement = Math.floor(MAX_PARAMS / width);
  const columns = [table.parentColumn, ...table.columns].join(", ");
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await tx.query(
      `INSERT INTO ${table.table} (${columns}) VALUES ${chunk.map(() => placeholders(width)).join(", ")}`,
      chunk.flat(),
    );
  }
}

export const portableRows: RowStatements = { loadRows, upsertRows, deleteRows, replaceEntries };
