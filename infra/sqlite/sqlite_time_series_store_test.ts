import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { countEventLoopTicks } from "../../core/testing/event_loop_ticks.ts";
import { timeSeriesContract } from "../../core/testing/time_series_contract.ts";
import { downsamplePoints } from "../../core/timeseries/rollup.ts";
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

Deno.test("sqlite downsample reads raw points and rollups in pages and yields to the event loop between them", async () => {
  // 20,000 points a minute apart: 20,000 raw rows for a 7 s bucket, 20,000 rollup rows for 61 min.
  const store = createSqliteTimeSeriesStore(await tempDb(), { durability: "process", pageRows: 1000 });
  await store.init();
  const points = Array.from(
    { length: 20_000 },
    (_, i) => ({ deviceId: "d", metric: "m", t: i * 60_000, value: i % 97, seq: i }),
  );
  await store.write(points);
  const q = { deviceId: "d", metric: "m", from: 0, to: 20_000 * 60_000 };
  const raw = points.map((p) => ({ t: p.t, v: p.value }));
  for (const bucketMs of [7_000, 61 * 60_000]) {
    const ticks = countEventLoopTicks();
    const buckets = await store.downsample({ ...q, bucketMs, agg: "avg" });
    const turns = ticks.stop();
    assert.deepEqual(buckets, downsamplePoints(raw, bucketMs, "avg").slice(0, 10_000), `bucket ${bucketMs}`);
    // 20 pages: the timer gets a turn between them, however fast the machine.
    assert.ok(turns >= 10, `bucket ${bucketMs}: ${turns} event loop turns during the query`);
  }
  await store.close();
});
