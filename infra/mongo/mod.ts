/**
 * @module
 * The MongoDB adapter of the `TimeSeriesStore` port (design §4): `createMongoTimeSeriesStore`
 * stores raw points in a time-series collection (or, on FerretDB v1, a plain collection of the same
 * shape) and keeps 1 min / 1 h / 1 day rollups (one document per device and bucket) and latest
 * values (one document per device) at write time, exactly once across redelivery without
 * transactions. Needs `--allow-net --allow-env --allow-sys --allow-read`.
 */
export {
  createMongoTimeSeriesStore,
  type MongoTimeSeriesOptions,
  type MongoTimeSeriesStore,
} from "./mongo_time_series_store.ts";
export type { PointsLayout } from "./_mongo_collections.ts";
export type { RewriteMode } from "./_mongo_versioned.ts";
