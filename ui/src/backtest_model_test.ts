import assert from "node:assert/strict";
import {
  alertIntervals,
  chartQuery,
  devicesByAlerts,
  formatDuration,
  presetRange,
} from "./backtest_model.ts";
import type { BacktestTransition } from "./rules_api_types.ts";

const T0 = Date.parse("2026-11-30T10:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const transition = (deviceId: string, raised: number, cleared: number | null): BacktestTransition => ({
  deviceId,
  raisedAt: at(raised),
  clearedAt: cleared === null ? null : at(cleared),
  value: 31,
  severity: "warning",
});

Deno.test("alertIntervals() gives one device's alerts in time order, an open one running to the end", () => {
  const range = { from: T0, to: T0 + 3_600_000 };
  const intervals = alertIntervals(
    [
      transition("a", 600, null),
      transition("b", 10, 20),
      transition("a", 60, 120),
    ],
    "a",
    range,
  );
  assert.deepEqual(intervals, [
    { from: T0 + 60_000, to: T0 + 120_000, open: false },
    { from: T0 + 600_000, to: range.to, open: true },
  ]);
});

Deno.test("alertIntervals() clips to the range and reads epoch-millisecond times too", () => {
  const range = { from: T0, to: T0 + 100_000 };
  const intervals = alertIntervals(
    [
      { deviceId: "a", raisedAt: T0 + 50_000, clearedAt: T0 + 500_000, value: 1, severity: "info" },
      { deviceId: "a", raisedAt: T0 - 5_000, clearedAt: T0 + 1_000, value: 1, severity: "info" },
    ],
    "a",
    range,
  );
  assert.deepEqual(intervals, [
    { from: T0, to: T0 + 1_000, open: false },
    { from: T0 + 50_000, to: T0 + 100_000, open: false },
  ]);
});

Deno.test("alertIntervals() keeps an alert raised and cleared by the same point (zero length)", () => {
  const intervals = alertIntervals([transition("a", 5, 5)], "a", { from: T0, to: T0 + 10_000 });
  assert.deepEqual(intervals, [{ from: T0 + 5_000, to: T0 + 5_000, open: false }]);
});

Deno.test("devicesByAlerts() ranks devices by how many alerts they would have raised", () => {
  assert.deepEqual(
    devicesByAlerts([transition("b", 1, 2), transition("a", 1, 2), transition("b", 3, null)]),
    [["b", 2], ["a", 1]],
  );
});

Deno.test("presetRange() ends a preset now; a custom range needs a start before its end", () => {
  assert.deepEqual(presetRange("24h", T0), { from: T0 - 86_400_000, to: T0 });
  assert.deepEqual(presetRange("custom", T0, { from: at(0), to: at(60) }), { from: T0, to: T0 + 60_000 });
  assert.equal(presetRange("custom", T0, { from: at(60), to: at(0) }), undefined);
  assert.equal(presetRange("custom", T0, { from: "", to: at(0) }), undefined);
});

Deno.test("chartQuery() draws raw points up to 2 h, else ~720 buckets aggregated as the rule looks", () => {
  const threshold = { kind: "threshold" as const, metric: "t", op: ">" as const, value: 30 };
  assert.deepEqual(chartQuery(threshold, { from: 0, to: 3_600_000 }), {});
  assert.deepEqual(chartQuery(threshold, { from: 0, to: 86_400_000 }), { bucket: "2m", agg: "max" });
  assert.deepEqual(chartQuery({ ...threshold, op: "<=" }, { from: 0, to: 7 * 86_400_000 }), {
    bucket: "14m",
    agg: "min",
  });
  assert.deepEqual(
    chartQuery({ kind: "range", metric: "t", min: 0, max: 1 }, { from: 0, to: 3 * 3_600_000 }),
    {
      bucket: "15s",
      agg: "avg",
    },
  );
});

Deno.test("formatDuration() reads at a glance", () => {
  assert.equal(formatDuration(0), "0 s");
  assert.equal(formatDuration(303), "5 min 3 s");
  assert.equal(formatDuration(3 * 3600 + 20 * 60), "3 h 20 min");
  assert.equal(formatDuration(2 * 86_400 + 4 * 3600 + 5), "2 d 4 h");
});
