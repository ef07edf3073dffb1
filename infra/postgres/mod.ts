/**
 * @module
 * PostgreSQL adapters: the `SqlDriver` the SQL read models (`infra/readmodels/mod.ts`) run on in
 * production.
 *
 * ```ts
 * import { createPostgresSqlDriver } from "./mod.ts";
 * import { createSqlReadModelStore } from "../readmodels/mod.ts";
 *
 * const readModels = createSqlReadModelStore(await createPostgresSqlDriver({ url: Deno.env.get("AIOT_POSTGRES_URL")! }));
 * await readModels.migrate();
 * ```
 */
export { createPostgresSqlDriver, type PostgresSqlDriverOptions } from "./postgres_sql_driver.ts";
