/**
 * The three steps of a MongoDB write, without transactions and with only what FerretDB v1 has:
 *
 * 1. `storePoints` stores the raw points that are new and returns the points that "belong" to this
 *    write: those whose stored document carries the point's own `seq` (stored now, or by an earlier
 *    delivery of the same event that crashed before step 2 or 3 finished).
 * 2. `applyRollups` merges the belonging points into their rollup buckets (one document per
 *    device, level and bucket, all metrics in it), each bucket read, merged in memory and written
 *    back as one document (`_mongo_versioned.ts`); a point counts only when its seq is above the
 *    bucket's. A device's points come in increasing seq, one event whole in one write, and all
 *    of a write's points of one bucket land in one atomic document write: so the bucket's seq says
 *    exactly which points it holds, and a redelivered batch (cut the same way or not) counts once.
 * 3. `applyLatest` does the same for the latest value of each metric, one document per device;
 *    a value replaces the stored one only when it is newer, so redelivery changes nothing. Steps 2
 *    and 3 depend on step 1 only, not on each other, so the store runs them side by side.
 *
 * The guards matter only when two writers handle one device at once (a zombie consumer during a
 * rebalance); a crash followed by redelivery is covered by the seq comparison alone. Unguarded
 * (`guardedUpdates: false`, the default on FerretDB), concurrent writers of one device can lose
 * an update.
 */
import type { Collection } from "mongodb";
import {
  aggregatePoints,
  bucketStart,
  isNumeric,
  mergeAggregate,
  pointKey,
  seriesKey,
} from "../../core/timeseries/rollup.ts";
import {
  type MetricPoint,
  ROLLUP_LEVELS,
  type RollupLevel,
} from "../../core/timeseries/time_series_store.ts";
import type { LatestDoc, MetricAggregate, PointDoc, TimeSeriesCollections } from "./_mongo_collections.ts";
import { isDuplicateKeyOnly, readMergeWrite } from "./_mongo_versioned.ts";

/** `device|level|bucketStart`: the rollup document of one device, level and bucket. */
export const rollupDocKey = (deviceId: string, level: RollupLevel, bucket: number): string =>
  `${seriesKey(deviceId, level)}|${bucket}`;

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

interface DeviceBucket {
  deviceId: string;
  level: RollupLevel;
  bucket: number;
  points: MetricPoint[];
}

/** The numeric points per (device, level, bucket start), for every rollup level. */
function groupPerDeviceBucket(points: Iterable<MetricPoint>): Map<string, DeviceBucket> {
  const groups = new Map<string, DeviceBucket>();
  for (const p of points) {
    if (!isNumeric(p.value)) continue;
    for (const [level, ms] of Object.entries(ROLLUP_LEVELS) as [RollupLevel, number][]) {
      const bucket = bucketStart(p.t, ms);
      const key = rollupDocKey(p.deviceId, level, bucket);
      const group = groups.get(key);
      if (group) group.points.push(p);
      else groups.set(key, { deviceId: p.deviceId, level, bucket, points: [p] });
    }
  }
  return groups;
}

/** Per metric, the stored aggregate merged with the aggregate of `fresh`. */
function mergeMetrics(stored: MetricAggregate[], fresh: MetricPoint[]): MetricAggregate[] {
  const byMetric = new Map(stored.map((a) => [a.k, a]));
  const freshByMetric = new Map<string, MetricPoint[]>();
  for (const p of fresh) freshByMetric.set(p.metric, [...freshByMetric.get(p.metric) ?? [], p]);
  for (const [metric, points] of freshByMetric) {
    const agg = aggregatePoints(points)!; // fresh points are numeric
    const before = byMetric.get(metric);
    byMetric.set(metric, { k: metric, ...(before ? mergeAggregate(before, agg) : agg) });
  }
  return [...byMetric.values()];
}

/** Step 2: merges belonging points into rollup buckets, each at most once. */
export async function applyRollups(c: TimeSeriesCollections, belonging: MetricPoint[]): Promise<void> {
  const groups = groupPerDeviceBucket(belonging);
  const options = { mode: c.rewrite, guarded: c.guardedUpdates };
  await readMergeWrite(c.rollups, [...groups.keys()], options, (key, doc) => {
    const group = groups.get(key)!;
    const fresh = doc ? group.points.filter((p) => p.seq > doc.seq) : group.points;
    if (fresh.length === 0) return undefined;
    return {
      d: group.deviceId,
      l: group.level,
      b: group.bucket,
      seq: fresh.reduce((s, p) => Math.max(s, p.seq), doc?.seq ?? -Infinity),
      m: mergeMetrics(doc?.m ?? [], fresh),
    };
  });
}

/** Step 3: keeps the latest (by time) belonging value of each metric of each device. */
export async function applyLatest(c: TimeSeriesCollections, belonging: MetricPoint[]): Promise<void> {
  const newest = new Map<string, Map<string, MetricPoint>>();
  for (const p of belonging) {
    const device = newest.get(p.deviceId) ?? new Map<string, MetricPoint>();
    newest.set(p.deviceId, device);
    const current = device.get(p.metric);
    if (!current || p.t > current.t) device.set(p.metric, p);
  }
  const options = { mode: c.rewrite, guarded: c.guardedUpdates };
  await readMergeWrite(c.latest, [...newest.keys()], options, (deviceId, doc) => {
    const values = new Map((doc?.m ?? []).map((v) => [v.k, v]));
    let changed = false;
    for (const p of newest.get(deviceId)!.values()) {
      const stored = values.get(p.metric);
      if (stored && stored.t >= p.t) continue;
      values.set(p.metric, { k: p.metric, t: p.t, v: p.value });
      changed = true;
    }
    return changed
      ? { d: deviceId, m: [...values.values()] } satisfies Omit<LatestDoc, "_id" | "key" | "ver">
      : undefined;
  });
}
