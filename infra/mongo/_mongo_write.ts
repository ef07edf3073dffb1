/**
 * The three steps of a MongoDB write, without transactions and with only what FerretDB v1 has:
 *
 * 1. `storePoints` stores the raw points that are new and returns the points that "belong" to this
 *    write: those whose stored document carries the point's own `seq` (stored now, or by an earlier
 *    delivery of the same event that crashed before step 2 or 3 finished).
 * 2. `applyRollups` merges the belonging points into their rollup buckets, each bucket read, merged
 *    in memory and written back guarded by the `seq` it was read with; a point counts only when its
 *    seq is above the bucket's, so a redelivered batch is counted once.
 * 3. `applyLatest` does the same for the latest value per series, guarded by its time.
 */
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  MongoBulkWriteError,
  MongoServerError,
} from "mongodb";
import { InfrastructureError } from "../../core/errors.ts";
import {
  aggregatePoints,
  groupForRollups,
  mergeAggregate,
  pointKey,
  seriesKey,
} from "../../core/timeseries/rollup.ts";
import type { MetricPoint } from "../../core/timeseries/time_series_store.ts";
import type { PointDoc, TimeSeriesCollections } from "./_mongo_collections.ts";

const MAX_ATTEMPTS = 5;

/**
 * Operations per bulkWrite command. FerretDB v1.24 (SQLite backend) hangs on an update command of
 * about 100 or more statements that touch existing documents (and on a few large ones at once), so
 * writes go in small sequential commands. Real MongoDB would take 100,000.
 */
const OPS_PER_COMMAND = 50;

interface BulkOutcome {
  matched: number;
  inserted: number;
  upsertedIds: unknown[];
}

/** bulkWrite in sequential commands of OPS_PER_COMMAND; throws the first command's error. */
async function bulkWriteInChunks<D extends Document>(
  collection: Collection<D>,
  ops: AnyBulkWriteOperation<D>[],
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { matched: 0, inserted: 0, upsertedIds: [] };
  for (let start = 0; start < ops.length; start += OPS_PER_COMMAND) {
    const result = await collection.bulkWrite(ops.slice(start, start + OPS_PER_COMMAND), { ordered: false });
    outcome.matched += result.matchedCount;
    outcome.inserted += result.insertedCount;
    outcome.upsertedIds.push(...Object.values(result.upsertedIds));
  }
  return outcome;
}

/** The first point of each (device, metric, t) in the batch: the first write wins. */
export function firstPerKey(points: MetricPoint[]): Map<string, MetricPoint> {
  const byKey = new Map<string, MetricPoint>();
  for (const p of points) {
    const key = pointKey(p.deviceId, p.metric, p.t);
    if (!byKey.has(key)) byKey.set(key, p);
  }
  return byKey;
}

const pointDoc = (p: MetricPoint): PointDoc => ({
  t: new Date(p.t),
  meta: { d: p.deviceId, m: p.metric },
  v: p.value,
  seq: p.seq,
});

/** Step 1: stores new points; returns the points whose stored copy has their seq. */
export async function storePoints(
  c: TimeSeriesCollections,
  batch: Map<string, MetricPoint>,
): Promise<MetricPoint[]> {
  if (batch.size === 0) return [];
  return c.layout === "plain"
    ? await upsertPoints(c.points, batch)
    : await insertMissingPoints(c.points, batch);
}

