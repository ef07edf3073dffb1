import assert from "node:assert/strict";
import {
  aggregatePoints,
  aggregateValue,
  bucketCount,
  bucketedRange,
  bucketStart,
  combineBuckets,
  createBucketFold,
  downsamplePoints,
  groupForRollups,
  mergeAggregate,
  parseBucket,
  pointKey,
  rollupKey,
  rollupLevelFor,
} from "./rollup.ts";
import type { MetricPoint } from "./time_series_store.ts";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

Deno.test("bucketStart() aligns to the epoch (UTC), also before 1970", () => {
  assert.equal(bucketStart(Date.UTC(2024, 4, 1, 13, 59, 59, 999), HOUR), Date.UTC(2024, 4, 1, 13));
  assert.equal(bucketStart(Date.UTC(2024, 4, 1, 13), HOUR), Date.UTC(2024, 4, 1, 13));
  assert.equal(bucketStart(Date.UTC(2024, 4, 1, 23, 30), DAY), Date.UTC(2024, 4, 1));
  assert.equal(bucketStart(Date.UTC(2024, 4, 1, 14, 0), 6 * HOUR), Date.UTC(2024, 4, 1, 12));
  assert.equal(bucketStart(-1, MIN), -MIN);
});

Deno.test("mergeAggregate() adds counts and sums and keeps the later last (b on a tie)", () => {
  const a = { count: 2, sum: 3, min: 1, max: 2, lastT: 20, last: 2 };
  const b = { count: 1, sum: -4, min: -4, max: -4, lastT: 10, last: -4 };
  assert.deepEqual(mergeAggregate(a, b), { count: 3, sum: -1, min: -4, max: 2, lastT: 20, last: 2 });
  assert.deepEqual(mergeAggregate(b, a), { count: 3, sum: -1, min: -4, max: 2, lastT: 20, last: 2 });
  assert.equal(mergeAggregate(a, { ...b, lastT: 20 }).last, -4);
});

Deno.test("aggregateValue() gives every aggregation", () => {
  const agg = aggregatePoints([
    { t: 3, value: 4 },
    { t: 1, value: 10 },
    { t: 2, value: "21.5" },
    { t: 5, value: true },
    { t: 2, value: -2 },
  ])!;
  assert.deepEqual(
    (["avg", "min", "max", "sum", "count", "last"] as const).map((a) => aggregateValue(agg, a)),
    [4, -2, 10, 12, 3, 4],
  );
  assert.equal(aggregatePoints([{ t: 1, value: "x" }]), undefined);
});

Deno.test("rollupLevelFor() picks the largest level that divides the bucket", () => {
  assert.equal(rollupLevelFor(MIN), "1m");
  assert.equal(rollupLevelFor(5 * MIN), "1m");
  assert.equal(rollupLevelFor(HOUR), "1h");
  assert.equal(rollupLevelFor(6 * HOUR), "1h");
  assert.equal(rollupLevelFor(DAY), "1d");
  assert.equal(rollupLevelFor(7 * DAY), "1d");
  assert.equal(rollupLevelFor(30_000), undefined);
  assert.equal(rollupLevelFor(90_000), undefined);
});

Deno.test("parseBucket() reads s, m, h and d", () => {
  assert.equal(parseBucket("30s"), 30_000);
  assert.equal(parseBucket("1m"), MIN);
  assert.equal(parseBucket("5m"), 5 * MIN);
  assert.equal(parseBucket("1h"), HOUR);
  assert.equal(parseBucket("1d"), DAY);
});

Deno.test("parseBucket() refuses anything else with a RangeError that says why", () => {
  for (const bad of ["", "0m", "-1m", "1", "m", "1.5h", "1w", "1 h", "01m", " 1m", "1M", "9999999999d"]) {
    assert.throws(() => parseBucket(bad), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(
        e.message,
        /^Cannot parse bucket ".*": expected a positive integer followed by s, m, h or d/,
      );
      return true;
    }, bad);
  }
});

