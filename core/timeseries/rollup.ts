/**
 * The rollup math every TimeSeriesStore shares, so adapters only move aggregates around: epoch
 * aligned buckets, the mergeable aggregate kept per rollup bucket, the choice of rollup level for
 * a query bucket and the bucket text of the HTTP API ("30s", "5m", "1h", "1d").
 */
import {
  type Aggregation,
  type BucketPoint,
  type MetricPoint,
  type MetricValue,
  ROLLUP_LEVELS,
  type RollupLevel,
} from "./time_series_store.ts";

/** What a rollup bucket keeps of its numeric points; two of them merge without the points. */
export interface RollupAggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Time of the latest point, epoch ms. */
  lastT: number;
  /** Value of the latest point. */
  last: number;
}

/** A group of numeric points of one series that fall into one bucket of one rollup level. */
export interface RollupGroup {
  key: string;
  deviceId: string;
  metric: string;
  level: RollupLevel;
  bucket: number;
  points: MetricPoint[];
}

const LEVELS_LARGEST_FIRST = (Object.entries(ROLLUP_LEVELS) as [RollupLevel, number][])
  .sort((a, b) => b[1] - a[1]);

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Only numbers roll up; booleans and strings are kept raw. */
export const isNumeric = (value: MetricValue): value is number => typeof value === "number";

/** Start of the epoch-aligned (UTC) bucket of width `bucketMs` that holds `t`. */
export function bucketStart(t: number, bucketMs: number): number {
  return Math.floor(t / bucketMs) * bucketMs;
}

/** The aggregate of a single point. */
export function aggregateOf(t: number, value: number): RollupAggregate {
  return { count: 1, sum: value, min: value, max: value, lastT: t, last: value };
}

/** Combines two aggregates; `last` comes from the later one (`b` on a tie). */
export function mergeAggregate(a: RollupAggregate, b: RollupAggregate): RollupAggregate {
  const bIsLater = b.lastT >= a.lastT;
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    lastT: bIsLater ? b.lastT : a.lastT,
    last: bIsLater ? b.last : a.last,
  };
}

/** The aggregate of the numeric points among `points`, or undefined when there are none. */
export function aggregatePoints(
  points: Iterable<{ t: number; value: MetricValue }>,
): RollupAggregate | undefined {
  let agg: RollupAggregate | undefined;
  for (const p of points) {
    if (!isNumeric(p.value)) continue;
    const one = aggregateOf(p.t, p.value);
    agg = agg ? mergeAggregate(agg, one) : one;
  }
  return agg;
}

/** The number a query asks for. */
export function aggregateValue(agg: RollupAggregate, aggregation: Aggregation): number {
  switch (aggregation) {
    case "avg":
      return agg.sum / agg.count;
    case "min":
      return agg.min;
    case "max":
      return agg.max;
    case "sum":
      return agg.sum;
    case "count":
      return agg.count;
    case "last":
      return agg.last;
  }
}

/** The largest rollup level whose width divides `bucketMs`; undefined → aggregate raw points. */
export function rollupLevelFor(bucketMs: number): RollupLevel | undefined {
  return LEVELS_LARGEST_FIRST.find(([, ms]) => bucketMs % ms === 0)?.[0];
}

/**
 * Parses a bucket width such as "30s", "5m", "1h" or "1d" into ms.
 * @throws {RangeError} when the text is not a positive integer followed by s, m, h or d.
 */
export function parseBucket(text: string): number {
  const match = /^([1-9][0-9]{0,8})([smhd])$/.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new RangeError(
      `Cannot parse bucket "${text}": expected a positive integer followed by s, m, h or d (e.g. "30s", "5m", "1h", "1d")`,
    );
  }
  return ms;
}

/**
 * The time range whose points make up the buckets of a query over [from, to): a bucket counts
 * when its start lies in [from, to), and then with all of its points (see `DownsampleQuery`).
 * @throws {RangeError} when `bucketMs` is not a positive integer.
 */
