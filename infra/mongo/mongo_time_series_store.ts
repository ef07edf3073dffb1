/**
 * TimeSeriesStore on MongoDB (production) and FerretDB v1 (tests here) through `npm:mongodb`.
 * Raw points go to a time-series collection when the server has them, else to a plain collection
 * of the same shape; rollups (1 min, 1 h, 1 day; one document per device, level and bucket) and
 * latest values (one document per device) are plain collections kept at write time without
 * transactions (see `_mongo_write.ts` for the exactly-once argument). Queries are `find` by `_id`
 * (`sort` for raw points); wider buckets are merged from rollup buckets in TypeScript. Failures a
 * retry can fix (the server away, shutting down, out of disk) are retriable `InfrastructureError`s.
 * Needs `--allow-net --allow-env --allow-sys --allow-read`.
 */
import { type Filter, MongoClient } from "mongodb";
import {
  bucketedRange,
  combineBuckets,
  downsamplePoints,
  rollupLevelFor,
} from "../../core/timeseries/rollup.ts";
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
} from "../../core/timeseries/time_series_store.ts";
import {
  openCollections,
  type PointDoc,
  type PointsLayout,
  type TimeSeriesCollections,
} from "./_mongo_collections.ts";
import { mongoError } from "./_mongo_errors.ts";
import { currentByKey, type RewriteMode, slotIds } from "./_mongo_versioned.ts";
import { applyLatest, applyRollups, firstPerKey, rollupDocKey, storePoints } from "./_mongo_write.ts";

/** Up to this many rollup documents (two slots per bucket) are fetched by id (`$in`), beyond it by range. */
const MAX_IDS_PER_QUERY = 5000;

export interface MongoTimeSeriesOptions {
  url: string;
  database: string;
  /** Prefix of the collection names (`<prefix>points`, `<prefix>rollups`, `<prefix>latest`). Default "ts_". */
  collectionPrefix?: string;
  /**
   * Raw points older than this are deleted (rollups are kept), checked on writes at most once an
   * hour where the server has no TTL indexes. Default: kept forever. (Older option: configuration
   * sets `rawRetentionMs`, and a retention sweep calls `deleteOlderThan`.)
   */
  retentionDays?: number;
  /**
   * Age limit of raw points, ms: a TTL index (MongoDB) expires them, changed with `collMod` when
   * the limit changes; where the server has none (FerretDB v1), `deleteOlderThan("raw", …)` does.
   */
  rawRetentionMs?: number;
  /** Default "auto": a time-series collection when the server has them, else a plain one. */
  layout?: "auto" | PointsLayout;
  /** Clock for retention where the server has no TTL indexes. Default `Date.now`. */
  now?: () => number;
  /**
   * Rollup and latest updates apply only to the version they were computed from, so two writers of
   * one device at once cannot lose an update. Default: on, except on FerretDB v1, whose SQLite
   * backend scans the whole collection for any filter other than `{_id}` (≈ 20 ms per 1,000
   * documents, for every update): there one writer per device is assumed (design §1.5).
   */
  guardedUpdates?: boolean;
  /**
   * How rollup and latest documents are rewritten: `"update"` in place (right for MongoDB), or
   * `"replace"`: insert the new version, then delete the old (FerretDB v1, whose SQLite backend
   * scans the collection for each updated document, but once per `insertMany` or `_id $in` delete). Default: `"replace"` on
   * FerretDB, else `"update"`. See `_mongo_versioned.ts`.
   */
  rewrite?: RewriteMode;
  /** How long to wait for the server before an operation fails. Default 10,000 ms. */
  serverSelectionTimeoutMS?: number;
}

export interface MongoTimeSeriesStore extends TimeSeriesStore {
  /** How raw points are stored; known after `init()`. */
  readonly layout: PointsLayout | undefined;
  /**
   * Who deletes raw points past their retention, known after `init()`: `"ttl"` the server (TTL
   * index or a time-series collection's `expireAfterSeconds`), `"sweep"` the store's own deletes.
   */
  readonly rawExpiry: "ttl" | "sweep" | undefined;
}

