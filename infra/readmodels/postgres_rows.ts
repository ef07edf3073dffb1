/**
 * The row statements on PostgreSQL: each column is bound as one array and expanded with
 * `unnest`, so a batch writes each table with one statement of a fixed text (one cached plan)
 * whatever its row count. The portable `VALUES (?, …), …` lists needed up to six statements of
 * different shapes per table and batch (chunks by powers of two), each parsed and planned anew,
 * which made PostgreSQL the read models' bottleneck (issue 18: p50 2.5 s behind at 5k msg/s).
 */
import { type AnyReadModel, type ColumnType, keyValues, type RowKey } from "../../core/readmodels/define.ts";
import type { SqlArrayParam, SqlParam, SqlTx } from "./sql_driver.ts";
import { conflictAction, rowCodec, type RowStatements } from "./sql_rows.ts";

/** The array type a column's values are bound as (booleans are 0/1 and JSON is text, as everywhere). */
const ARRAY_TYPE: Record<ColumnType, string> = {
  text: "text[]",
  "text?": "text[]",
  json: "text[]",
  "json?": "text[]",
  int: "int8[]",
  bool: "int8[]",
  real: "float8[]",
};

/** `unnest(?::t1[], ?::t2[], …)` for columns of `types`. */
const unnestOf = (types: readonly ColumnType[]) =>
  `unnest(${types.map((t) => `?::${ARRAY_TYPE[t]}`).join(", ")})`;

/** The values of `rows` column by column (`width` columns each). */
function columnsOf(rows: readonly (readonly SqlParam[])[], width: number): SqlArrayParam[] {
  const columns: (string | number | null)[][] = Array.from({ length: width }, () => []);
  for (const row of rows) {
    for (let i = 0; i < width; i++) columns[i]!.push((row[i] ?? null) as string | number | null);
  }
  return columns;
}

/** `WHERE`-ready `key = ANY(?)` or `(a, b) IN (SELECT * FROM unnest(?, ?))` and its parameters. */
function keyIn(model: AnyReadModel, keys: readonly RowKey[]): { sql: string; params: SqlParam[] } {
  const { keyColumns, types } = rowCodec(model);
  const keyTypes = types.slice(0, keyColumns.length);
  const values = columnsOf(keys.map((k) => [...keyValues(k)]), keyColumns.length);
  if (keyColumns.length === 1) {
    return { sql: `${keyColumns[0]} = ANY(?::${ARRAY_TYPE[keyTypes[0]!]})`, params: values };
  }
  return { sql: `(${keyColumns.join(", ")}) IN (SELECT * FROM ${unnestOf(keyTypes)})`, params: values };
}

async function loadRows(
  tx: SqlTx,
  model: AnyReadModel,
  keys: readonly RowKey[],
  idOf: (row: unknown) => string,
) {
  const codec = rowCodec(model);
  const rows = new Map<string, unknown>();
  if (keys.length === 0) return rows;
  const where = keyIn(model, keys);
  for (const record of await tx.query(`SELECT * FROM ${codec.table} WHERE ${where.sql}`, where.params)) {
    const row = codec.fromRecord(record);
    rows.set(idOf(row), row);
  }
  return rows;
}

async function upsertRows(
  tx: SqlTx,
  model: AnyReadModel,
  rows: readonly unknown[],
  onConflict: "update" | "ignore" = "update",
): Promise<void> {
  if (rows.length === 0) return;
  const codec = rowCodec(model);
  await tx.query(
    `INSERT INTO ${codec.table} (${codec.columns.join(", ")}) SELECT * FROM ${unnestOf(codec.types)} ` +
      `ON CONFLICT (${codec.keyColumns.join(", ")}) ${conflictAction(model, onConflict)}`,
    columnsOf(rows.map((r) => codec.toParams(r)), codec.columns.length),
  );
}

async function deleteRows(tx: SqlTx, model: AnyReadModel, keys: readonly RowKey[]): Promise<void> {
  if (keys.length === 0) return;
  const where = keyIn(model, keys);
  await tx.query(`DELETE FROM ${rowCodec(model).table} WHERE ${where.sql}`, where.params);
}

async function replaceEntries(
  tx: SqlTx,
  table: { table: string; parentColumn: string; columns: readonly string[] },
  entries: ReadonlyMap<string, readonly (readonly string[])[]>,
): Promise<void> {
  if (entries.size === 0) return;
  await tx.query(`DELETE FROM ${table.table} WHERE ${table.parentColumn} = ANY(?::text[])`, [[
    ...entries.keys(),
  ]]);
  const rows = [...entries].flatMap(([parent, values]) => values.map((v) => [parent, ...v]));
  if (rows.length === 0) return;
  const width = table.columns.length + 1;
  await tx.query(
    `INSERT INTO ${table.table} (${[table.parentColumn, ...table.columns].join(", ")}) ` +
      `SELECT * FROM ${unnestOf(Array(width).fill("text"))}`,
    columnsOf(rows, width),
  );
}

export const postgresRows: RowStatements = { loadRows, upsertRows, deleteRows, replaceEntries };