Deno.test("bucketedRange() keeps buckets whose start is in [from, to)", () => {
  assert.deepEqual(bucketedRange(HOUR, 3 * HOUR, HOUR), { from: HOUR, to: 3 * HOUR });
  assert.deepEqual(bucketedRange(HOUR + 1, 3 * HOUR + 1, HOUR), { from: 2 * HOUR, to: 4 * HOUR });
  assert.throws(() => bucketedRange(0, 1, 0), RangeError);
  assert.throws(() => bucketedRange(0, 1, 1.5), RangeError);
});

Deno.test("groupForRollups() groups numeric points per series, level and bucket", () => {
  const p = (deviceId: string, metric: string, t: number, value: MetricPoint["value"]): MetricPoint => ({
    deviceId,
    metric,
    t,
    value,
    seq: 1,
  });
  const groups = groupForRollups([
    p("d1", "temp", 10, 1),
    p("d1", "temp", MIN + 10, 2),
    p("d1", "mode", 10, "eco"),
    p("d2", "temp", 10, 3),
  ]);
  assert.equal(groups.size, 4 + 3); // d1/temp: two minutes, one hour, one day; d2/temp: one of each
  assert.equal(groups.get(rollupKey("d1", "temp", "1h", 0))?.points.length, 2);
  assert.equal(groups.get(rollupKey("d1", "temp", "1m", MIN))?.points.length, 1);
  assert.equal(groups.get(rollupKey("d1", "mode", "1m", 0)), undefined);
});

Deno.test("keys escape the separator so odd ids cannot collide", () => {
  assert.notEqual(pointKey("a|b", "c", 1), pointKey("a", "b|c", 1));
  assert.equal(rollupKey("dev", "temp", "1h", 3_600_000), "dev|temp|1h|3600000");
});

Deno.test("combineBuckets() and downsamplePoints() merge parts into wider buckets, oldest first", () => {
  const points = [
    { t: 5 * MIN + 1, v: 7 },
    { t: 1, v: 1 },
    { t: MIN, v: 3 },
    { t: 2 * MIN, v: "skip" },
  ];
  assert.deepEqual(downsamplePoints(points, 5 * MIN, "sum"), [{ t: 0, v: 4 }, { t: 5 * MIN, v: 7 }]);
  assert.deepEqual(downsamplePoints(points, 5 * MIN, "last"), [{ t: 0, v: 3 }, { t: 5 * MIN, v: 7 }]);
  const parts = [
    { t: HOUR, agg: { count: 2, sum: 4, min: 1, max: 3, lastT: HOUR + 5, last: 3 } },
    { t: 0, agg: { count: 1, sum: 9, min: 9, max: 9, lastT: 7, last: 9 } },
  ];
  assert.deepEqual(combineBuckets(parts, DAY, "avg"), [{ t: 0, v: 13 / 3 }]);
  assert.deepEqual(combineBuckets(parts, DAY, "last"), [{ t: 0, v: 3 }]);
});

Deno.test("bucketCount() counts the buckets whose start lies in [from, to)", () => {
  assert.equal(bucketCount(0, HOUR, MIN), 60);
  assert.equal(bucketCount(1, HOUR, MIN), 59, "the bucket holding from starts before it");
  assert.equal(bucketCount(1, HOUR + 1, MIN), 60);
  assert.equal(bucketCount(5, 6, MIN), 0);
});

Deno.test("createBucketFold() takes parts a page at a time and answers like combineBuckets()", () => {
  const fold = createBucketFold(DAY);
  fold.add(HOUR, { count: 2, sum: 4, min: 1, max: 3, lastT: HOUR + 5, last: 3 });
  assert.equal(fold.size, 1);
  fold.add(DAY + 1, { count: 1, sum: 9, min: 9, max: 9, lastT: DAY + 1, last: 9 });
  fold.add(0, { count: 1, sum: 9, min: 9, max: 9, lastT: 7, last: 9 });
  assert.equal(fold.size, 2);
  assert.deepEqual(fold.result("avg"), [{ t: 0, v: 13 / 3 }, { t: DAY, v: 9 }]);
});