/** Deletes expired raw points at most this often when the server cannot (FerretDB: no TTL). */
const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** `fn`, with driver errors a retry can fix turned into retriable `InfrastructureError`s. */
const classified = <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) =>
async (
  ...args: A
): Promise<R> => {
  try {
    return await fn(...args);
  } catch (error) {
    throw mongoError(error, what);
  }
};

/** A store on its own client; `init()` connects, creates what is missing and detects the layout. */
export function createMongoTimeSeriesStore(options: MongoTimeSeriesOptions): MongoTimeSeriesStore {
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    // A stuck server (FerretDB can hang on some writes) fails the call instead of hanging forever.
    socketTimeoutMS: 120_000,
  });
  const db = client.db(options.database);
  const now = options.now ?? Date.now;
  const pruneOnWriteMs = options.retentionDays === undefined ? undefined : options.retentionDays * DAY_MS;
  const retentionMs = options.rawRetentionMs ?? pruneOnWriteMs;
  let collections: TimeSeriesCollections | undefined;
  let lastPrune = -Infinity;

  const init = async (): Promise<TimeSeriesCollections> => {
    await db.command({ ping: 1 });
    collections = await openCollections(db, {
      prefix: options.collectionPrefix ?? "ts_",
      layout: options.layout ?? "auto",
      retentionSeconds: retentionMs === undefined ? undefined : Math.round(retentionMs / 1000),
      guardedUpdates: options.guardedUpdates,
      rewrite: options.rewrite,
    });
    return collections;
  };
  const ready = async () => collections ?? await init();

  const pruneIfDue = async (c: TimeSeriesCollections) => {
    if (pruneOnWriteMs === undefined || c.serverRetention || now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now();
    await c.points.deleteMany({ t: { $lt: new Date(now() - pruneOnWriteMs) } });
  };

  const findPoints = async (
    query: RangeQuery,
    from: number,
    to: number,
    numericOnly: boolean,
    limit?: number,
  ) => {
    const c = await ready();
    const filter: Filter<PointDoc> = {
      "meta.d": query.deviceId,
      "meta.m": query.metric,
      t: { $gte: new Date(from), $lt: new Date(to) },
    };
    // "number" (any numeric BSON type) is a valid $type alias the driver's types do not list.
    if (numericOnly) filter.v = { $type: "number" } as unknown as NonNullable<Filter<PointDoc>["v"]>;
    const cursor = c.points.find(filter, { projection: { _id: 0, t: 1, v: 1 } }).sort({ t: 1 });
    if (limit !== undefined) cursor.limit(limit);
    const out: RawPoint[] = [];
    for await (const doc of cursor) out.push({ t: doc.t.getTime(), v: doc.v });
    return out;
  };

  return {
    get layout() {
      return collections?.layout;
    },

    get rawExpiry() {
      return collections ? (collections.serverRetention ? "ttl" as const : "sweep" as const) : undefined;
    },

    init: classified("init", async () => void await init()),

    write: classified("write", async (points: MetricPoint[]): Promise<void> => {
      const c = await ready();
      const belonging = await storePoints(c, firstPerKey(points));
      // Independent steps (each counts once on its own, see _mongo_write.ts): side by side.
      await Promise.all([applyRollups(c, belonging), applyLatest(c, belonging)]);
      await pruneIfDue(c);
    }),

    range: classified(
      "range query",
      (query: RangeQuery): Promise<RawPoint[]> =>
        findPoints(query, query.from, query.to, false, query.limit ?? DEFAULT_QUERY_LIMIT),
    ),

    downsample: classified("downsample query", async (query: DownsampleQuery): Promise<BucketPoint[]> => {
      const { from, to } = bucketedRange(query.from, query.to, query.bucketMs);
      const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
      const level = rollupLevelFor(query.bucketMs);
      if (level === undefined) {
        const raw = await findPoints(query, from, to, true);
        return downsamplePoints(raw, query.bucketMs, query.agg).slice(0, limit);
      }
      const c = await ready();
      // Rollup ids are deterministic: MongoDB answers `_id $in` from the _id index (FerretDB v1
      // scans the collection for it, as for any filter but `_id` equality, yet once per query);
      // very long ranges fall back to the (d, l, b) filter.
      const step = ROLLUP_LEVELS[level];
      const count = Math.ceil((to - from) / step);
      const filter = 2 * count <= MAX_IDS_PER_QUERY
        ? {
          _id: {
            $in: slotIds(
              Array.from({ length: count }, (_, i) => rollupDocKey(query.deviceId, level, from + i * step)),
            ),
          },
        }
        : { d: query.deviceId, l: level, b: { $gte: from, $lt: to } };
      const parts = [];
      for (const doc of currentByKey(await c.rollups.find(filter).toArray()).values()) {
        const agg = doc.m.find((a) => a.k === query.metric);
        if (agg) parts.push({ t: doc.b, agg });
      }
      return combineBuckets(parts, query.bucketMs, query.agg).slice(0, limit);
    }),

    latest: classified("latest query", async (deviceId: string): Promise<LatestValue[]> => {
      const c = await ready();
      // Two lookups by `_id` equality, the one filter FerretDB v1 does not answer with a scan.
      const slots = await Promise.all(slotIds([deviceId]).map((_id) => c.latest.findOne({ _id })));
      const [doc] = currentByKey(slots.filter((d) => d !== null)).values();
      return (doc?.m ?? [])
        .map((v) => ({ metric: v.k, t: v.t, value: v.v }))
        .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
    }),

    // Sorted finds: on FerretDB v1 (no sort pushdown) these scan the collection, on MongoDB they
    // read the first entry of the `t` and `(l, b)` indexes.
    oldest: classified("oldest query", async (): Promise<OldestPerTier> => {
      const c = await ready();
      const oldest: OldestPerTier = {};
      const [point] = await c.points.find({}, { projection: { _id: 0, t: 1 } }).sort({ t: 1 }).limit(1)
        .toArray();
      if (point) oldest.raw = point.t.getTime();
      for (const level of Object.keys(ROLLUP_LEVELS) as RollupLevel[]) {
        const [bucket] = await c.rollups.find({ l: level }, { projection: { _id: 0, b: 1 } }).sort({ b: 1 })
          .limit(1).toArray();
        if (bucket) oldest[level] = bucket.b;
      }
      return oldest;
    }),

    // A chunk is found, then deleted by `_id` (the filter every server, FerretDB v1 too, serves
    // from an index); the server's TTL does raw points where it has one.
    deleteOlderThan: classified(
      "retention delete",
      async (tier: SeriesTier, before: number, limit: number): Promise<number> => {
        const c = await ready();
        if (tier === "raw" && c.serverRetention) return 0;
        const ids = tier === "raw"
          ? (await c.points.find({ t: { $lt: new Date(before) } }, { projection: { _id: 1 } }).limit(limit)
            .toArray()).map((doc) => doc._id)
          : (await c.rollups.find({ l: tier, b: { $lt: before } }, { projection: { _id: 1 } }).limit(limit)
            .toArray()).map((doc) => doc._id);
        if (ids.length === 0) return 0;
        const result = tier === "raw"
          ? await c.points.deleteMany({ _id: { $in: ids as string[] } })
          : await c.rollups.deleteMany({ _id: { $in: ids } });
        return result.deletedCount;
      },
    ),

    clear: classified("clear", async (): Promise<void> => {
      const c = await ready();
      // Dropping (not deleteMany) works on time-series collections of every server version.
      await Promise.all([c.points.drop(), c.rollups.drop(), c.latest.drop()]);
      collections = undefined;
      await init();
    }),

    close: () => client.close(),
  };
}
