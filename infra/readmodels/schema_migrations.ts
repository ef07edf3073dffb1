/**
 * Versioned schema steps recorded in `schema_migrations`, for the stores that are not read models
 * (users, tokens, audit: versions 1001+; read models keep per-model migrations, see
 * `migrations.ts`). Each is applied once, in order, in one transaction under a lock
 * (`pg_advisory_xact_lock` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so processes starting
 * together apply each migration once.
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
export const KEY_TYPE = { sqlite: "TEXT", postgres: 'TEXT COLLATE "C"' } as const;

/** An arbitrary constant: the advisory lock key of read-model migrations. */
export const MIGRATION_LOCK_KEY = 4_151_700_001; // shared with read-model migrations: one at a time

/**
 * Applies the migrations `driver` has not recorded yet; returns their versions. Idempotent.
 * `now` stamps `applied_at` (default: the wall clock).
 */
export async function runMigrations(
  driver: SqlDriver,
  options: { migrations: readonly Migration[]; now?: () => number },
): Promise<number[]> {
  const list = options.migrations;
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
