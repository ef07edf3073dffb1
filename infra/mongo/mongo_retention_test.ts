// Retention on the MongoDB store against the real server (FerretDB v1 here: no TTL indexes, so the
// store's own sweep deletes raw points; on MongoDB the TTL index does, see `rawExpiry`).
import assert from "node:assert/strict";
import { sweepTimeSeries } from "../../core/retention/sweep.ts";
import { minutePoints } from "../../core/testing/time_series_samples.ts";
import { createMongoTimeSeriesStore } from "./mongo_time_series_store.ts";
import { MONGO_URL, withDatabase } from "./_mongo_test_support.ts";

const DAY = 86_400_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 5, 15, 12);

const points = minutePoints;

Deno.test("mongo time series: a raw retention set later deletes old points (TTL or sweep), rollups by level, writes go on", () =>
  withDatabase(async (database) => {
    const before = createMongoTimeSeriesStore({ url: MONGO_URL, database });
    try {
      await before.init();
      await before.write(points(5, 60, NOW - 10 * DAY, 1));
      await before.write(points(5, 60, NOW - 2 * 60 * MIN, 2));
      assert.equal((await before.oldest()).raw, NOW - 10 * DAY);
    } finally {
      await before.close();
    }

    // Restarted with a raw retention of 7 days: on a server with TTL indexes they expire the points,
    // elsewhere (FerretDB v1) the sweep deletes them.
    const store = createMongoTimeSeriesStore({ url: MONGO_URL, database, rawRetentionMs: 7 * DAY });
    try {
      await store.init();
      const expiry = store.rawExpiry;
      assert.ok(expiry === "ttl" || expiry === "sweep", `raw points expire by ${expiry}`);
      let sweeping = true;
      let writes = 0;
      const writer = (async () => {
        for (let batch = 0; sweeping; batch++) {
          await store.write(points(5, 1, NOW - 30 * MIN + batch * 1000, 10 + batch));
          writes++;
        }
      })();
      const deleted = await sweepTimeSeries(store, { raw: 7 * DAY, "1m": 7 * DAY }, {
        now: () => NOW,
        chunk: 50,
      });
      sweeping = false;
      await writer;
      assert.equal(deleted["1m"], 300, "1m rollups of the old points");
      if (expiry === "sweep") {
        assert.equal(deleted.raw, 300);
        assert.equal((await store.oldest()).raw, NOW - 2 * 60 * MIN);
      } else {
        assert.equal(deleted.raw, 0, "the server's TTL deletes, on its own schedule");
      }
      const oldest = await store.oldest();
      assert.equal(oldest["1m"], NOW - 2 * 60 * MIN);
      assert.equal(oldest["1h"], Math.floor((NOW - 10 * DAY) / 3_600_000) * 3_600_000, "1h rollups kept");
      assert.ok(writes > 0);
      const q = { deviceId: "dev-0", metric: "temperature", from: NOW - DAY, to: NOW + DAY };
      assert.equal((await store.range(q)).length, 60 + writes, "new points and every write meanwhile kept");
      const old = { deviceId: "dev-0", metric: "temperature", from: NOW - 11 * DAY, to: NOW - 9 * DAY };
      assert.deepEqual((await store.downsample({ ...old, bucketMs: DAY, agg: "count" })).map((b) => b.v), [
        60,
      ]);
    } finally {
      await store.close();
    }
  }));