export function bucketedRange(from: number, to: number, bucketMs: number): { from: number; to: number } {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) {
    throw new RangeError(`Cannot downsample: bucketMs must be a positive integer, got ${bucketMs}`);
  }
  return { from: Math.ceil(from / bucketMs) * bucketMs, to: Math.ceil(to / bucketMs) * bucketMs };
}

/** How many buckets of a query over [from, to) there are: those whose start lies in the range. */
export function bucketCount(from: number, to: number, bucketMs: number): number {
  const range = bucketedRange(from, to, bucketMs);
  return Math.max(0, (range.to - range.from) / bucketMs);
}

/** Key parts are escaped so a "|" inside a device id or metric name cannot make two keys equal. */
const escapePart = (part: string) => part.replaceAll("%", "%25").replaceAll("|", "%7C");

/** `device|metric`: one series. */
export const seriesKey = (deviceId: string, metric: string): string =>
  `${escapePart(deviceId)}|${escapePart(metric)}`;

/** `device|metric|t`: one raw point. */
export const pointKey = (deviceId: string, metric: string, t: number): string =>
  `${seriesKey(deviceId, metric)}|${t}`;

/** `device|metric|level|bucketStart`: one rollup bucket. */
export const rollupKey = (deviceId: string, metric: string, level: RollupLevel, bucket: number): string =>
  `${seriesKey(deviceId, metric)}|${level}|${bucket}`;

/** Groups the numeric points per (device, metric, level, bucket start) for every rollup level. */
export function groupForRollups(points: Iterable<MetricPoint>): Map<string, RollupGroup> {
  const groups = new Map<string, RollupGroup>();
  for (const p of points) {
    if (!isNumeric(p.value)) continue;
    for (const [level, ms] of LEVELS_LARGEST_FIRST) {
      const bucket = bucketStart(p.t, ms);
      const key = rollupKey(p.deviceId, p.metric, level, bucket);
      const group = groups.get(key);
      if (group) group.points.push(p);
      else groups.set(key, { key, deviceId: p.deviceId, metric: p.metric, level, bucket, points: [p] });
    }
  }
  return groups;
}

/**
 * Folds aggregates of small buckets (rollup buckets or single points) into the `bucketMs`-wide
 * buckets that hold them, a part at a time, so a store can feed it page by page without keeping
 * the rows.
 */
export interface BucketFold {
  add(t: number, agg: RollupAggregate): void;
  /** Buckets so far. */
  readonly size: number;
  /** The requested value per bucket, oldest first. */
  result(aggregation: Aggregation): BucketPoint[];
}

export function createBucketFold(bucketMs: number): BucketFold {
  const buckets = new Map<number, RollupAggregate>();
  return {
    add(t, agg) {
      const start = bucketStart(t, bucketMs);
      const current = buckets.get(start);
      buckets.set(start, current ? mergeAggregate(current, agg) : agg);
    },
    get size() {
      return buckets.size;
    },
    result: (aggregation) =>
      [...buckets]
        .sort((a, b) => a[0] - b[0])
        .map(([t, agg]) => ({ t, v: aggregateValue(agg, aggregation) })),
  };
}

/** `createBucketFold` over all `parts` at once. */
export function combineBuckets(
  parts: Iterable<{ t: number; agg: RollupAggregate }>,
  bucketMs: number,
  aggregation: Aggregation,
): BucketPoint[] {
  const fold = createBucketFold(bucketMs);
  for (const { t, agg } of parts) fold.add(t, agg);
  return fold.result(aggregation);
}

/** Downsamples raw points directly (buckets no rollup level divides, and the in-memory fake). */
export function downsamplePoints(
  points: Iterable<{ t: number; v: MetricValue }>,
  bucketMs: number,
  aggregation: Aggregation,
): BucketPoint[] {
  const parts: { t: number; agg: RollupAggregate }[] = [];
  for (const p of points) if (isNumeric(p.v)) parts.push({ t: p.t, agg: aggregateOf(p.t, p.v) });
  return combineBuckets(parts, bucketMs, aggregation);
}
