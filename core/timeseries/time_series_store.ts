/**
 * The TimeSeriesStore port: raw metric points of devices plus rollups (1 min, 1 h, 1 day: count,
 * sum, min, max, last) computed when points are written, so dashboard queries never scan raw
 * points. Values keep their type (number, boolean, string); only numbers roll up.
 */

export type MetricValue = number | boolean | string;

/** One value of one metric of one device at one time. */
export interface MetricPoint {
  deviceId: string;
  metric: string;
  /** Epoch ms. */
  t: number;
  value: MetricValue;
  /**
   * Position of the point's event in its log partition (the offset). One device's points come
   * from one partition in increasing `seq`, which lets stores without transactions (MongoDB) apply
   * each point to the rollups at most once when a batch is delivered again. All points with the
   * same `seq` (one event) must arrive in the same `write()` call.
   */
  seq: number;
}

/** Rollup levels kept at write time, in ms. */
export const ROLLUP_LEVELS = { "1m": 60_000, "1h": 3_600_000, "1d": 86_400_000 } as const;
export type RollupLevel = keyof typeof ROLLUP_LEVELS;

/** What a retention applies to separately: raw points, or the buckets of one rollup level. */
export type SeriesTier = "raw" | RollupLevel;
export const SERIES_TIERS: readonly SeriesTier[] = ["raw", "1m", "1h", "1d"];

/** Per tier, the time of the oldest raw point or the start of the oldest bucket; empty tiers are absent. */
export type OldestPerTier = Partial<Record<SeriesTier, number>>;

export type Aggregation = "avg" | "min" | "max" | "sum" | "count" | "last";
export const AGGREGATIONS: readonly Aggregation[] = ["avg", "min", "max", "sum", "count", "last"];

/** The `limit` of a query that gives none, and the largest one the HTTP API accepts. */
export const DEFAULT_QUERY_LIMIT = 10_000;

/**
 * The most buckets one downsample query may span (`(to - from) / bucketMs`), checked by the HTTP
 * API before a store is asked: a bucket that no rollup level serves is aggregated from raw
 * points, so the bucket count bounds the rows a query reads (design §7, hardening).
 */
export const MAX_QUERY_BUCKETS = 10_000;

export interface RangeQuery {
  deviceId: string;
  metric: string;
  /** Inclusive start, epoch ms. */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
  /** Raw points (or, in `downsample`, buckets) are capped at this many, oldest first. Default 10,000. */
  limit?: number;
}

/**
 * Buckets are whole: a bucket is in the answer when its START lies in [from, to), and then it
 * aggregates all of its points, also those at or after `to`. So a `from` inside a bucket skips that
 * bucket, and the bucket holding `to - 1` is complete, which lets every bucket come from rollups.
 */
export interface DownsampleQuery extends RangeQuery {
  /** Bucket width in ms, aligned to the epoch (UTC). */
  bucketMs: number;
  agg: Aggregation;
}

export interface RawPoint {
  t: number;
  v: MetricValue;
}

/** A downsampled point: `t` is the bucket start. Buckets without numeric points are absent. */
export interface BucketPoint {
  t: number;
  v: number;
}

export interface LatestValue {
  metric: string;
  t: number;
  value: MetricValue;
}

export interface TimeSeriesStore {
  /** Creates collections/tables and indexes when missing. Idempotent. */
  init(): Promise<void>;
  /**
   * Writes points; the natural key (deviceId, metric, t) makes it idempotent: a point already
   * stored is neither changed nor counted again in the rollups, also after a crash mid-write.
   */
  write(points: MetricPoint[]): Promise<void>;
  /** Raw points in [from, to), oldest first. */
  range(query: RangeQuery): Promise<RawPoint[]>;
  /** Numeric points aggregated per bucket, from rollups where the bucket allows it. */
  downsample(query: DownsampleQuery): Promise<BucketPoint[]>;
  /** Each metric of the device with its latest value (by time), sorted by metric name. */
  latest(deviceId: string): Promise<LatestValue[]>;
  /**
   * The oldest data held per tier (raw points by time, rollup buckets by start), for the
   * retention report (`GET /api/v1/retention`). Cheap: one index lookup per series, no scan.
   */
  oldest(): Promise<OldestPerTier>;
  /**
   * Deletes at most `limit` raw points (`tier` "raw") or buckets of one rollup level older than
   * `before` (epoch ms; points by time, buckets by start) and resolves with how many it deleted:
   * fewer than `limit` once nothing older is left. Bounded, so a retention sweep over millions of
   * rows is many short deletes and writes go on between them. Deleting raw points keeps the
   * rollups and the latest values; 0 where the engine expires that tier itself (a TTL index).
   */
  deleteOlderThan(tier: SeriesTier, before: number, limit: number): Promise<number>;
  /** Deletes everything (for a rebuild from the log). */
  clear(): Promise<void>;
  close(): Promise<void>;
}
