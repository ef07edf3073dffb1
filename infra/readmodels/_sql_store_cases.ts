/**
 * Schema cases every SQL engine runs (SQLite and PostgreSQL test files register them with their
 * own driver factory): per-model migrations, adoption of a pre-registry database, and a changed
 * projection version marking only its model stale.
 */
import assert from "node:assert/strict";
import { defineReadModel } from "../../core/readmodels/define.ts";
import { getDevice, listDevices } from "../../core/readmodels/devices/queries.ts";
import { listDeviceMetrics } from "../../core/readmodels/device_metrics/queries.ts";
import { getDeviceState } from "../../core/readmodels/device_states/queries.ts";
import { readModels } from "../../core/readmodels/registry.ts";
import { batchOf } from "../../core/testing/read_models_contract.ts";
import { eventClock } from "../../core/testing/read_model_fixtures.ts";
import type { SqlDriver } from "./sql_driver.ts";
import { createSqlReadModelStore } from "./sql_read_model_store.ts";

export interface SqlStoreCase {
  name: string;
  /**
   * Needs two connections working at once: PostgreSQL only (SQLite connections of one thread
   * block each other synchronously; several processes serialise on the file lock instead).
   */
  concurrentConnections?: boolean;
  /** `newDriver()` opens another connection to the same, initially empty, database. */
  run(newDriver: () => Promise<SqlDriver>): Promise<void>;
}

/** The schema before the registry: one `schema_migrations` version and one checkpoint per partition. */
const LEGACY_SCHEMA = [
  `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`,
  `INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.000Z')`,
  `CREATE TABLE read_model_checkpoints (
    processor TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset BIGINT NOT NULL,
    PRIMARY KEY (processor, topic, partition))`,
  // The four models the pre-registry schema had; later models are new beside its data.
  ...readModels.filter((m) => ["devices", "device_states", "commands", "dlq"].includes(m.name)).flatMap((m) =>
    m.migrations[0]!.statements.map((s) => s.replaceAll("{key}", "TEXT"))
  ),
];

export const sqlStoreCases: SqlStoreCase[] = [
  {
    name: "migrate() applies each model's migrations once; rows and checkpoints survive a reopen",
    async run(newDriver) {
      const first = createSqlReadModelStore(await newDriver());
      const statuses = await first.migrate();
      assert.deepEqual(statuses.map((s) => [s.name, s.status]), readModels.map((m) => [m.name, "ready"]));
      assert.deepEqual(await first.migrate(), statuses);
      const c = eventClock();
      await first.project(batchOf([c.event("device.registered", "d1", { labels: { a: "b" } })], 0));
      await first.close();
      const driver = await newDriver();
      const reopened = createSqlReadModelStore(driver);
      await reopened.migrate();
      assert.deepEqual((await getDevice(reopened, "d1"))?.labels, { a: "b" });
      assert.equal(await reopened.checkpoint("readmodels", "aiot.device", 0), 1);
      const applied = await driver.query<{ model: unknown; version: unknown }>(
        "SELECT model, version FROM read_model_migrations ORDER BY model",
      );
      assert.deepEqual(
        applied.map((r) => `${r.model}:${Number(r.version)}`),
        readModels.flatMap((m) => m.migrations.map((step) => `${m.name}:${step.version}`)).sort(),
      );
      await reopened.close();
    },
  },
  {
    name: "a pre-registry database is adopted in place; the new model is stale until rebuilt",
    async run(newDriver) {
      const driver = await newDriver();
      await driver.transaction(async (tx) => {
        for (const statement of LEGACY_SCHEMA) await tx.query(statement);
        await tx.query(
          `INSERT INTO devices (id, labels, status, created_at, updated_at) VALUES ('old', '{"k":"v"}', 'active', 'x', 'x')`,
        );
        await tx.query(`INSERT INTO device_labels VALUES ('old', 'k', 'v')`);
        await tx.query(`INSERT INTO read_model_checkpoints VALUES ('readmodels', 'aiot.device', 0, 40)`);
      });
      const store = createSqlReadModelStore(driver);
      const statuses = await store.migrate();
      assert.deepEqual(
        statuses.filter((s) => s.status === "stale").map((s) => s.name),
        // Every model the legacy schema did not have (device_metrics onwards).
        readModels.map((m) => m.name).filter((name) =>
          !["devices", "device_states", "commands", "dlq"].includes(name)
        ),
      );
      assert.deepEqual(
        (await listDevices(store, { label: { key: "k", value: "v" } })).items.map((d) => d.id),
        [
          "old",
        ],
      );
      const c = eventClock();
      // Below the adopted checkpoint: skipped by the four old models, applied by the new one.
      const result = await store.project(batchOf([c.event("telemetry.reported", "old", {
        values: [{ name: "t", value: 1, ts: 1 }],
      })], 39));
      assert.deepEqual(result, { applied: 1, skipped: 0 });
      assert.equal(await getDeviceState(store, "old"), undefined);
      assert.deepEqual((await listDeviceMetrics(store, "old")).map((m) => m.count), [1]);
      for (const { name, status } of statuses) if (status === "stale") await store.markReady(name);
      assert.ok((await store.migrate()).every((s) => s.status === "ready"));
      await store.close();
    },
  },
  {
    name: "a changed projection version marks only that model stale; clear([name]) empties only it",
    async run(newDriver) {
      const store = createSqlReadModelStore(await newDriver());
      await store.migrate();
      const c = eventClock();
      await store.project(batchOf([
        c.event("device.registered", "d1", {}),
        c.event("telemetry.reported", "d1", { values: [{ name: "t", value: 1, ts: 1 }] }),
      ], 0));
      await store.close();
      const [metrics] = readModels.filter((m) => m.name === "device_metrics");
      const bumped = readModels.map((
        m,
      ) => (m === metrics ? defineReadModel({ ...m, eventTypes: [...m.eventTypes], version: 2 }) : m));
      const next = createSqlReadModelStore(await newDriver(), bumped);
      assert.deepEqual(
        (await next.migrate()).filter((s) => s.status === "stale").map((s) => s.name),
        ["device_metrics"],
      );
      await next.clear(["device_metrics"]);
      assert.deepEqual(await listDeviceMetrics(next, "d1"), []);
      assert.ok(await getDevice(next, "d1"));
      assert.equal(
        await next.checkpoint("readmodels", "aiot.device", 0),
        undefined,
        "a model without checkpoint",
      );
      await next.project(batchOf([c.event("device.updated", "d1", { name: "n" })], 2), {
        models: ["devices"],
      });
      assert.equal((await getDevice(next, "d1"))?.name, "n");
      await next.markReady("device_metrics");
      assert.ok((await next.migrate()).every((s) => s.status === "ready"));
      await next.close();
    },
  },
  {
    name: "concurrent migrate() from two connections applies each migration once",
    concurrentConnections: true,
    async run(newDriver) {
      const [a, b] = await Promise.all([newDriver(), newDriver()]);
      const [one, two] = [createSqlReadModelStore(a), createSqlReadModelStore(b)];
      try {
        await Promise.all([one.migrate(), two.migrate()]);
        const rows = await a.query("SELECT model FROM read_model_migrations");
        assert.equal(rows.length, readModels.reduce((sum, m) => sum + m.migrations.length, 0));
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
    },
  },
];
