import assert from "node:assert/strict";
import { timeSeriesContract } from "../../core/testing/time_series_contract.ts";
import { createMongoTimeSeriesStore } from "./mongo_time_series_store.ts";
import { MONGO_URL, withDatabase } from "./_mongo_test_support.ts";

// Runs against a real server (FerretDB locally): an unreachable server fails the tests.
for (const c of timeSeriesContract) {
  Deno.test(`TimeSeriesStore contract [mongo] › ${c.name}`, () =>
    withDatabase((database) =>
      c.run({ newStore: () => Promise.resolve(createMongoTimeSeriesStore({ url: MONGO_URL, database })) })
    ));
}

// The write path of real time-series collections (look up, then insert), on a plain collection.
for (const c of timeSeriesContract.filter((c) => /again|latest|clear/.test(c.name))) {
  Deno.test(`TimeSeriesStore contract [mongo, insert-only] › ${c.name}`, () =>
    withDatabase((database) =>
      c.run({
        newStore: () =>
          Promise.resolve(createMongoTimeSeriesStore({ url: MONGO_URL, database, layout: "insert-only" })),
      })
    ));
}

// The in-place rewrite of rollups and latest values that MongoDB uses (FerretDB replaces them).
for (const c of timeSeriesContract.filter((c) => /again|latest|rollup level/.test(c.name))) {
  Deno.test(`TimeSeriesStore contract [mongo, update in place] › ${c.name}`, () =>
    withDatabase((database) =>
      c.run({
        newStore: () =>
          Promise.resolve(createMongoTimeSeriesStore({ url: MONGO_URL, database, rewrite: "update" })),
      })
    ));
}

Deno.test("mongo time series falls back to a plain collection where time series are missing", () =>
  withDatabase(async (database) => {
    const store = createMongoTimeSeriesStore({ url: MONGO_URL, database, collectionPrefix: "x_" });
    try {
      await store.init();
      await store.init();
      assert.ok(store.layout === "plain" || store.layout === "timeseries");
    } finally {
      await store.close();
    }
  }));

Deno.test("mongo time series deletes expired raw points itself where the server has no TTL index", () =>
  withDatabase(async (database) => {
    const start = Date.UTC(2024, 0, 10);
    let now = start;
    const store = createMongoTimeSeriesStore({ url: MONGO_URL, database, retentionDays: 1, now: () => now });
    const at = (t: number, seq: number) => ({ deviceId: "d", metric: "m", t, value: seq, seq });
    const times = async () =>
      (await store.range({ deviceId: "d", metric: "m", from: 0, to: now + 1 })).map((p) => p.t);
    try {
      await store.write([at(start - 3 * 86_400_000, 1), at(start, 2)]);
      if (store.layout === "timeseries") return; // the server's TTL monitor deletes, on its own schedule
      assert.deepEqual(await times(), [start]);
      now += 60_000;
      await store.write([at(start - 2 * 86_400_000, 3)]); // pruning runs at most once an hour
      assert.deepEqual(await times(), [start - 2 * 86_400_000, start]);
      now += 3_600_000;
      await store.write([at(now, 4)]);
      assert.deepEqual(await times(), [start, now]);
    } finally {
      await store.close();
    }
  }));

Deno.test("mongo time series init() fails when the server is unreachable", async () => {
  const store = createMongoTimeSeriesStore({
    url: "mongodb://127.0.0.1:1/",
    database: "nothing",
    serverSelectionTimeoutMS: 300,
  });
  try {
    await assert.rejects(() => store.init());
  } finally {
    await store.close();
  }
});
