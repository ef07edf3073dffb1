/**
 * In-memory TimeSeriesStore for tests: points in a map per series and, like the real stores, a
 * rollup aggregate per bucket of each level, so deleting raw points (retention) keeps what the
 * rollups answer. Buckets no rollup level divides are computed from the raw points.
 */
import {
  aggregateOf,
  bucketedRange,
  bucketStart,
  combineBuckets,
  downsamplePoints,
  mergeAggregate,
  type RollupAggregate,
  rollupLevelFor,
  seriesKey,
} from "../timeseries/rollup.ts";
import {
  type BucketPoint,
  DEFAULT_QUERY_LIMIT,
  type DownsampleQuery,
  type LatestValue,
  type MetricPoint,
  type OldestPerTier,
  type RangeQuery,
  type RawPoint,
  ROLLUP_LEVELS,
  type RollupLevel,
  type SeriesTier,
  type TimeSeriesStore,
} from "../timeseries/time_series_store.ts";

interface Series {
  deviceId: string;
  metric: string;
  /** t → value; the first write of a t wins. */
  points: Map<number, RawPoint>;
  latest: RawPoint;
  /** Per rollup level: bucket start → aggregate of its numeric points. */
  rollups: Map<RollupLevel, Map<number, RollupAggregate>>;
}

const LEVELS = Object.entries(ROLLUP_LEVELS) as [RollupLevel, number][];

function rollUp(s: Series, p: RawPoint): void {
  if (typeof p.v !== "number") return;
  for (const [level, ms] of LEVELS) {
    const buckets = s.rollups.get(level) ?? new Map<number, RollupAggregate>();
    s.rollups.set(level, buckets);
    const bucket = bucketStart(p.t, ms);
    const found = buckets.get(bucket);
    const one = aggregateOf(p.t, p.v);
    buckets.set(bucket, found ? mergeAggregate(found, one) : one);
  }
}

/** A TimeSeriesStore kept in memory; nothing survives the process. */
export function createInMemoryTimeSeriesStore(): TimeSeriesStore {
  const series = new Map<string, Series>();
  let closed = false;

  /** Runs synchronous work as a settled promise, so a throw becomes a rejection like in adapters. */
  const run = <T>(work: () => T): Promise<T> => {
    try {
      if (closed) throw new Error("Cannot use the in-memory time series store: it is closed");
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const pointsIn = (query: RangeQuery, from: number, to: number): RawPoint[] => {
    const found = series.get(seriesKey(query.deviceId, query.metric));
    if (!found) return [];
    return [...found.points.values()].filter((p) => p.t >= from && p.t < to).sort((a, b) => a.t - b.t);
  };

  return {
    init: () => run(() => {}),

    write: (points: MetricPoint[]) =>
      run(() => {
        for (const p of points) {
          const key = seriesKey(p.deviceId, p.metric);
          const raw = { t: p.t, v: p.value };
          const existing = series.get(key);
          if (!existing) {
            const created: Series = {
              deviceId: p.deviceId,
              metric: p.metric,
              points: new Map([[p.t, raw]]),
              latest: raw,
              rollups: new Map(),
            };
            series.set(key, created);
            rollUp(created, raw);
            continue;
          }
          if (existing.points.has(p.t)) continue;
          existing.points.set(p.t, raw);
          rollUp(existing, raw);
          if (p.t > existing.latest.t) existing.latest = raw;
        }
      }),

    range: (query: RangeQuery): Promise<RawPoint[]> =>
      run(() =>
        pointsIn(query, query.from, query.to)
          .slice(0, query.limit ?? DEFAULT_QUERY_LIMIT)
          .map((p) => ({ ...p }))
      ),

    downsample: (query: DownsampleQuery): Promise<BucketPoint[]> =>
      run(() => {
        const { from, to } = bucketedRange(query.from, query.to, query.bucketMs);
        const level = rollupLevelFor(query.bucketMs);
        const rollups = level && series.get(seriesKey(query.deviceId, query.metric))?.rollups.get(level);
        const buckets = level === undefined
          ? downsamplePoints(pointsIn(query, from, to), query.bucketMs, query.agg)
          : combineBuckets(
            [...(rollups || new Map<number, RollupAggregate>())]
              .filter(([t]) => t >= from && t < to)
              .map(([t, agg]) => ({ t, agg })),
            query.bucketMs,
            query.agg,
          );
        return buckets.slice(0, query.limit ?? DEFAULT_QUERY_LIMIT);
      }),

    latest: (deviceId: string): Promise<LatestValue[]> =>
      run(() => {
        const values: LatestValue[] = [];
        for (const s of series.values()) {
          if (s.deviceId === deviceId) values.push({ metric: s.metric, t: s.latest.t, value: s.latest.v });
        }
        return values.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
      }),

    oldest: () =>
      run(() => {
        const oldest: OldestPerTier = {};
        const note = (tier: SeriesTier, t: number) => {
          if (oldest[tier] === undefined || t < oldest[tier]!) oldest[tier] = t;
        };
        for (const s of series.values()) {
          for (const t of s.points.keys()) note("raw", t);
          for (const [level, buckets] of s.rollups) for (const t of buckets.keys()) note(level, t);
        }
        return oldest;
      }),

    deleteOlderThan: (tier: SeriesTier, before: number, limit: number) =>
      run(() => {
        let deleted = 0;
        for (const s of series.values()) {
          const rows: Map<number, unknown> | undefined = tier === "raw" ? s.points : s.rollups.get(tier);
          for (const t of rows?.keys() ?? []) {
            if (deleted >= limit) return deleted;
            if (t < before) deleted += Number(rows!.delete(t));
          }
        }
        return deleted;
      }),

    clear: () => run(() => series.clear()),

    close: () => Promise.resolve(void (closed = true)),
  };
}
