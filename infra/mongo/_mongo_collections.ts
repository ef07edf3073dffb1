/**
 * The collections of the MongoDB time series store and how they are created: raw points in a real
 * time-series collection when the server has them (MongoDB ≥ 5: the server buckets them per
 * device and time itself, compressed, which a hand-made bucket document cannot beat), else
 * (FerretDB v1) in a plain collection with the same document shape, written with one insertMany
 * per batch (FerretDB's cheapest write); rollups and latest values in plain collections, one
 * document per device and bucket (see `RollupDoc`).
 *
 * Version 2 of the rollup and latest shape lives in `<prefix>rollups_v2` and `<prefix>latest_v2`;
 * the per-series documents of version 1 (`<prefix>rollups`, `<prefix>latest`) are not read. Raw
 * points keep their shape and collection, so a rebuild from them or from the log (`clear()` and a
 * replay) fills the new rollups.
 */
import type { Collection, Db } from "mongodb";
import type { RollupAggregate } from "../../core/timeseries/rollup.ts";
import type { MetricValue, RollupLevel } from "../../core/timeseries/time_series_store.ts";
import type { RewriteMode, Versioned } from "./_mongo_versioned.ts";

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

/** The aggregate of one metric in a rollup bucket (`k`: the metric). */
export interface MetricAggregate extends RollupAggregate {
  k: string;
}

/**
 * One rollup bucket of one device and level, all its metrics together (the bucket pattern: a
 * batch of 100 devices × 9 metrics rewrites 300 of these, not 2,700 per-series ones); `key` is
 * `device|level|bucketStart`, `seq` the highest seq applied. Metrics are an array, not an object,
 * so any metric name (dots, `$`) is a value, never a field path.
 */
export interface RollupDoc extends Versioned {
  d: string;
  l: RollupLevel;
  b: number;
  seq: number;
  m: MetricAggregate[];
}

/** The latest value of each metric of one device (`key`: the device id). */
export interface LatestDoc extends Versioned {
  d: string;
  m: { k: string; t: number; v: MetricValue }[];
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
  /** How rollup and latest documents are rewritten (see `_mongo_versioned.ts`). */
  rewrite: RewriteMode;
}

export interface CollectionSetup {
  prefix: string;
  /** `"auto"`: a time-series collection when the server supports it, else `"plain"`. */
  layout: "auto" | PointsLayout;
  retentionSeconds: number | undefined;
  /** Default: on, except on FerretDB (see `MongoTimeSeriesOptions.guardedUpdates`). */
  guardedUpdates: boolean | undefined;
  /** Default: `"replace"` on FerretDB, else `"update"` (see `MongoTimeSeriesOptions.rewrite`). */
  rewrite?: RewriteMode | undefined;
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

  // FerretDB v1 (SQLite) pushes only `{_id: value}` filters down and no sort: an index there
  // serves none of the retention queries and costs every write (a rollup update rewrites the whole
  // document, so each of its indexes), so the retention indexes are made on MongoDB only.
  const ferretdb = "ferretdbVersion" in await db.admin().command({ buildInfo: 1 });
  const points = db.collection<PointDoc>(name);
  await points.createIndex({ "meta.d": 1, "meta.m": 1, t: 1 });
  const serverRetention = layout === "timeseries"
    ? await timeSeriesExpiry(db, name, setup.retentionSeconds)
    : ferretdb
    ? false // no TTL indexes ("expireAfterSeconds is not implemented"): the store's sweep deletes
    : await ttlIndex(points, setup.retentionSeconds);
  const rollups = db.collection<RollupDoc>(`${setup.prefix}rollups_v2`);
  await rollups.createIndex({ d: 1, l: 1, b: 1 });
  // Retention: the oldest bucket of a level and the buckets of a level to delete.
  if (!ferretdb) await rollups.createIndex({ l: 1, b: 1 });
  const latest = db.collection<LatestDoc>(`${setup.prefix}latest_v2`);
  // FerretDB v1 (SQLite) pushes only `{_id: value}` filters down, so `{_id, seq}` scans the
  // collection; and its conditional updates are not atomic anyway (see `atomicConditionalUpdates`
  // in the tests: 450 successful compare-and-set increments by 3 clients left 238).
  const guardedUpdates = setup.guardedUpdates ?? !ferretdb;
  return {
    points,
    rollups,
    latest,
    layout,
    serverRetention,
    guardedUpdates,
    rewrite: ferretdb ? "replace" : "update",
  };
}

/**
 * A time-series collection expires its points itself (`expireAfterSeconds`, set at creation); a
 * changed or removed retention is applied with `collMod`, so lowering it is retroactive there too.
 * True when the server expires the points.
 */
async function timeSeriesExpiry(db: Db, name: string, seconds: number | undefined): Promise<boolean> {
  const [info] = await db.listCollections({ name }, { nameOnly: false }).toArray();
  const current = (info as { options?: { expireAfterSeconds?: number } } | undefined)?.options
    ?.expireAfterSeconds;
  if (current === seconds) return seconds !== undefined;
  try {
    await db.command({ collMod: name, expireAfterSeconds: seconds ?? "off" });
    return seconds !== undefined;
  } catch {
    // Not changeable here: the store's own sweep cannot delete from a time-series collection on
    // servers before MongoDB 7, so the retention the collection has stays in force.
    return current !== undefined;
  }
}

/**
 * A plain collection on MongoDB: a TTL index on `t` (else, where the server refuses one, a plain
 * index on `t`, used by `oldest()` and by the store's own retention sweep). A changed retention is applied with `collMod` (which also turns a
 * plain index into a TTL one, MongoDB ≥ 5.1); a removed one replaces the TTL index by a plain one.
 * Nothing is dropped on a server without TTL indexes, so processes starting at once cannot race.
 * True when the server expires the points.
 */
async function ttlIndex(points: Collection<PointDoc>, seconds: number | undefined): Promise<boolean> {
  const existing = (await points.indexes()).find((i) => i.name === "t_1");
  const ttl = existing?.expireAfterSeconds;
  if (seconds === undefined) {
    if (ttl !== undefined) await points.dropIndex("t_1").catch(() => {}); // another process was first
    await points.createIndex({ t: 1 });
    return false;
  }
  if (ttl === seconds) return true;
  if (existing) {
    return await points.db.command({
      collMod: points.collectionName,
      index: { name: "t_1", expireAfterSeconds: seconds },
    }).then(() => true, () => false);
  }
  return await points.createIndex({ t: 1 }, { expireAfterSeconds: seconds }).then(
    () => true,
    async () => {
      await points.createIndex({ t: 1 });
      return false;
    },
  );
}

/** `"timeseries"`, `"collection"`, or undefined when there is no such collection. */
async function collectionType(db: Db, name: string): Promise<string | undefined> {
  const [info] = await db.listCollections({ name }, { nameOnly: false }).toArray();
  return info ? String((info as { type?: string }).type ?? "collection") : undefined;
}
