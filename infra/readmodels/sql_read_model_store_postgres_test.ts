/**
 * The SQL read models against a real PostgreSQL (`AIOT_TEST_POSTGRES_URL`, started by
 * `infra/local/engines.sh`). Each run works in its own schema, dropped by the last test. An
 * unreachable server fails the tests: it is never a reason to skip them.
 */
import assert from "node:assert/strict";
import { InfrastructureError } from "../../core/errors.ts";
import { batchOf, readModelsContract } from "../../core/testing/read_models_contract.ts";
import { eventClock } from "../../core/testing/read_model_fixtures.ts";
import { createPostgresSqlDriver } from "../postgres/postgres_sql_driver.ts";
import { withWriteFaults } from "./_write_faults.ts";
import { sqlStoreCases } from "./_sql_store_cases.ts";
import { createSqlReadModelStore } from "./sql_read_model_store.ts";
import { getDeviceState } from "../../core/readmodels/mod.ts";
import { adminSql, testPostgresUrl } from "../postgres/_test_postgres.ts";

const url = testPostgresUrl;
const run = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
const schema = `rm_test_${run}`;
const migrateSchema = `rm_test_${run}_migrate`;

const admin = (statements: string[]) => adminSql(...statements);

const driverIn = (searchPath: string) => createPostgresSqlDriver({ url, searchPath });

let schemaReady: Promise<void> | undefined;
const ensureSchema = () => (schemaReady ??= admin([`CREATE SCHEMA IF NOT EXISTS ${schema}`]));

for (const c of readModelsContract) {
  Deno.test(`ReadModelStore contract [postgres] › ${c.name}`, async () => {
    await ensureSchema();
    await c.run({
      newReadModels: async (faults) => {
        const readModels = createSqlReadModelStore(withWriteFaults(await driverIn(schema), faults));
        await readModels.migrate();
        await readModels.clear();
        return readModels;
      },
    });
  });
}

let schemas = 0;
for (const c of sqlStoreCases) {
  Deno.test(`SQL read-model schema [postgres] › ${c.name}`, async () => {
    const own = `${migrateSchema}_${++schemas}`;
    await admin([`CREATE SCHEMA ${own}`]);
    try {
      await c.run(() => driverIn(own));
    } finally {
      await admin([`DROP SCHEMA IF EXISTS ${own} CASCADE`]);
    }
  });
}

Deno.test("postgres read models: two projectors of one partition apply a batch exactly once", async () => {
  await ensureSchema();
  const [one, two] = [
    createSqlReadModelStore(await driverIn(schema)),
    createSqlReadModelStore(await driverIn(schema)),
  ];
  try {
    await one.migrate();
    await one.clear();
    const c = eventClock();
    const events = Array.from(
      { length: 300 },
      (_, i) => c.event("device.state.reported", `d${i % 7}`, { patch: { i } }),
    );
    const batch = batchOf(events, 0);
    const results = await Promise.all([
      one.project(batch),
      two.project(batch),
      one.project(batchOf(events.slice(100), 100)),
    ]);
    assert.equal(results.reduce((sum, r) => sum + r.applied, 0), 300);
    const versions = await Promise.all(Array.from({ length: 7 }, (_, i) => getDeviceState(two, `d${i}`)));
    assert.equal(versions.reduce((sum, s) => sum + (s?.version ?? 0), 0), 300);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});

Deno.test("postgres driver: an unreachable server is a retriable InfrastructureError", async () => {
  const error = await createPostgresSqlDriver({
    url: "postgres://aiot:secret@127.0.0.1:1/aiot",
    connectTimeoutSeconds: 2,
  })
    .then(() => undefined, (e) => e);
  assert.ok(error instanceof InfrastructureError, `expected an InfrastructureError, got ${error}`);
  assert.equal(error.retriable, true);
  assert.ok(!error.message.includes("secret"), "the password is redacted");
});

Deno.test("postgres read models: drop the test schemas", async () => {
  await admin([`DROP SCHEMA IF EXISTS ${schema} CASCADE`, `DROP SCHEMA IF EXISTS ${migrateSchema} CASCADE`]);
});
