// A MongoDB write is three steps without a transaction (see _mongo_write.ts). These tests stop a
// write after each step, as a crash would, deliver the batch again and check that the rollups and
// latest values count every point exactly once. Real FerretDB at AIOT_TEST_MONGO_URL.
import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import {
  assertBucketsClose,
  batchesOf,
  bruteForceDownsample,
  expectedRange,
  randomHistory,
  seededRandom,
} from "../../core/testing/time_series_samples.ts";
import {
  AGGREGATIONS,
  type MetricPoint,
  type TimeSeriesStore,
} from "../../core/timeseries/time_series_store.ts";
import { openCollections, type PointsLayout, type TimeSeriesCollections } from "./_mongo_collections.ts";
import { atomicConditionalUpdates, MONGO_URL, withDatabase } from "./_mongo_test_support.ts";
import { applyLatest, applyRollups, firstPerKey, storePoints } from "./_mongo_write.ts";
import { createMongoTimeSeriesStore } from "./mongo_time_series_store.ts";

const T0 = Date.UTC(2024, 0, 1, 5, 17);
const MIN = 60_000;

/** Checks range, every aggregation at 1 min, 5 min, 1 h and 1 day, and latest against `points`. */
async function assertExactlyOnce(store: TimeSeriesStore, points: MetricPoint[], context: string) {
  const keys = new Set(points.map((p) => `${p.deviceId}\n${p.metric}`));
  for (const key of keys) {
    const [deviceId, metric] = key.split("\n") as [string, string];
    const q = { deviceId, metric, from: T0 - 86_400_000, to: T0 + 3 * 86_400_000 };
    assert.deepEqual(
      await store.range({ ...q, limit: 100_000 }),
      expectedRange(points, deviceId, metric, q.from, q.to),
    );
    for (const bucketMs of [MIN, 5 * MIN, 3_600_000, 86_400_000]) {
      for (const agg of AGGREGATIONS) {
        const query = { ...q, bucketMs, agg };
        assertBucketsClose(
          await store.downsample(query),
          bruteForceDownsample(points, query),
          `${context} ${key}`,
        );
      }
    }
  }
  for (const deviceId of new Set(points.map((p) => p.deviceId))) {
    const newest = new Map<string, MetricPoint>();
    for (const p of points) {
      if (p.deviceId === deviceId && p.t > (newest.get(p.metric)?.t ?? -Infinity)) newest.set(p.metric, p);
    }
    const expected = [...newest.values()].sort((a, b) => (a.metric < b.metric ? -1 : 1))
      .map((p) => ({ metric: p.metric, t: p.t, value: p.value }));
    assert.deepEqual(await store.latest(deviceId), expected, context);
  }
}

/** Runs `fn` with a store and the raw collections of one fresh database. */
function withCollections(
  layout: PointsLayout,
  fn: (store: TimeSeriesStore, c: TimeSeriesCollections, database: string) => Promise<void>,
) {
  return withDatabase(async (database) => {
    const store = createMongoTimeSeriesStore({ url: MONGO_URL, database, layout });
    const client = new MongoClient(MONGO_URL);
    try {
      await store.init();
      const c = await openCollections(client.db(database), {
        prefix: "ts_",
        layout,
        retentionSeconds: undefined,
        guardedUpdates: undefined,
      });
      await fn(store, c, database);
    } finally {
      await store.close();
      await client.close();
    }
  });
}

for (const layout of ["plain", "insert-only"] as const) {
  Deno.test(`mongo time series [${layout}] counts a batch once when a crash stopped its first delivery`, () =>
    withCollections(layout, async (store, c) => {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const random = seededRandom(seed);
      const points = randomHistory({
        random,
        devices: ["dev-a", "dev-b"],
        metrics: ["temp", "mode"],
        points: 700,
        start: T0,
        spanMs: 86_400_000,
      });
      const batches = batchesOf(points, 70);
      const crashes: ((batch: MetricPoint[]) => Promise<void>)[] = [
        // Raw points stored, nothing rolled up.
        (batch) => storePoints(c, firstPerKey(batch)).then(() => {}),
        // Only some raw points stored.
        (batch) => storePoints(c, firstPerKey(batch.slice(0, batch.length >> 1))).then(() => {}),
        // Rollups of one device written, the other's and all latest values not.
        async (batch) => {
          const belonging = await storePoints(c, firstPerKey(batch));
          await applyRollups(c, belonging.filter((p) => p.deviceId === "dev-a"));
        },
        // Everything but the latest values.
        async (batch) => await applyRollups(c, await storePoints(c, firstPerKey(batch))),
        // Everything: a crash before the offset commit.
        async (batch) => {
          const belonging = await storePoints(c, firstPerKey(batch));
          await applyRollups(c, belonging);
          await applyLatest(c, belonging);
        },
      ];
      for (const [i, batch] of batches.entries()) {
        const crash = crashes[i % (crashes.length + 1)];
        if (crash) await crash(batch);
        await store.write(batch); // the redelivery after the restart
      }
      await assertExactlyOnce(store, points, `seed ${seed}`);
    }));
}

