import assert from "node:assert/strict";
import { age, retentionLines, type RetentionReport } from "./retention_model.ts";

const NOW = Date.UTC(2026, 5, 15);
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

Deno.test("retentionLines() words each row and flags data older than the limit plus two sweeps", () => {
  const report: RetentionReport = {
    engines: { log: "kafka", timeseries: "sqlite" },
    sweepIntervalMs: 300_000,
    items: [
      {
        store: "log",
        name: "aiot.telemetry",
        retention: "7d",
        retentionMs: 7 * DAY,
        expiry: "kafka",
        oldest: iso(NOW - 9 * DAY),
      },
      {
        store: "timeseries",
        name: "raw",
        retention: "7d",
        retentionMs: 7 * DAY,
        expiry: "sweep",
        oldest: iso(NOW - 7 * DAY - 60_000),
      },
      {
        store: "timeseries",
        name: "1m",
        retention: "1d",
        retentionMs: DAY,
        expiry: "sweep",
        oldest: iso(NOW - 2 * DAY),
      },
      {
        store: "timeseries",
        name: "1h",
        retention: "forever",
        retentionMs: null,
        expiry: "none",
        oldest: iso(NOW - 400 * DAY),
      },
      {
        store: "dlq",
        name: "dead letters",
        retention: "14d",
        retentionMs: 14 * DAY,
        expiry: "ttl",
        oldest: null,
      },
    ],
  };
  const lines = retentionLines(report, NOW);
  assert.deepEqual(lines.map((l) => [l.name, l.enforcedBy, l.oldestAge, l.behind]), [
    ["aiot.telemetry", "Kafka retention.ms", "9 d", false], // whole segments, on Kafka's schedule
    ["raw", "background sweep", "7 d", false], // within two sweeps of the limit
    ["1m", "background sweep", "2 d", true],
    ["1h", "kept forever", "400 d", false],
    ["dead letters", "database TTL index", "empty", false],
  ]);
});

Deno.test("age() picks the largest unit", () => {
  assert.deepEqual([age(3 * DAY + 5), age(5 * 3_600_000), age(12 * 60_000), age(40_000), age(-5)], [
    "3 d",
    "5 h",
    "12 min",
    "40 s",
    "0 s",
  ]);
});
