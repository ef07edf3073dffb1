/**
 * The SQL webhook store against SQLite (a temp file, shared with the user store as in production)
 * and a real PostgreSQL (`AIOT_TEST_POSTGRES_URL`, a schema per run, dropped by the last test).
 * An unreachable PostgreSQL fails: never a skip.
 */
import assert from "node:assert/strict";
import { webhookStoreContract } from "../../core/testing/webhook_store_contract.ts";
import { createPostgresSqlDriver } from "../postgres/postgres_sql_driver.ts";
import { adminSql, scratchSchemaName, testPostgresUrl } from "../postgres/_test_postgres.ts";
import { createSqlUserStore } from "../readmodels/sql_user_store.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
import { createSqlWebhookStore, webhookMigrations } from "./sql_webhook_store.ts";
import { userMigrations } from "../readmodels/user_migrations.ts";
import { deviceIdClaimMigrations } from "../readmodels/sql_device_id_claims.ts";

const dir = await Deno.makeTempDir({ prefix: "aiot-webhooks-" });
let files = 0;

async function sqliteStore(path = `${dir}/webhooks-${files++}.db`) {
  const store = createSqlWebhookStore(createSqliteSqlDriver({ path }));
  await store.migrate();
  return store;
}

for (const c of webhookStoreContract) {
  Deno.test(`WebhookStore contract [sqlite] › ${c.name}`, () => c.run(() => sqliteStore()));
}

Deno.test("sqlite webhook store shares the users database; migrating either twice is a no-op", async () => {
  const path = `${dir}/users.db`;
  const users = createSqlUserStore(createSqliteSqlDriver({ path }));
  await users.migrate();
  const webhooks = await sqliteStore(path);
  try {
    await webhooks.migrate();
    await users.migrate();
    assert.deepEqual(await webhooks.listEndpoints(), []);
    assert.deepEqual(await users.listUsers(), []);
  } finally {
    await Promise.all([webhooks.close(), users.close()]);
  }
});

Deno.test("webhook migrations keep clear of the other versions recorded in the users database", () => {
  const others = new Set([...userMigrations, ...deviceIdClaimMigrations].map((m) => m.version));
  for (const { version } of webhookMigrations) assert.ok(!others.has(version), `version ${version} is taken`);
});

const schema = scratchSchemaName("webhooks_test");
let schemaReady: Promise<void> | undefined;

async function postgresStore() {
  await (schemaReady ??= adminSql(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  const store = createSqlWebhookStore(
    await createPostgresSqlDriver({ url: testPostgresUrl, searchPath: schema }),
  );
  await store.migrate();
  await adminSql(`DELETE FROM ${schema}.webhook_deliveries`, `DELETE FROM ${schema}.webhook_endpoints`);
  return store;
}

for (const c of webhookStoreContract) {
  Deno.test(`WebhookStore contract [postgres] › ${c.name}`, () => c.run(postgresStore));
}

Deno.test("postgres webhook store: drop the test schema", async () => {
  await adminSql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Deno.remove(dir, { recursive: true });
});