// Needs atomic conditional updates, which FerretDB v1 lacks (see `atomicConditionalUpdates`): on
// FerretDB the store runs unguarded, and this runs against real MongoDB only.
Deno.test({
  name:
    "mongo time series with guarded updates counts once when two writers run one device's batches at once",
  ignore: !(await atomicConditionalUpdates()),
  fn: () => concurrentWriters(),
});

function concurrentWriters() {
  return withDatabase(async (database) => {
    const open = () => createMongoTimeSeriesStore({ url: MONGO_URL, database, guardedUpdates: true });
    const [owner, zombie] = [open(), open()];
    try {
      await owner.init();
      await zombie.init();
      const written: MetricPoint[] = [];
      let seq = 0;
      const batch = (start: number) =>
        Array.from({ length: 15 }, (_, i) => ({
          deviceId: "dev",
          metric: "temp",
          t: T0 + (start + i) * 20_000,
          value: (start + i) % 7,
          seq: ++seq,
        }));
      for (let round = 0; round < 6; round++) {
        const k = batch(round * 30);
        const next = batch(round * 30 + 15);
        written.push(...k, ...next);
        // The zombie still writes batch k while the new owner writes k again and then k + 1.
        await Promise.all([
          zombie.write(k),
          owner.write(k).then(() => owner.write(next)),
        ]);
      }
      await assertExactlyOnce(owner, written, "concurrent writers");
    } finally {
      await owner.close();
      await zombie.close();
    }
  });
}

for (const guardedUpdates of [true, false]) {
  Deno.test(
    `mongo time series ${guardedUpdates ? "with" : "without"} guarded updates: a stale writer ${
      guardedUpdates ? "merges again" : "overwrites a newer rollup"
    }`,
    () =>
      withCollections("plain", async (store, c) => {
        const point = (i: number) => ({
          deviceId: "dev",
          metric: "temp",
          t: T0 + i * 1000,
          value: i,
          seq: i,
        });
        const [before, k, next] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]].map((seqs) =>
          seqs.map(point)
        ) as MetricPoint[][];
        const guarded = { ...c, guardedUpdates };
        await store.write(before!);
        await storePoints(guarded, firstPerKey(k!));
        // The zombie reads the rollups, then stalls before writing until the owner wrote k and next.
        let release!: () => void;
        const owner = new Promise<void>((resolve) => (release = resolve));
        const stalled = new Proxy(c.rollups, {
          get: (target, name, receiver) =>
            name === "bulkWrite"
              ? async (...args: unknown[]) => {
                await owner;
                return (target.bulkWrite as (...a: unknown[]) => unknown).apply(target, args);
              }
              : Reflect.get(target, name, receiver),
        });
        const zombie = applyRollups({ ...guarded, rollups: stalled }, k!);
        await new Promise((r) => setTimeout(r, 100)); // the zombie has read by now
        await applyRollups(guarded, k!);
        await applyRollups(guarded, await storePoints(guarded, firstPerKey(next!)));
        release();
        await zombie;
        const q = {
          deviceId: "dev",
          metric: "temp",
          from: 0,
          to: T0 + 86_400_000,
          bucketMs: 60_000,
          agg: "sum" as const,
        };
        const sum = (await store.downsample(q))[0]?.v;
        if (guardedUpdates) assert.equal(sum, 45);
        else {assert.equal(
            sum,
            21,
            "without the guard the stale write replaces the newer rollup (k counted, next lost)",
          );}
      }),
  );
}
