import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { timeSeriesContract } from "../../core/testing/time_series_contract.ts";
import { createSqliteTimeSeriesStore } from "./sqlite_time_series_store.ts";

const tempDb = async () => `${await Deno.makeTempDir({ prefix: "aiot-ts-" })}/timeseries.db`;

for (const c of timeSeriesContract) {
  Deno.test(`TimeSeriesStore contract [sqlite] › ${c.name}`, async () => {
    const path = await tempDb();
    await c.run({ newStore: () => Promise.resolve(createSqliteTimeSeriesStore(path)) });
  });
}

Deno.test("sqlite time series keeps points, rollups and latest values across a reopen", async () => {
  const path = await tempDb();
  const first = createSqliteTimeSeriesStore(path, { durability: "process" });
  await first.init();
  const points = Array.from(
    { length: 120 },
    (_, i) => ({ deviceId: "d", metric: "m", t: i * 1000, value: i, seq: i }),
  );
  await first.write(points);
  await first.close();

  const reopened = createSqliteTimeSeriesStore(path);
  await reopened.init();
  await reopened.write(points); // a redelivery after the restart still counts nothing twice
  const q = { deviceId: "d", metric: "m", from: 0, to: 3_600_000 };
  assert.equal((await reopened.range(q)).length, 120);
  assert.deepEqual(await reopened.downsample({ ...q, bucketMs: 60_000, agg: "count" }), [
    { t: 0, v: 60 },
    { t: 60_000, v: 60 },
  ]);
  assert.deepEqual(await reopened.latest("d"), [{ metric: "m", t: 119_000, value: 119 }]);
  await reopened.close();
});

Deno.test("sqlite time series uses a database it is given and leaves it open", async () => {
  const db = new DatabaseSync(":memory:");
  const store = createSqliteTimeSeriesStore(db);
  await store.init();
  await store.write([{ deviceId: "d", metric: "m", t: 1, value: "on", seq: 1 }]);
  await store.close();
  assert.ok(db.isOpen);
  assert.deepEqual(db.prepare("SELECT kind, v FROM ts_points").all().map((r) => ({ ...r })), [{
    kind: 2,
    v: "on",
  }]);
  db.close();
});

Deno.test("sqlite time series rolls a failed write back completely", async () => {
  const store = createSqliteTimeSeriesStore(await tempDb());
  await store.init();
  const good = { deviceId: "d", metric: "m", t: 1, value: 1, seq: 1 };
  // A NaN timestamp violates NOT NULL on t after the first point went in: nothing may stay.
  await assert.rejects(() => store.write([good, { ...good, t: NaN }]));
  assert.deepEqual(await store.range({ deviceId: "d", metric: "m", from: 0, to: 10 }), []);
  await store.write([good]);
  assert.deepEqual(
    await store.downsample({ deviceId: "d", metric: "m", from: 0, to: 10, bucketMs: 60_000, agg: "count" }),
    [
      { t: 0, v: 1 },
    ],
  );
  await store.close();
});
