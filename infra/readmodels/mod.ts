/**
 * @module
 * The SQL `ReadModels` adapter: one code path for SQLite (`infra/sqlite/sqlite_sql_driver.ts`)
 * and PostgreSQL (`infra/postgres/mod.ts`) over the thin `SqlDriver` dialect layer, with
 * versioned migrations.
 *
 * ```ts
 * import { createSqlReadModels } from "./mod.ts";
 * import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
 *
 * const readModels = createSqlReadModels(createSqliteSqlDriver({ path: "./data/readmodels.db" }));
 * await readModels.migrate();
 * ```
 */
export { createSqlReadModels } from "./sql_read_models.ts";
export { createSqlUserStore } from "./sql_user_store.ts";
export { type Migration, migrations, runMigrations } from "./migrations.ts";
export {
  type SqlDriver,
  type SqlParam,
  type SqlRecord,
  type SqlTx,
  toNumberedPlaceholders,
} from "./sql_driver.ts";