async function upsertPoints(
  points: Collection<PointDoc>,
  batch: Map<string, MetricPoint>,
): Promise<MetricPoint[]> {
  const keys = [...batch.keys()];
  const ops = keys.map((key): AnyBulkWriteOperation<PointDoc> => ({
    updateOne: { filter: { _id: key }, update: { $setOnInsert: pointDoc(batch.get(key)!) }, upsert: true },
  }));
  let upserted: Set<string> | undefined;
  for (let attempt = 1; upserted === undefined; attempt++) {
    try {
      upserted = new Set((await bulkWriteInChunks(points, ops)).upsertedIds.map(String));
    } catch (error) {
      // Two writers upserting one key race to a duplicate key error, and FerretDB stops the batch at
      // the first error: upserts are idempotent, so run them all again.
      if (!isDuplicateKeyOnly(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
  const others = keys.filter((key) => !upserted.has(key));
  const stored = new Map<string, number>();
  if (others.length > 0) {
    const docs = points.find({ _id: { $in: others } }, { projection: { seq: 1 } });
    for await (const doc of docs) stored.set(String(doc._id), doc.seq);
  }
  return keys.filter((key) => upserted.has(key) || stored.get(key) === batch.get(key)!.seq).map((key) =>
    batch.get(key)!
  );
}

async function insertMissingPoints(
  points: Collection<PointDoc>,
  batch: Map<string, MetricPoint>,
): Promise<MetricPoint[]> {
  const bySeries = new Map<string, { d: string; m: string; times: Date[] }>();
  for (const p of batch.values()) {
    const key = seriesKey(p.deviceId, p.metric);
    const series = bySeries.get(key) ?? { d: p.deviceId, m: p.metric, times: [] };
    series.times.push(new Date(p.t));
    bySeries.set(key, series);
  }
  const filter = {
    $or: [...bySeries.values()].map((s) => ({ "meta.d": s.d, "meta.m": s.m, t: { $in: s.times } })),
  };
  const stored = new Map<string, number>();
  for await (const doc of points.find(filter, { projection: { _id: 0, t: 1, meta: 1, seq: 1 } })) {
    stored.set(pointKey(doc.meta.d, doc.meta.m, doc.t.getTime()), doc.seq);
  }
  const missing = [...batch].filter(([key]) => !stored.has(key)).map(([, p]) => p);
  // Not atomic with the lookup: exactly once needs one writer per device at a time (design §1.5).
  if (missing.length > 0) await points.insertMany(missing.map(pointDoc), { ordered: false });
  return [...batch].filter(([key, p]) => !stored.has(key) || stored.get(key) === p.seq).map(([, p]) => p);
}

/** Step 2: merges belonging points into rollup buckets, each at most once. */
export async function applyRollups(c: TimeSeriesCollections, belonging: MetricPoint[]): Promise<void> {
  const groups = groupForRollups(belonging);
  await readMergeWrite(c.rollups, [...groups.keys()], "seq", (key, doc) => {
    const group = groups.get(key)!;
    const fresh = doc ? group.points.filter((p) => p.seq > doc.seq) : group.points;
    const agg = aggregatePoints(fresh);
    if (!agg) return undefined;
    const { count, sum, min, max, lastT, last } = doc ? mergeAggregate(doc, agg) : agg;
    const seq = fresh.reduce((s, p) => Math.max(s, p.seq), doc?.seq ?? -Infinity);
    return {
      d: group.deviceId,
      m: group.metric,
      l: group.level,
      b: group.bucket,
      count,
      sum,
      min,
      max,
      lastT,
      last,
      seq,
    };
  });
}

/** Step 3: keeps the latest (by time) belonging point of each series. */
export async function applyLatest(c: TimeSeriesCollections, belonging: MetricPoint[]): Promise<void> {
  const newest = new Map<string, MetricPoint>();
  for (const p of belonging) {
    const key = seriesKey(p.deviceId, p.metric);
    const current = newest.get(key);
    if (!current || p.t > current.t) newest.set(key, p);
  }
  await readMergeWrite(c.latest, [...newest.keys()], "t", (key, doc) => {
    const p = newest.get(key)!;
    if (doc && doc.t >= p.t) return undefined;
    return { d: p.deviceId, m: p.metric, t: p.t, v: p.value, seq: p.seq };
  });
}

/**
 * Reads the documents, lets `merge` compute each new version (undefined: nothing to change) and
 * writes them back guarded by `guard` (an update only applies to the version it was computed from;
 * a new document is an insert). Anything that lost a race is read and merged again.
 */
async function readMergeWrite<D extends Document & { _id: string }>(
  collection: Collection<D>,
  keys: string[],
  guard: keyof D & string,
  merge: (key: string, doc: D | undefined) => Omit<D, "_id"> | undefined,
): Promise<void> {
  let pending = keys;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new InfrastructureError(
        `Cannot update ${collection.collectionName}: ${pending.length} documents kept changing under ${MAX_ATTEMPTS} attempts`,
        { retriable: true },
      );
    }
    const docs = new Map<string, D>();
    // deno-lint-ignore no-explicit-any -- the driver's Filter<D> cannot see that D has a string _id
    for await (const doc of collection.find({ _id: { $in: pending } } as any)) docs.set(doc._id, doc as D);
    const ops: AnyBulkWriteOperation<D>[] = [];
    const written: string[] = [];
    for (const key of pending) {
      const doc = docs.get(key);
      const next = merge(key, doc);
      if (!next) continue;
      written.push(key);
      // deno-lint-ignore no-explicit-any -- same as above
      const document = { _id: key, ...next } as any;
      ops.push(
        doc
          // deno-lint-ignore no-explicit-any -- same as above
          ? { updateOne: { filter: { _id: key, [guard]: doc[guard] } as any, update: { $set: next as any } } }
          : { insertOne: { document } },
      );
    }
    if (ops.length === 0) return;
    try {
      const result = await bulkWriteInChunks(collection, ops);
      if (result.matched + result.inserted === ops.length) return;
    } catch (error) {
      // A concurrent insert of the same document; FerretDB may also skip the rest of the batch.
      if (!isDuplicateKeyOnly(error)) throw error;
    }
    pending = written;
  }
}

function isDuplicateKeyOnly(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return errors.length > 0 && errors.every((e) => e.code === 11000);
  }
  return error instanceof MongoServerError && error.code === 11000;
}
