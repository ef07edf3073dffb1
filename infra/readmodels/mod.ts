/**
 * @module
 * The SQL `ReadModelStore`: one code path for SQLite (`infra/sqlite/sqlite_sql_driver.ts`) and
 * PostgreSQL (`infra/postgres/mod.ts`) over the thin `SqlDriver` dialect layer, for every
 * registered read model, with versioned per-model migrations.
 *
 * ```ts
 * import { createSqlReadModelStore } from "./mod.ts";
 * import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
 *
 * const readModels = createSqlReadModelStore(createSqliteSqlDriver({ path: "./data/readmodels.db" }));
 * await readModels.migrate();
 * ```
 */
export { createSqlReadModelStore } from "./sql_read_model_store.ts";
export { createSqlUserStore } from "./sql_user_store.ts";
export { migrateReadModels } from "./migrations.ts";
export { type Migration, runMigrations } from "./schema_migrations.ts";
export {
  type SqlDriver,
  type SqlParam,
  type SqlRecord,
  type SqlTx,
  toNumberedPlaceholders,
} from "./sql_driver.ts";
