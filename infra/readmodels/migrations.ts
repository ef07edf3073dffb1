/**
 * Versioned schema of the SQL read models. Each migration is applied once, in order, and recorded
 * in `schema_migrations`; a new read model (alerts, OTA) is a new migration, never an edit of an
 * applied one. `migrate` runs in one transaction under a lock (`pg_advisory_xact_lock` on
 * PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so processes starting together apply each migration once.
 */
import type { SqlDriver } from "./sql_driver.ts";

export interface Migration {
  version: number;
  description: string;
  /** DDL statements; `{key}` is the type of id columns (see `KEY_TYPE`). */
  statements: readonly string[];
}

/**
 * Ids sort byte-wise on both engines, so keyset pagination pages the same everywhere whatever the
 * database's default collation (SQLite compares TEXT byte-wise already).
 */
const KEY_TYPE = { sqlite: "TEXT", postgres: 'TEXT COLLATE "C"' } as const;

/** An arbitrary constant: the advisory lock key of read-model migrations. */
const MIGRATION_LOCK_KEY = 4_151_700_001;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "checkpoints, devices with labels, device states, commands, dead letters",
    statements: [
      `CREATE TABLE read_model_checkpoints (
        processor TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset BIGINT NOT NULL,
        PRIMARY KEY (processor, topic, partition))`,
      `CREATE TABLE devices (
        id {key} PRIMARY KEY, name TEXT, model TEXT, labels TEXT NOT NULL, status TEXT NOT NULL,
        credential TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE TABLE device_labels (
        device_id {key} NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (device_id, key))`,
      `CREATE INDEX device_labels_by_value ON device_labels (key, value, device_id)`,
      `CREATE TABLE device_states (
        device_id {key} PRIMARY KEY, reported TEXT NOT NULL, desired TEXT NOT NULL, delta TEXT NOT NULL,
        version INTEGER NOT NULL, connected INTEGER NOT NULL, last_seen TEXT)`,
      `CREATE TABLE commands (
        id {key} PRIMARY KEY, device_id {key} NOT NULL, name TEXT NOT NULL, params TEXT, status TEXT NOT NULL,
        ack_status TEXT, result TEXT, error TEXT, requested_at TEXT NOT NULL, dispatched_at TEXT,
        completed_at TEXT, expires_at TEXT NOT NULL, requested_by TEXT)`,
      `CREATE INDEX commands_by_device ON commands (device_id, requested_at, id)`,
      `CREATE TABLE dlq (
        id {key} PRIMARY KEY, at TEXT NOT NULL, topic TEXT NOT NULL, device_id {key}, reason TEXT NOT NULL,
        payload TEXT NOT NULL)`,
      `CREATE INDEX dlq_by_device ON dlq (device_id, id)`,
    ],
  },
];

/**
 * Applies the migrations `driver` has not recorded yet; returns their versions. Idempotent.
 * `now` stamps `applied_at` (default: the wall clock).
 */
export async function runMigrations(
  driver: SqlDriver,
  options: { migrations?: readonly Migration[]; now?: () => number } = {},
): Promise<number[]> {
  const list = options.migrations ?? migrations;
  const now = options.now ?? Date.now;
  return await driver.transaction(async (tx) => {
    if (driver.dialect === "postgres") {
      await tx.query("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK_KEY]);
    }
    await tx.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    );
    const rows = await tx.query<{ version: unknown }>("SELECT version FROM schema_migrations");
    const done = new Set(rows.map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) {
        await tx.query(statement.replaceAll("{key}", KEY_TYPE[driver.dialect]));
      }
      await tx.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [
        migration.version,
        new Date(now()).toISOString(),
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
