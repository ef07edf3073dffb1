import assert from "node:assert/strict";
import { batchOf, readModelsContract } from "../../core/testing/read_models_contract.ts";
import { eventClock } from "../../core/testing/read_model_fixtures.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";
import { withWriteFaults } from "./_write_faults.ts";
import { sqlStoreCases } from "./_sql_store_cases.ts";
import { createSqlReadModelStore } from "./sql_read_model_store.ts";
import { getDeviceState } from "../../core/readmodels/mod.ts";

const tempDb = async () => `${await Deno.makeTempDir({ prefix: "aiot-rm-" })}/readmodels.db`;

for (const c of readModelsContract) {
  Deno.test(`ReadModelStore contract [sqlite] › ${c.name}`, async () => {
    const path = await tempDb();
    await c.run({
      newReadModels: async (faults) => {
        const readModels = createSqlReadModelStore(withWriteFaults(createSqliteSqlDriver({ path }), faults));
        await readModels.migrate();
        return readModels;
      },
    });
  });
}

for (const c of sqlStoreCases.filter((c) => !c.concurrentConnections)) {
  Deno.test(`SQL read-model schema [sqlite] › ${c.name}`, async () => {
    const path = await tempDb();
    await c.run(() => Promise.resolve(createSqliteSqlDriver({ path })));
  });
}

Deno.test("sqlite read models: concurrent project() calls on one driver never interleave", async () => {
  const readModels = createSqlReadModelStore(createSqliteSqlDriver({ path: await tempDb() }));
  await readModels.migrate();
  const c = eventClock();
  const events = Array.from(
    { length: 200 },
    (_, i) => c.event("device.state.reported", "d1", { patch: { i } }),
  );
  const batches = Array.from({ length: 20 }, (_, i) => batchOf(events.slice(i * 10, i * 10 + 10), i * 10));
  const results = await Promise.all([...batches, ...batches].map((b) => readModels.project(b)));
  assert.equal(results.reduce((sum, r) => sum + r.applied, 0), 200);
  assert.equal((await getDeviceState(readModels, "d1"))?.version, 200);
  await readModels.close();
});
