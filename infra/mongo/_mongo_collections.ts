/**
 * The collections of the MongoDB time series store and how they are created: raw points in a real
 * time-series collection when the server has them (MongoDB ≥ 5), else (FerretDB v1) in a plain
 * collection with the same document shape; rollups and latest values in plain collections.
 */
import type { Collection, Db } from "mongodb";
import type { MetricValue, RollupLevel } from "../../core/timeseries/time_series_store.ts";

/**
 * How raw points are stored and written:
 * - `"timeseries"`: a time-series collection; no upserts or unique indexes there, so a write looks
 *   up which points exist and inserts the others (exactly once with one writer per device).
 * - `"plain"`: a plain collection with `_id = device|metric|t`; a write upserts with `$setOnInsert`.
 * - `"insert-only"`: a plain collection written like a time-series one (tests that path on servers
 *   without time-series collections).
 */
export type PointsLayout = "timeseries" | "plain" | "insert-only";

/** A raw point; `meta` is the time-series metaField, `t` the timeField. */
export interface PointDoc {
  _id?: string;
  t: Date;
  meta: { d: string; m: string };
  v: MetricValue;
  seq: number;
}

/** One rollup bucket: `_id = device|metric|level|bucketStart`; `seq` = highest seq applied. */
export interface RollupDoc {
  _id: string;
  d: string;
  m: string;
  l: RollupLevel;
  b: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  lastT: number;
  last: number;
  seq: number;
}

/** The latest value of one series: `_id = device|metric`. */
export interface LatestDoc {
  _id: string;
  d: string;
  m: string;
  t: number;
  v: MetricValue;
  seq: number;
}

export interface TimeSeriesCollections {
  points: Collection<PointDoc>;
  rollups: Collection<RollupDoc>;
  latest: Collection<LatestDoc>;
  layout: PointsLayout;
  /** True when the server expires old raw points itself (a TTL or `expireAfterSeconds`). */
  serverRetention: boolean;
  /** Read-merge-write updates carry their version in the filter (see `guardedUpdates` option). */
  guardedUpdates: boolean;
}

export interface CollectionSetup {
  prefix: string;
  /** `"auto"`: a time-series collection when the server supports it, else `"plain"`. */
  layout: "auto" | PointsLayout;
  retentionSeconds: number | undefined;
  /** Default: on, except on FerretDB (see `MongoTimeSeriesOptions.guardedUpdates`). */
  guardedUpdates: boolean | undefined;
}

/** Creates what is missing (idempotent) and tells how the existing points collection is laid out. */
export async function openCollections(db: Db, setup: CollectionSetup): Promise<TimeSeriesCollections> {
  const name = `${setup.prefix}points`;
  let existing = await collectionType(db, name);
  if (existing === undefined && (setup.layout === "auto" || setup.layout === "timeseries")) {
    try {
      await db.createCollection(name, {
        timeseries: { timeField: "t", metaField: "meta", granularity: "seconds" },
        ...(setup.retentionSeconds === undefined ? {} : { expireAfterSeconds: setup.retentionSeconds }),
      });
    } catch (error) {
      // FerretDB answers NotImplemented; other servers may say CommandNotSupported or
      // InvalidOptions. Whatever the reason: if nothing was created, fall back to a plain collection.
      if (setup.layout === "timeseries") throw error;
    }
    existing = await collectionType(db, name);
  }
  if (existing === undefined) {
    await db.createCollection(name).catch(async (error) => {
      if ((await collectionType(db, name)) === undefined) throw error; // not a lost creation race
    });
    existing = "collection";
  }
  const layout: PointsLayout = existing === "timeseries"
    ? "timeseries"
    : setup.layout === "insert-only"
    ? "insert-only"
    : "plain";

  const points = db.collection<PointDoc>(name);
  await points.createIndex({ "meta.d": 1, "meta.m": 1, t: 1 });
  let serverRetention = layout === "timeseries" && setup.retentionSeconds !== undefined;
  if (layout !== "timeseries" && setup.retentionSeconds !== undefined) {
    // FerretDB v1 has no TTL indexes; then the store deletes old points itself.
    serverRetention = await points.createIndex({ t: 1 }, { expireAfterSeconds: setup.retentionSeconds })
      .then(() => true, () => false);
  }
  const rollups = db.collection<RollupDoc>(`${setup.prefix}rollups`);
  await rollups.createIndex({ d: 1, m: 1, l: 1, b: 1 });
  const latest = db.collection<LatestDoc>(`${setup.prefix}latest`);
  await latest.createIndex({ d: 1 });
  // FerretDB v1 (SQLite) pushes only `{_id: value}` filters down, so `{_id, seq}` scans the
  // collection; and its conditional updates are not atomic anyway (see `atomicConditionalUpdates`
  // in the tests: 450 successful compare-and-set increments by 3 clients left 238).
  const guardedUpdates = setup.guardedUpdates ??
    !("ferretdbVersion" in await db.admin().command({ buildInfo: 1 }));
  return { points, rollups, latest, layout, serverRetention, guardedUpdates };
}

/** `"timeseries"`, `"collection"`, or undefined when there is no such collection. */
async function collectionType(db: Db, name: string): Promise<string | undefined> {
  const [info] = await db.listCollections({ name }, { nameOnly: false }).toArray();
  return info ? String((info as { type?: string }).type ?? "collection") : undefined;
}
