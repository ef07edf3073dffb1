/**
 * The SQL user store against SQLite (a temp file) and a real PostgreSQL (`AIOT_TEST_POSTGRES_URL`,
 * a schema per run, dropped by the last test). An unreachable PostgreSQL fails: never a skip.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { userStoreContract } from "../../core/testing/user_store_contract.ts";
import { createPostgresSqlDriver } from "../postgres/postgres_sql_driver.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
import { createSqlReadModelStore } from "./sql_read_model_store.ts";
import { createSqlUserStore } from "./sql_user_store.ts";

const dir = await Deno.makeTempDir({ prefix: "aiot-users-" });
let files = 0;

async function sqliteStore() {
  const store = createSqlUserStore(createSqliteSqlDriver({ path: `${dir}/users-${files++}.db` }));
  await store.migrate();
  return store;
}

for (const c of userStoreContract) {
  Deno.test(`UserStore contract [sqlite] › ${c.name}`, () => c.run(sqliteStore));
}

Deno.test("sqlite user store shares a database with the read models; clear() keeps users", async () => {
  const path = `${dir}/shared.db`;
  const readModels = createSqlReadModelStore(createSqliteSqlDriver({ path }));
  const users = createSqlUserStore(createSqliteSqlDriver({ path }));
  try {
    await readModels.migrate();
    await users.migrate();
    await users.migrate();
    await users.createUser({
      username: "ann",
      role: "admin",
      password: { algorithm: "scrypt", hash: "x" },
      createdAt: new Date(0).toISOString(),
    });
    await readModels.migrate();
    await readModels.clear();
    assert.equal((await users.getUser("ann"))?.role, "admin");
  } finally {
    await Promise.all([readModels.close(), users.close()]);
  }
});

const url = Deno.env.get("AIOT_TEST_POSTGRES_URL") ?? "postgres://aiot:aiot@127.0.0.1:15432/aiot";
const schema = `users_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

/** The schema name is generated here, never taken from input. */
async function admin(statement: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function postgresStore() {
  const store = createSqlUserStore(await createPostgresSqlDriver({ url, searchPath: schema }));
  await store.migrate();
  for (const table of ["users", "auth_tokens", "audit_log"]) await admin(`DELETE FROM ${schema}.${table}`);
  return store;
}

let schemaReady: Promise<void> | undefined;
for (const c of userStoreContract) {
  Deno.test(`UserStore contract [postgres] › ${c.name}`, async () => {
    await (schemaReady ??= admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
    await c.run(postgresStore);
  });
}

Deno.test("postgres user store: drop the test schema", async () => {
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Deno.remove(dir, { recursive: true });
});
