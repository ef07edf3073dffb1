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
 *
 * The guards matter only when two writers handle one device at once (a zombie consumer during a
 * rebalance); a crash followed by redelivery is covered by the seq comparison alone. Unguarded
 * (`guardedUpdates: false`, the default on FerretDB), concurrent writers of one device can lose
 * an update.
 */
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Document,
  type Filter,
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

type KeyedDoc = Document & { _id: string };

/**
 * Operations per bulkWrite command. FerretDB v1.24 (SQLite backend) hangs on an update command of
 * about 100 or more statements that touch existing documents (and on a few large ones at once), so
 * writes go in small sequential commands. Real MongoDB would take 100,000.
 */
const OPS_PER_COMMAND = 50;

interface BulkOutcome {
  matched: number;
  inserted: number;
}

/** bulkWrite in sequential commands of OPS_PER_COMMAND; throws the first command's error. */
async function bulkWriteInChunks<D extends Document>(
  collection: Collection<D>,
  ops: AnyBulkWriteOperation<D>[],
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { matched: 0, inserted: 0 };
  for (let start = 0; start < ops.length; start += OPS_PER_COMMAND) {
    const result = await collection.bulkWrite(ops.slice(start, start + OPS_PER_COMMAND), { ordered: false });
    outcome.matched += result.matchedCount;
    outcome.inserted += result.insertedCount;
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
    ? await insertKeyedPoints(c.points, batch)
    : await insertMissingPoints(c.points, batch);
}

/** Inserts with `_id = device|metric|t`; only when some existed, their stored seq is looked up. */
async function insertKeyedPoints(
  points: Collection<PointDoc>,
  batch: Map<string, MetricPoint>,
): Promise<MetricPoint[]> {
  // Inserts, not upserts: FerretDB v1 writes an upserted document in a transaction of its own
  // (≈ 10 ms each) but a whole insertMany in one.
  const docs = [...batch].map(([key, p]) => ({ _id: key, ...pointDoc(p) }));
  try {
    await points.insertMany(docs, { ordered: false });
    return [...batch.values()];
  } catch (error) {
    if (!isDuplicateKeyOnly(error)) throw error;
  }
  const stored = new Map<string, number>();
  const cursor = points.find({ _id: { $in: [...batch.keys()] } }, { projection: { seq: 1 } });
  for await (const doc of cursor) stored.set(String(doc._id), doc.seq);
  return [...batch].filter(([key, p]) => stored.get(key) === p.seq).map(([, p]) => p);
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
  await readMergeWrite(c.rollups, [...groups.keys()], c.guardedUpdates ? "seq" : undefined, (key, doc) => {
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
  await readMergeWrite(c.latest, [...newest.keys()], c.guardedUpdates ? "t" : undefined, (key, doc) => {
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
  typed: Collection<D>,
  keys: string[],
  guard: (keyof D & string) | undefined,
  merge: (key: string, doc: D | undefined) => Omit<D, "_id"> | undefined,
): Promise<void> {
  // Untyped from here: the driver's Filter<D> cannot see that every D has a string _id.
  const collection = typed as unknown as Collection<KeyedDoc>;
  let pending = keys;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new InfrastructureError(
        `Cannot update ${collection.collectionName}: ${pending.length} documents kept changing under ${MAX_ATTEMPTS} attempts`,
        { retriable: true },
      );
    }
    const docs = new Map<string, D>();
    const found = collection.find({ _id: { $in: pending } });
    for await (const doc of found) docs.set(String(doc._id), doc as unknown as D);
    const ops: AnyBulkWriteOperation<KeyedDoc>[] = [];
    const written: string[] = [];
    for (const key of pending) {
      const doc = docs.get(key);
      const next = merge(key, doc);
      if (!next) continue;
      written.push(key);
      const filter: Filter<KeyedDoc> = guard && doc ? { _id: key, [guard]: doc[guard] } : { _id: key };
      ops.push(
        doc
          ? { updateOne: { filter, update: { $set: next as Partial<KeyedDoc> } } }
          : { insertOne: { document: { ...next, _id: key } } },
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
