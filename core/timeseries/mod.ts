/**
 * @module
 * The TimeSeriesStore port (raw metric points plus 1 min / 1 h / 1 day rollups kept at write time)
 * and the rollup math every adapter shares: epoch-aligned buckets, mergeable aggregates, the rollup
 * level that serves a query bucket and the bucket text of the HTTP API (`parseBucket("5m")`).
 */
export {
  type Aggregation,
  AGGREGATIONS,
  type BucketPoint,
  DEFAULT_QUERY_LIMIT,
  type DownsampleQuery,
  type LatestValue,
  MAX_QUERY_BUCKETS,
  type MetricPoint,
  type MetricValue,
  type OldestPerTier,
  type RangeQuery,
  type RawPoint,
  ROLLUP_LEVELS,
  type RollupLevel,
  SERIES_TIERS,
  type SeriesTier,
  type TimeSeriesStore,
} from "./time_series_store.ts";
export {
  aggregatePoints,
  aggregateValue,
  bucketCount,
  bucketedRange,
  type BucketFold,
  bucketStart,
  combineBuckets,
  createBucketFold,
  downsamplePoints,
  groupForRollups,
  isNumeric,
  mergeAggregate,
  parseBucket,
  pointKey,
  type RollupAggregate,
  type RollupGroup,
  rollupKey,
  rollupLevelFor,
  seriesKey,
} from "./rollup.ts";
