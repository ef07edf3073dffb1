import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { topicNames } from "../../core/events/topics.ts";
import { listDlq } from "../../core/readmodels/mod.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { createInMemoryReadModelStore } from "../../core/testing/in_memory_read_model_store.ts";
import { createInMemoryTimeSeriesStore } from "../../core/testing/in_memory_time_series_store.ts";
import { loadConfig } from "../config/config.ts";
import { retentionReporter, startRetentionSweeps } from "./retention_role.ts";
import { uuidV7Floor } from "../../core/retention/dead_letters.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 15);

Deno.test("startRetentionSweeps() sweeps time series tiers and dead letters by the configured policy, right after start", async () => {
  const config = loadConfig({
    AIOT_RETENTION_TELEMETRY_RAW: "7d",
    AIOT_RETENTION_ROLLUP_1M: "8d",
    AIOT_RETENTION_DLQ: "3d",
  });
  const timeseries = createInMemoryTimeSeriesStore();
  const readModels = createInMemoryReadModelStore();
  const point = (t: number, seq: number) => ({ deviceId: "d1", metric: "m", t, value: seq, seq });
  await timeseries.write([point(NOW - 10 * DAY, 1), point(NOW - DAY, 2)]);
  // Explicit ids: generated ones never go back in time (all would carry this run's clock).
  const rejected = (at: number) =>
    createEvent("input.rejected", { topic: "devices/d1/telemetry", reason: "bad", payloadBase64: "" }, {
      key: "d1",
      source: "test",
      id: uuidV7Floor(at).replace("-0000-0000-", "-7000-8000-"),
    });
  const events = [rejected(NOW - 5 * DAY), rejected(NOW - DAY)];
  await readModels.project({
    processor: "readmodels",
    topic: "aiot.dlq",
    partition: 0,
    events,
    offsets: [0, 1],
  });

  const sweeps = startRetentionSweeps(config.retention, { timeseries, readModels }, {
    now: () => NOW,
    firstDelayMs: 0,
  });
  try {
    assert.ok(sweeps);
    await eventually("the sweep", async () => (await timeseries.oldest()).raw === NOW - DAY);
    assert.deepEqual(await timeseries.oldest(), {
      raw: NOW - DAY,
      "1m": NOW - DAY,
      "1h": NOW - 10 * DAY,
      "1d": NOW - 10 * DAY,
    });
    await eventually("the dead-letter sweep", async () => (await listDlq(readModels)).items.length === 1);
    assert.equal((await listDlq(readModels)).items[0]!.id, events[1]!.id);
  } finally {
    await sweeps?.stop();
  }
});

Deno.test("startRetentionSweeps() starts nothing when nothing has a finite limit", () => {
  const config = loadConfig({ AIOT_RETENTION_TELEMETRY_RAW: "forever" });
  assert.equal(
    startRetentionSweeps(config.retention, {
      timeseries: createInMemoryTimeSeriesStore(),
      readModels: createInMemoryReadModelStore(),
    }),
    undefined,
  );
});

Deno.test("retentionReporter() reports the configured settings over the engines", async () => {
  const config = loadConfig({ AIOT_RETENTION_LOG_TELEMETRY: "2d", AIOT_RETENTION_ROLLUP_1D: "forever" });
  const topics = topicNames();
  const log = createInMemoryEventLog();
  await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 1 })));
  await log.append(topics.telemetry, [{ key: "d1", value: "x", timestamp: NOW }]);
  const report = await retentionReporter(config, {
    log,
    topics,
    timeseries: createInMemoryTimeSeriesStore(),
    readModels: createInMemoryReadModelStore(),
  })();
  assert.deepEqual(report.engines, { log: "sqlite", timeseries: "sqlite" });
  const telemetry = report.items.find((i) => i.name === "aiot.telemetry");
  assert.deepEqual(telemetry, {
    store: "log",
    name: "aiot.telemetry",
    retention: "2d",
    retentionMs: 2 * DAY,
    expiry: "sweep",
    oldest: new Date(NOW).toISOString(),
  });
  const daily = report.items.find((i) => i.name === "1d");
  assert.deepEqual([daily?.retention, daily?.expiry, daily?.oldest], ["forever", "none", null]);
});
