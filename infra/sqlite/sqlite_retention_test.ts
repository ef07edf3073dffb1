// Retention on the embedded engines, retroactive: data written while nothing expired is deleted once
// a (lower) limit is configured, in the background, while writes go on; newer data is kept.
import assert from "node:assert/strict";
import { oldestRecordTime } from "../../core/log/oldest_record.ts";
import { sweepTimeSeries } from "../../core/retention/sweep.ts";
import { minutePoints } from "../../core/testing/time_series_samples.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { createSqliteEventLog } from "./sqlite_event_log.ts";
import { createSqliteTimeSeriesStore } from "./sqlite_time_series_store.ts";

const DAY = 86_400_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 5, 15, 12);

const points = minutePoints;

Deno.test("sqlite time series: a lowered raw and 1m retention deletes old data in chunks while writes go on", async () => {
  const path = `${await Deno.makeTempDir({ prefix: "aiot-retention-" })}/timeseries.db`;
  const store = createSqliteTimeSeriesStore(path, { durability: "process" });
  await store.init();
  try {
    // 20 devices × 500 minutes, ten days ago (kept while nothing expired), and the same today.
    await store.write(points(20, 500, NOW - 10 * DAY, 1));
    await store.write(points(20, 500, NOW - 600 * MIN, 2));
    assert.equal((await store.oldest()).raw, NOW - 10 * DAY);

    // Writes of new points keep landing while the sweep runs: the sweep yields after every chunk.
    let sweeping = true;
    let writesDuringSweep = 0;
    const writer = (async () => {
      for (let batch = 0; sweeping; batch++) {
        await store.write(points(20, 1, NOW - 60 * MIN + batch * 1000, 3 + batch));
        writesDuringSweep++;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    let chunks = 0;
    const deleted = await sweepTimeSeries(store, { raw: 7 * DAY, "1m": 7 * DAY }, {
      now: () => NOW,
      chunk: 500,
      pause: async () => {
        chunks++;
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    sweeping = false;
    await writer;

    assert.deepEqual(deleted, { raw: 10_000, "1m": 10_000 });
    assert.ok(chunks >= 19, `deleted in chunks of 500 (${chunks} pauses)`);
    assert.ok(writesDuringSweep > 0, "writes went on during the sweep");
    const oldest = await store.oldest();
    assert.equal(oldest.raw, NOW - 600 * MIN);
    assert.equal(oldest["1m"], NOW - 600 * MIN);
    assert.equal(oldest["1h"], Math.floor((NOW - 10 * DAY) / 3_600_000) * 3_600_000, "1h rollups are kept");
    const q = { deviceId: "dev-0", metric: "temperature", from: 0, to: NOW + DAY };
    assert.equal((await store.range(q)).length, 500 + writesDuringSweep);
    const days = await store.downsample({ ...q, bucketMs: DAY, agg: "count" });
    assert.equal(days[0]?.v, 500, "the day ten days ago still answers from its rollup");
  } finally {
    await store.close();
  }
});

Deno.test("sqlite log: a retention configured later deletes the old records of that topic only, appends go on", async () => {
  const path = `${await Deno.makeTempDir({ prefix: "aiot-retention-" })}/log.db`;
  const record = (key: string, timestamp: number) => ({ key, value: "x".repeat(100), timestamp });
  const first = createSqliteEventLog({ path, durability: "process" });
  await first.ensureTopics([{ name: "aiot.telemetry", partitions: 2 }, {
    name: "aiot.device",
    partitions: 1,
  }]);
  for (let i = 0; i < 10; i++) {
    await first.append(
      "aiot.telemetry",
      Array.from({ length: 500 }, (_, j) => record(`d${j}`, NOW - 10 * DAY + i)),
    );
  }
  await first.append("aiot.device", [record("d1", NOW - 10 * DAY)]);
  await first.append("aiot.telemetry", Array.from({ length: 100 }, (_, j) => record(`d${j}`, NOW - DAY)));
  await first.close();

  const second = createSqliteEventLog({
    path,
    durability: "process",
    now: () => NOW,
    retentionByTopic: { "aiot.telemetry": 7 * DAY },
    retentionFirstDelayMs: 0,
    retentionChunk: 200,
  });
  try {
    let appended = 0;
    const cutoff = NOW - 7 * DAY;
    await eventually("the old telemetry records are gone", async () => {
      await second.append("aiot.telemetry", [record(`n${appended++}`, NOW)]);
      return (await oldestRecordTime(second, "aiot.telemetry"))! >= cutoff;
    }, { timeoutMs: 20_000 });
    const held = (await second.endOffsets("aiot.telemetry")).reduce((n, p) => n + p.end - p.start, 0);
    assert.equal(held, 100 + appended, "newer records and every append made meanwhile are kept");
    assert.equal(await oldestRecordTime(second, "aiot.device"), NOW - 10 * DAY, "other topics keep theirs");
  } finally {
    await second.close();
  }
});
