import assert from "node:assert/strict";
import { batchOf, readModelsContract } from "../../core/testing/read_models_contract.ts";
import { eventClock } from "../../core/testing/read_model_fixtures.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
import { withWriteFaults } from "./_write_faults.ts";
import { migrations, runMigrations } from "./migrations.ts";
import { createSqlReadModels } from "./sql_read_models.ts";

const tempDb = async () => `${await Deno.makeTempDir({ prefix: "aiot-rm-" })}/readmodels.db`;

for (const c of readModelsContract) {
  Deno.test(`ReadModels contract [sqlite] › ${c.name}`, async () => {
    const path = await tempDb();
    await c.run({
      newReadModels: async (faults) => {
        const readModels = createSqlReadModels(withWriteFaults(createSqliteSqlDriver({ path }), faults));
        await readModels.migrate();
        return readModels;
      },
    });
  });
}

Deno.test("sqlite read models: migrate() records each version once and rows survive a reopen", async () => {
  const path = await tempDb();
  const first = createSqliteSqlDriver({ path });
  assert.deepEqual(await runMigrations(first), migrations.map((m) => m.version));
  assert.deepEqual(await runMigrations(first), []);
  const readModels = createSqlReadModels(first);
  const c = eventClock();
  await readModels.project(batchOf([c.event("device.registered", "d1", { labels: { a: "b" } })], 0));
  await readModels.close();

  const second = createSqliteSqlDriver({ path });
  const reopened = createSqlReadModels(second);
  await reopened.migrate();
  assert.deepEqual((await reopened.getDevice("d1"))?.labels, { a: "b" });
  assert.equal(await reopened.checkpoint("readmodels", "aiot.device", 0), 1);
  const versions = await second.query<{ version: number }>("SELECT version FROM schema_migrations");
  assert.deepEqual(versions.map((v) => Number(v.version)), [1]);
  await reopened.close();
});

Deno.test("sqlite read models: concurrent project() calls on one driver never interleave", async () => {
  const readModels = createSqlReadModels(createSqliteSqlDriver({ path: await tempDb() }));
  await readModels.migrate();
  const c = eventClock();
  const events = Array.from(
    { length: 200 },
    (_, i) => c.event("device.state.reported", "d1", { patch: { i } }),
  );
  const batches = Array.from({ length: 20 }, (_, i) => batchOf(events.slice(i * 10, i * 10 + 10), i * 10));
  const results = await Promise.all([...batches, ...batches].map((b) => readModels.project(b)));
  assert.equal(results.reduce((sum, r) => sum + r.applied, 0), 200);
  assert.equal((await readModels.getDeviceState("d1"))?.version, 200);
  await readModels.close();
});
