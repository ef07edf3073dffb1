/**
 * Versioned schema of the SQL read models. The store's own tables (per-model checkpoints,
 * applied migrations, projection versions) come first; then each registered model's migrations
 * are applied once, in order, and recorded per model. A model whose `version` changed — or a new
 * model added beside already projected data — is marked `stale`: it must be rebuilt from the log.
 * Everything runs in one transaction under a lock (`pg_advisory_xact_lock` on PostgreSQL,
 * `BEGIN IMMEDIATE` on SQLite), so processes starting together apply each migration once.
 *
 * Databases from before the registry (one `schema_migrations` version 1 holding every table and
 * one checkpoint per partition) are adopted in place: their four models count as migrated and
 * their checkpoints are copied to each of them.
 */
import type { AnyReadModel } from "../../core/readmodels/define.ts";
import type { ReadModelStatus } from "../../core/readmodels/store.ts";
import type { SqlDriver, SqlTx } from "./sql_driver.ts";
import { KEY_TYPE, MIGRATION_LOCK_KEY } from "./schema_migrations.ts";

/** The models the pre-registry schema (version 1) held, each at its migration 1. */
const LEGACY_MODELS = ["devices", "device_states", "commands", "dlq"];

/** `schema_migrations` version of the registry layout. */
const REGISTRY_LAYOUT = 2;

const STORE_TABLES = [
  `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS read_model_migrations (
    model TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (model, version))`,
  `CREATE TABLE IF NOT EXISTS read_model_versions (
    model TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS projection_checkpoints (
    model TEXT NOT NULL, processor TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
    next_offset BIGINT NOT NULL, PRIMARY KEY (model, processor, topic, partition))`,
];

async function adoptLegacySchema(tx: SqlTx, at: string): Promise<void> {
  for (const model of LEGACY_MODELS) {
    await tx.query("INSERT INTO read_model_migrations (model, version, applied_at) VALUES (?, 1, ?)", [
      model,
      at,
    ]);
    await tx.query("INSERT INTO read_model_versions (model, version, status) VALUES (?, 1, 'ready')", [
      model,
    ]);
    await tx.query(
      `INSERT INTO projection_checkpoints (model, processor, topic, partition, next_offset)
       SELECT ?, processor, topic, partition, next_offset FROM read_model_checkpoints`,
      [model],
    );
  }
  await tx.query("DROP TABLE read_model_checkpoints");
}

async function applyModelMigrations(
  tx: SqlTx,
  dialect: SqlDriver["dialect"],
  model: AnyReadModel,
  at: string,
) {
  const rows = await tx.query<{ version: unknown }>(
    "SELECT version FROM read_model_migrations WHERE model = ?",
    [
      model.name,
    ],
  );
  const done = new Set(rows.map((row) => Number(row.version)));
  const applied: number[] = [];
  for (const migration of [...model.migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    for (const statement of migration.statements) {
      await tx.query(statement.replaceAll("{key}", KEY_TYPE[dialect]));
    }
    await tx.query("INSERT INTO read_model_migrations (model, version, applied_at) VALUES (?, ?, ?)", [
      model.name,
      migration.version,
      at,
    ]);
    applied.push(migration.version);
  }
  return applied;
}

/**
 * Creates or upgrades the tables of `models` and returns each one's status. Idempotent.
 * `now` stamps `applied_at` (default: the wall clock).
 */
export async function migrateReadModels(
  driver: SqlDriver,
  models: readonly AnyReadModel[],
  options: { now?: () => number } = {},
): Promise<ReadModelStatus[]> {
  const at = new Date((options.now ?? Date.now)()).toISOString();
  return await driver.transaction(async (tx) => {
    if (driver.dialect === "postgres") {
      await tx.query("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK_KEY]);
    }
    for (const statement of STORE_TABLES) await tx.query(statement);
    const layouts = new Set(
      (await tx.query<{ version: unknown }>("SELECT version FROM schema_migrations")).map((r) =>
        Number(r.version)
      ),
    );
    if (!layouts.has(REGISTRY_LAYOUT)) {
      if (layouts.has(1)) await adoptLegacySchema(tx, at);
      await tx.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [
        REGISTRY_LAYOUT,
        at,
      ]);
    }
    const projected = (await tx.query("SELECT 1 AS one FROM projection_checkpoints LIMIT 1")).length > 0;
    const statuses: ReadModelStatus[] = [];
    for (const model of models) {
      await applyModelMigrations(tx, driver.dialect, model, at);
      const [stored] = await tx.query<{ version: unknown; status: unknown }>(
        "SELECT version, status FROM read_model_versions WHERE model = ?",
        [model.name],
      );
      let status: ReadModelStatus["status"];
      if (stored === undefined) {
        status = projected ? "stale" : "ready";
        await tx.query("INSERT INTO read_model_versions (model, version, status) VALUES (?, ?, ?)", [
          model.name,
          model.version,
          status,
        ]);
      } else if (Number(stored.version) !== model.version) {
        status = "stale";
        await tx.query("UPDATE read_model_versions SET version = ?, status = ? WHERE model = ?", [
          model.version,
          status,
          model.name,
        ]);
      } else {
        status = String(stored.status) === "stale" ? "stale" : "ready";
      }
      statuses.push({ name: model.name, version: model.version, status });
    }
    return statuses;
  });
}
