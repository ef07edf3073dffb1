/**
 * The SQL processor state store against SQLite (temp files) and a real PostgreSQL
 * (`AIOT_TEST_POSTGRES_URL`, a schema per run, dropped by the last test).
 */
import { processorStateStoreContract } from "../../core/testing/processor_state_store_contract.ts";
import { createPostgresSqlDriver } from "../postgres/postgres_sql_driver.ts";
import { adminSql, scratchSchemaName, testPostgresUrl } from "../postgres/_test_postgres.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
import { createSqlProcessorStateStore } from "./sql_processor_state_store.ts";

const dir = await Deno.makeTempDir({ prefix: "aiot-state-" });
let files = 0;

for (
  const { name, fn } of processorStateStoreContract(() =>
    Promise.resolve({
      store: createSqlProcessorStateStore(createSqliteSqlDriver({ path: `${dir}/state-${files++}.db` })),
    })
  )
) {
  Deno.test(`sql processor state [sqlite]: ${name}`, fn);
}

const schema = scratchSchemaName("state_test");
let schemaReady: Promise<void> | undefined;
for (
  const { name, fn } of processorStateStoreContract(async () => {
    await (schemaReady ??= adminSql(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
    const store = createSqlProcessorStateStore(
      await createPostgresSqlDriver({ url: testPostgresUrl, searchPath: schema }),
    );
    await store.migrate();
    await adminSql(`DELETE FROM ${schema}.processor_state`, `DELETE FROM ${schema}.processor_positions`);
    return { store };
  })
) {
  Deno.test(`sql processor state [postgres]: ${name}`, fn);
}

Deno.test("sql processor state [postgres]: drop the test schema", async () => {
  await adminSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Deno.remove(dir, { recursive: true });
});
