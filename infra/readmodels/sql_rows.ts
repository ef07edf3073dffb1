/**
 * How read-model rows map to SQL columns, and the batched statements that load and write them.
 * JSON fields are stored as TEXT (stringified here), booleans as 0/1, absent optionals as NULL,
 * so SQLite and PostgreSQL share one code path.
 */
import type { CommandRow, DeviceRow, DeviceStateRow, DlqRow } from "../../core/readmodels/rows.ts";
import type { SqlParam, SqlRecord, SqlTx } from "./sql_driver.ts";

/** One table's mapping: its columns (first = primary key) and row ↔ parameters. */
export interface TableMapping<Row> {
  table: string;
  columns: readonly string[];
  toParams(row: Row): SqlParam[];
  fromRecord(record: SqlRecord): Row;
}

const json = (value: unknown): SqlParam => (value === undefined ? null : JSON.stringify(value));
const text = (value: string | undefined): SqlParam => value ?? null;
const str = (value: unknown): string => String(value);

/** `{ [key]: value }` when the column is not NULL, else `{}`; for optional row fields. */
function optional<K extends string, V>(key: K, value: unknown, read: (v: unknown) => V): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: read(value) }) as { [P in K]?: V };
}

const parse = (value: unknown) => JSON.parse(str(value));

export const deviceTable: TableMapping<DeviceRow> = {
  table: "devices",
  columns: ["id", "name", "model", "labels", "status", "credential", "created_at", "updated_at"],
  toParams: (
    r,
  ) => [
    r.id,
    text(r.name),
    text(r.model),
    json(r.labels),
    r.status,
    json(r.credential),
    r.createdAt,
    r.updatedAt,
  ],
  fromRecord: (r) => ({
    id: str(r.id),
    ...optional("name", r.name, str),
    ...optional("model", r.model, str),
    labels: parse(r.labels),
    status: str(r.status) as DeviceRow["status"],
    ...optional("credential", r.credential, parse),
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
  }),
};

export const deviceStateTable: TableMapping<DeviceStateRow> = {
  table: "device_states",
  columns: ["device_id", "reported", "desired", "delta", "version", "connected", "last_seen"],
  toParams: (r) => [
    r.deviceId,
    json(r.reported),
    json(r.desired),
    json(r.delta),
    r.version,
    r.connected ? 1 : 0,
    text(r.lastSeen),
  ],
  fromRecord: (r) => ({
    deviceId: str(r.device_id),
    reported: parse(r.reported),
    desired: parse(r.desired),
    delta: parse(r.delta),
    version: Number(r.version),
    connected: Number(r.connected) === 1,
    ...optional("lastSeen", r.last_seen, str),
  }),
};

export const commandTable: TableMapping<CommandRow> = {
  table: "commands",
  columns: [
    "id",
    "device_id",
    "name",
    "params",
    "status",
    "ack_status",
    "result",
    "error",
    "requested_at",
    "dispatched_at",
    "completed_at",
    "expires_at",
    "requested_by",
  ],
  toParams: (r) => [
    r.id,
    r.deviceId,
    r.name,
    json(r.params),
    r.status,
    text(r.ackStatus),
    json(r.result),
    text(r.error),
    r.requestedAt,
    text(r.dispatchedAt),
    text(r.completedAt),
    r.expiresAt,
    text(r.requestedBy),
  ],
  fromRecord: (r) => ({
    id: str(r.id),
    deviceId: str(r.device_id),
    name: str(r.name),
    ...optional("params", r.params, parse),
    status: str(r.status) as CommandRow["status"],
    ...optional("ackStatus", r.ack_status, (v) => str(v) as "ok" | "error"),
    ...optional("result", r.result, parse),
    ...optional("error", r.error, str),
    requestedAt: str(r.requested_at),
    ...optional("dispatchedAt", r.dispatched_at, str),
    ...optional("completedAt", r.completed_at, str),
    expiresAt: str(r.expires_at),
    ...optional("requestedBy", r.requested_by, str),
  }),
};

export const dlqTable: TableMapping<DlqRow> = {
  table: "dlq",
  columns: ["id", "at", "topic", "device_id", "reason", "payload"],
  toParams: (r) => [r.id, r.at, r.topic, text(r.deviceId), r.reason, r.payload],
  fromRecord: (r) => ({
    id: str(r.id),
    at: str(r.at),
    topic: str(r.topic),
    ...optional("deviceId", r.device_id, str),
    reason: str(r.reason),
    payload: str(r.payload),
  }),
};

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535 limits. */
const MAX_PARAMS = 30_000;
/** Ids per `IN (…)` list. */
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

/** `ids` padded to the next power of two (repeating the last one) so `IN` lists come in few shapes. */
function padded(ids: readonly string[]): string[] {
  let size = 1;
  while (size < ids.length) size <<= 1;
  return [...ids, ...Array(size - ids.length).fill(ids[ids.length - 1])];
}

/** The rows of `ids` (an absent id has no entry), read with chunked `WHERE key IN (…)`. */
export async function loadRows<Row>(tx: SqlTx, mapping: TableMapping<Row>, ids: readonly string[]) {
  const rows = new Map<string, Row>();
  const key = mapping.columns[0]!;
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const chunk = padded(ids.slice(i, i + IN_CHUNK));
    const records = await tx.query(
      `SELECT * FROM ${mapping.table} WHERE ${key} IN ${placeholders(chunk.length)}`,
      chunk,
    );
    for (const record of records) rows.set(str(record[key]), mapping.fromRecord(record));
  }
  return rows;
}

/**
 * Inserts or replaces `rows` with multi-row statements (`onConflict: "ignore"` keeps existing
 * rows). Callers pass each key once: PostgreSQL refuses to touch a row twice in one statement.
 */
export async function upsertRows<Row>(
  tx: SqlTx,
  mapping: TableMapping<Row>,
  rows: readonly Row[],
  onConflict: "update" | "ignore" = "update",
): Promise<void> {
  const { table, columns } = mapping;
  const perStatement = Math.floor(MAX_PARAMS / columns.length);
  const action = onConflict === "ignore"
    ? "DO NOTHING"
    : `DO UPDATE SET ${columns.slice(1).map((c) => `${c} = excluded.${c}`).join(", ")}`;
  const row = placeholders(columns.length);
  await inChunks(rows, perStatement, (chunk) =>
    tx.query(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(chunk.length).fill(row).join(", ")} ` +
        `ON CONFLICT (${columns[0]}) ${action}`,
      chunk.flatMap((r) => mapping.toParams(r)),
    ));
}

/** Replaces the label rows of `devices` (the label filter's index table). */
export async function replaceLabels(tx: SqlTx, devices: readonly DeviceRow[]): Promise<void> {
  for (let i = 0; i < devices.length; i += IN_CHUNK) {
    const chunk = devices.slice(i, i + IN_CHUNK);
    await tx.query(
      `DELETE FROM device_labels WHERE device_id IN ${placeholders(chunk.length)}`,
      chunk.map((d) => d.id),
    );
  }
  const labels = devices.flatMap((d) => Object.entries(d.labels).map(([key, value]) => [d.id, key, value]));
  const perStatement = Math.floor(MAX_PARAMS / 3);
  for (let i = 0; i < labels.length; i += perStatement) {
    const chunk = labels.slice(i, i + perStatement);
    await tx.query(
      `INSERT INTO device_labels (device_id, key, value) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`,
      chunk.flat(),
    );
  }
}
