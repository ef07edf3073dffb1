/**
 * The one contract every TimeSeriesStore passes: the in-memory fake, SQLite and MongoDB/FerretDB.
 * Each adapter's test file registers the cases with its own factory:
 *
 * ```ts
 * for (const c of timeSeriesContract) Deno.test(`TimeSeriesStore contract [sqlite] › ${c.name}`, () => c.run(factory));
 * ```
 */
import assert from "node:assert/strict";
import {
  type Aggregation,
  AGGREGATIONS,
  type MetricPoint,
  type TimeSeriesStore,
} from "../timeseries/time_series_store.ts";
import {
  assertBucketsClose,
  batchesOf,
  bruteForceDownsample,
  expectedRange,
  randomHistory,
  seededRandom,
} from "./time_series_samples.ts";

export interface TimeSeriesStoreFactory {
  /** A new store, not yet initialised; the contract calls `init()` and `close()`. */
  newStore(): Promise<TimeSeriesStore>;
}

export interface TimeSeriesContractCase {
  name: string;
  run(factory: TimeSeriesStoreFactory): Promise<void>;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Bucket widths the random case checks: rollup-backed ones and one (30 s) that needs raw points. */
export const CONTRACT_BUCKETS = [30_000, MIN, 5 * MIN, HOUR, 6 * HOUR, DAY];
/** A Monday, 00:00 UTC. */
const T0 = Date.UTC(2024, 0, 1);

const uniqueDevice = (label: string) => `contract-${label}-${crypto.randomUUID().slice(0, 8)}`;

async function withStore(factory: TimeSeriesStoreFactory, fn: (store: TimeSeriesStore) => Promise<void>) {
  const store = await factory.newStore();
  try {
    await store.init();
    await fn(store);
  } finally {
    await store.close();
  }
}

const point = (deviceId: string, metric: string, t: number, value: MetricPoint["value"], seq = 1) => ({
  deviceId,
  metric,
  t,
  value,
  seq,
});

/** Every aggregation of every contract bucket width over [from, to). */
async function allDownsamples(
  store: TimeSeriesStore,
  deviceId: string,
  metric: string,
  from: number,
  to: number,
) {
  const out: Record<string, unknown> = {};
  for (const bucketMs of CONTRACT_BUCKETS) {
    for (const agg of AGGREGATIONS) {
      out[`${bucketMs}/${agg}`] = await store.downsample({ deviceId, metric, from, to, bucketMs, agg });
    }
  }
  return out;
}

export const timeSeriesContract: TimeSeriesContractCase[] = [
  {
    name: "write() then range() keeps each value's type: numbers, booleans and strings",
    run: (f) =>
      withStore(f, async (store) => {
        await store.init(); // idempotent
        const device = uniqueDevice("types");
        const values = [21.5, "21.5", true, false, 0, -7, 42, 2 ** 40 + 0.5, "", "true", "Grüße 🌡️"];
        await store.write(values.map((v, i) => point(device, "mixed", T0 + i * 1000, v, i)));
        await store.write([]);
        const got = await store.range({ deviceId: device, metric: "mixed", from: T0, to: T0 + DAY });
        assert.deepStrictEqual(got, values.map((v, i) => ({ t: T0 + i * 1000, v })));
        // Ids with the key separator stay apart.
        await store.write([point(`${device}|x`, "a", T0, 1), point(device, "x|a", T0, 2)]);
        assert.deepEqual(await store.range({ deviceId: `${device}|x`, metric: "a", from: T0, to: T0 + 1 }), [
          { t: T0, v: 1 },
        ]);
        assert.deepEqual(await store.range({ deviceId: device, metric: "x|a", from: T0, to: T0 + 1 }), [
          { t: T0, v: 2 },
        ]);
        assert.deepEqual(await store.range({ deviceId: device, metric: "nothing", from: 0, to: T0 * 2 }), []);
      }),
  },
  {
    name: "range() includes from, excludes to and returns at most limit points, oldest first",
    run: (f) =>
      withStore(f, async (store) => {
        const device = uniqueDevice("range");
        const times = Array.from({ length: 50 }, (_, i) => T0 + i * 10_000).reverse();
        await store.write(times.map((t, i) => point(device, "temp", t, t / 1000, i)));
        const q = { deviceId: device, metric: "temp" };
        const got = await store.range({ ...q, from: T0 + 10_000, to: T0 + 100_000 });
        assert.deepEqual(got.map((p) => p.t), Array.from({ length: 9 }, (_, i) => T0 + (i + 1) * 10_000));
        const limited = await store.range({ ...q, from: T0, to: T0 + DAY, limit: 5 });
        assert.deepEqual(limited.map((p) => p.t), [0, 1, 2, 3, 4].map((i) => T0 + i * 10_000));
        assert.deepEqual(await store.range({ ...q, from: T0 + 5, to: T0 + 10_000 }), []);
      }),
  },
  {
    name: "writing points again (also overlapping batches with other values) changes nothing",
    run: (f) =>
      withStore(f, async (store) => {
        const device = uniqueDevice("idem");
        const first = Array.from(
          { length: 300 },
          (_, i) => point(device, "temp", T0 + i * 17_000, i % 37, i),
        );
        await store.write(first);
        const q = { deviceId: device, metric: "temp", from: T0 - DAY, to: T0 + 2 * DAY };
        const before = {
          range: await store.range(q),
          down: await allDownsamples(store, device, "temp", q.from, q.to),
        };
        assert.equal(before.range.length, 300);
        await store.write(first); // redelivery of the whole batch
        await store.write(first.slice(100, 200)); // a batch that overlaps
        // Same keys from later events with other values: the first write wins.
        await store.write(first.slice(150, 250).map((p) => ({ ...p, value: 1000, seq: p.seq + 1000 })));
        await store.write([...first.slice(0, 10), ...first.slice(0, 10)]);
        assert.deepEqual(await store.range(q), before.range);
        assert.deepEqual(await allDownsamples(store, device, "temp", q.from, q.to), before.down);
        const latest = await store.latest(device);
        assert.deepEqual(latest, [{ metric: "temp", t: T0 + 299 * 17_000, value: 299 % 37 }]);
      }),
  },
  {
    name:
      "downsample() equals a brute-force aggregation of random raw points for every bucket and aggregation",
    run: (f) =>
      withStore(f, async (store) => {
        const seed = Math.floor(Math.random() * 2 ** 31);
        const random = seededRandom(seed);
        const devices = [uniqueDevice("rand-a"), uniqueDevice("rand-b"), uniqueDevice("rand-c")];
        const metrics = ["temp", "power", "mode"];
        const start = T0 + 7 * HOUR + 12_345;
        const points = randomHistory({ random, devices, metrics, points: 3000, start, spanMs: 3 * DAY });
        const batches = batchesOf(points, 200, random);
        for (const batch of batches) await store.write(batch);
        // Redelivery of some batches must not change any aggregate.
        for (const batch of batches) if (random() < 0.2) await store.write(batch);
        const ranges = [
          { from: start - DAY, to: start + 4 * DAY },
          { from: start + Math.floor(random() * DAY), to: start + DAY + Math.floor(random() * 2 * DAY) },
        ];
        // Every aggregation of every bucket for two series (one of them mostly non-numeric); one
        // random aggregation per bucket for the others: the aggregation math is shared, the
        // bucket selection and merging are what differ between adapters.
        const thorough = new Set([`${devices[0]}/temp`, `${devices[1]}/mode`]);
        for (const deviceId of devices) {
          for (const metric of metrics) {
            const context = (q: object) => `seed ${seed}, ${JSON.stringify(q)}`;
            const all = { deviceId, metric, ...ranges[0]!, limit: 100_000 };
            assert.deepEqual(
              await store.range(all),
              expectedRange(points, deviceId, metric, all.from, all.to),
            );
            for (const bucketMs of CONTRACT_BUCKETS) {
              for (const [i, range] of ranges.entries()) {
                const aggs: Aggregation[] = i === 0 && thorough.has(`${deviceId}/${metric}`)
                  ? [...AGGREGATIONS]
                  : [AGGREGATIONS[Math.floor(random() * AGGREGATIONS.length)]!];
                for (const agg of aggs) {
                  const q = { deviceId, metric, ...range, bucketMs, agg };
                  assertBucketsClose(await store.downsample(q), bruteForceDownsample(points, q), context(q));
                }
              }
            }
          }
        }
      }),
  },
  {
    name: "downsample() counts a bucket when its start is in [from, to), with all of its points",
    run: (f) =>
      withStore(f, async (store) => {
        const device = uniqueDevice("edges");
        // One point per 10 minutes over 4 hours: values 0..23.
        await store.write(
          Array.from({ length: 24 }, (_, i) => point(device, "temp", T0 + i * 10 * MIN, i, i)),
        );
        const q = { deviceId: device, metric: "temp", bucketMs: HOUR, agg: "sum" as const };
        // from inside hour 0 skips it; to inside hour 2 includes hour 2 whole.
        assert.deepEqual(await store.downsample({ ...q, from: T0 + 1, to: T0 + 2 * HOUR + 1 }), [
          { t: T0 + HOUR, v: 6 + 7 + 8 + 9 + 10 + 11 },
          { t: T0 + 2 * HOUR, v: 12 + 13 + 14 + 15 + 16 + 17 },
        ]);
        // to on a bucket start excludes that bucket.
        assert.deepEqual(await store.downsample({ ...q, from: T0, to: T0 + HOUR }), [{ t: T0, v: 15 }]);
        // The same rule for a bucket that needs raw points (20 min).
        assert.deepEqual(
          await store.downsample({
            ...q,
            bucketMs: 20 * MIN,
            agg: "count",
            from: T0 + 1,
            to: T0 + 40 * MIN + 1,
          }),
          [{ t: T0 + 20 * MIN, v: 2 }, { t: T0 + 40 * MIN, v: 2 }],
        );
        assert.deepEqual(await store.downsample({ ...q, from: T0 + 1, to: T0 + HOUR }), []);
        const limited = await store.downsample({ ...q, agg: "count", from: T0, to: T0 + DAY, limit: 2 });
        assert.deepEqual(limited, [{ t: T0, v: 6 }, { t: T0 + HOUR, v: 6 }]);
        await assert.rejects(
          () => store.downsample({ ...q, from: T0, to: T0 + DAY, bucketMs: 0 }),
          RangeError,
        );
      }),
  },
  {
    name: "downsample() leaves out buckets without numeric points",
    run: (f) =>
      withStore(f, async (store) => {
        const device = uniqueDevice("nonnum");
        await store.write([
          point(device, "mode", T0, "eco"),
          point(device, "mode", T0 + HOUR, 3),
          point(device, "mode", T0 + 2 * HOUR, true),
        ]);
        for (const bucketMs of [MIN, 30_000]) {
          const got = await store.downsample({
            deviceId: device,
            metric: "mode",
            from: T0,
            to: T0 + DAY,
            bucketMs,
            agg: "avg",
          });
          assert.deepEqual(got, [{ t: T0 + HOUR, v: 3 }]);
        }
      }),
  },
  {
    name: "latest() gives each metric's latest value by time, not by write order, sorted by metric",
    run: (f) =>
      withStore(f, async (store) => {
        const device = uniqueDevice("latest");
        assert.deepEqual(await store.latest(device), []);
        await store.write([
          point(device, "temp", T0 + 3000, 23.5, 1),
          point(device, "door", T0 + 1000, true, 1),
        ]);
        await store.write([
          point(device, "temp", T0 + 2000, 22, 2),
          point(device, "door", T0 + 5000, false, 2),
        ]);
        await store.write([
          point(device, "mode", T0 + 4000, "eco", 3),
          point(device, "temp", T0 + 1000, 21, 3),
        ]);
        await store.write([point(`${device}-other`, "temp", T0 + 9000, 99, 1)]);
        assert.deepEqual(await store.latest(device), [
          { metric: "door", t: T0 + 5000, value: false },
          { metric: "mode", t: T0 + 4000, value: "eco" },
          { metric: "temp", t: T0 + 3000, value: 23.5 },
        ]);
      }),
  },
  {
    name: "clear() empties points, rollups and latest values; writing afterwards starts fresh",
    run: (f) =>
      withStore(f, async (store) => {
        const device = uniqueDevice("clear");
        const points = Array.from({ length: 20 }, (_, i) => point(device, "temp", T0 + i * MIN, i, i));
        await store.write(points);
        await store.clear();
        const q = { deviceId: device, metric: "temp", from: T0, to: T0 + DAY };
        assert.deepEqual(await store.range(q), []);
        assert.deepEqual(await store.downsample({ ...q, bucketMs: HOUR, agg: "count" }), []);
        assert.deepEqual(await store.latest(device), []);
        await store.write(points); // a rebuild replays the same points
        assert.deepEqual(await store.downsample({ ...q, bucketMs: HOUR, agg: "count" }), [{ t: T0, v: 20 }]);
        assert.deepEqual(await store.downsample({ ...q, bucketMs: DAY, agg: "sum" }), [{ t: T0, v: 190 }]);
      }),
  },
  {
    name: "deleteOlderThan('raw') deletes old points in bounded chunks, keeps newer ones, rollups and latest",
    run: (f) =>
      withStore(f, async (store) => {
        assert.deepEqual(await store.oldest(), {});
        const device = uniqueDevice("retention-raw");
        const points = Array.from({ length: 120 }, (_, i) => point(device, "temp", T0 + i * MIN, i, i));
        await store.write(points);
        assert.deepEqual(await store.oldest(), { raw: T0, "1m": T0, "1h": T0, "1d": T0 });
        const chunks: number[] = [];
        for (let n = 7; n === 7;) chunks.push(n = await store.deleteOlderThan("raw", T0 + HOUR, 7));
        assert.ok(chunks.every((n) => n <= 7), `chunks of at most 7, got ${chunks}`);
        assert.equal(chunks.reduce((a, b) => a + b, 0), 60);
        assert.equal(await store.deleteOlderThan("raw", T0 + HOUR, 7), 0);
        const q = { deviceId: device, metric: "temp", from: T0, to: T0 + DAY };
        assert.deepEqual((await store.range(q)).map((p) => p.t), points.slice(60).map((p) => p.t));
        // Rollups are kept: what the first hour held is still answered from them.
        assert.deepEqual(await store.downsample({ ...q, bucketMs: HOUR, agg: "count" }), [
          { t: T0, v: 60 },
          { t: T0 + HOUR, v: 60 },
        ]);
        assert.deepEqual(await store.latest(device), [{ metric: "temp", t: T0 + 119 * MIN, value: 119 }]);
        assert.deepEqual(await store.oldest(), { raw: T0 + HOUR, "1m": T0, "1h": T0, "1d": T0 });
      }),
  },
  {
    name:
      "deleteOlderThan() on a rollup level deletes only that level's buckets that start before the cutoff",
    run: (f) =>
      withStore(f, async (store) => {
        const device = uniqueDevice("retention-rollup");
        const points = Array.from({ length: 120 }, (_, i) => point(device, "temp", T0 + i * MIN, i, i));
        await store.write(points);
        let deleted = 0;
        for (let n = 25; n === 25;) {
          deleted += n = await store.deleteOlderThan("1m", T0 + HOUR + 30 * MIN, 25);
        }
        assert.equal(deleted, 90);
        const q = { deviceId: device, metric: "temp", from: T0, to: T0 + DAY };
        const minutes = await store.downsample({ ...q, bucketMs: MIN, agg: "count" });
        assert.deepEqual(minutes.map((b) => b.t), points.slice(90).map((p) => p.t));
        assert.deepEqual(await store.downsample({ ...q, bucketMs: HOUR, agg: "sum" }), [
          { t: T0, v: 1770 },
          { t: T0 + HOUR, v: 5370 },
        ]);
        assert.equal((await store.range(q)).length, 120);
        assert.equal(await store.deleteOlderThan("1h", T0 + 1, 100), 1);
        assert.deepEqual(await store.oldest(), { raw: T0, "1m": T0 + 90 * MIN, "1h": T0 + HOUR, "1d": T0 });
      }),
  },
];
