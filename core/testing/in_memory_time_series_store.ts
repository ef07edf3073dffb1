/**
 * In-memory TimeSeriesStore for tests: points in a map per series, downsampling computed from the
 * raw points on every query (the fake keeps no rollups; the contract checks the adapters that do).
 */
import { bucketedRange, downsamplePoints, seriesKey } from "../timeseries/rollup.ts";
import {
  type BucketPoint,
  DEFAULT_QUERY_LIMIT,
  type DownsampleQuery,
  type LatestValue,
  type MetricPoint,
  type RangeQuery,
  type RawPoint,
  type TimeSeriesStore,
} from "../timeseries/time_series_store.ts";

interface Series {
  deviceId: string;
  metric: string;
  /** t → value; the first write of a t wins. */
  points: Map<number, RawPoint>;
  latest: RawPoint;
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
            series.set(key, {
              deviceId: p.deviceId,
              metric: p.metric,
              points: new Map([[p.t, raw]]),
              latest: raw,
            });
            continue;
          }
          if (existing.points.has(p.t)) continue;
          existing.points.set(p.t, raw);
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
        const buckets = downsamplePoints(pointsIn(query, from, to), query.bucketMs, query.agg);
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

    clear: () => run(() => series.clear()),

    close: () => Promise.resolve(void (closed = true)),
  };
}
