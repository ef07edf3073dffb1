/**
 * A `RowQuery` as one SQL statement. With an entry filter (e.g. a label), the entry table drives
 * the query and orders by its parent column, so its `(values…, parent)` index serves the page.
 */
import { type AnyReadModel, columnOf, type ColumnType } from "../../core/readmodels/define.ts";
import type { RowFilter, RowQuery } from "../../core/readmodels/store.ts";
import type { SqlParam } from "./sql_driver.ts";
import { encodeValue } from "./sql_rows.ts";

/** The `SELECT` for `query` on `model`, with `?` placeholders and its parameters. */
export function selectSql(
  model: AnyReadModel,
  query: RowQuery<unknown>,
): { sql: string; params: SqlParam[] } {
  const types = model.columns as Record<string, ColumnType>;
  const params: SqlParam[] = [];
  const where: string[] = [];
  let from = model.table;
  let columnRef = (field: string) => columnOf(field);
  const entry = query.entry;
  if (entry) {
    const table = model.entryTables.find((e) => e.table === entry.table);
    if (!table) throw new RangeError(`Read model "${model.name}" has no entry table "${entry.table}"`);
    const keyField = model.key[0]!;
    from = `${table.table} e JOIN ${model.table} t ON t.${columnOf(keyField)} = e.${table.parentColumn}`;
    columnRef = (field) => (field === keyField ? `e.${table.parentColumn}` : `t.${columnOf(field)}`);
    table.columns.forEach((column, i) => {
      where.push(`e.${column} = ?`);
      params.push(entry.values[i] ?? null);
    });
  }
  for (const filter of (query.where ?? []) as readonly RowFilter<Record<string, unknown>>[]) {
    const type = types[filter.field];
    if (type === undefined) throw new RangeError(`Read model "${model.name}" has no field "${filter.field}"`);
    if (filter.op === "in") {
      const values = filter.value as readonly unknown[];
      if (values.length === 0) {
        where.push("1 = 0");
        continue;
      }
      where.push(`${columnRef(filter.field)} IN (${values.map(() => "?").join(", ")})`);
      params.push(...values.map((v) => encodeValue(type, v)));
    } else {
      where.push(`${columnRef(filter.field)} ${filter.op} ?`);
      params.push(encodeValue(type, filter.value));
    }
  }
  const order = query.orderBy.map(({ field, desc }) => `${columnRef(field)}${desc ? " DESC" : ""}`);
  params.push(query.limit);
  const select = entry ? "t.*" : "*";
  return {
    sql: `SELECT ${select} FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}` +
      `${order.length ? ` ORDER BY ${order.join(", ")}` : ""} LIMIT ?`,
    params,
  };
}
