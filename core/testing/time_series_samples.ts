/**
 * Test data for the TimeSeriesStore contract: seeded random histories cut into write batches the
 * way the timeseries processor would write them, and a brute-force downsampling written without
 * the shared rollup code, so the contract checks the adapters against an independent oracle.
 */
import assert from "node:assert/strict";
import type {
  Aggregation,
  BucketPoint,
  MetricPoint,
  MetricValue,
  RawPoint,
} from "../timeseries/time_series_store.ts";

/** A seeded PRNG (mulberry32) in [0, 1): failures can be replayed from the seed in the message. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HistoryOptions {
  random: () => number;
  devices: string[];
  metrics: string[];
  points: number;
  /** First possible t, epoch ms. */
  start: number;
  spanMs: number;
  /** Share of non-numeric values (booleans and strings); the metric "mode" gets half of them. */
  nonNumeric?: number;
}

/**
 * Random points with unique (device, metric, t), in arrival order: times mostly follow arrival
 * with up to 3 h of jitter, and 5% land anywhere in the span (late uploads, clock jumps); each
 * event (1–5 points of one device) shares one `seq`, increasing in arrival order.
 */
export function randomHistory(options: HistoryOptions): MetricPoint[] {
  const { random, devices, metrics } = options;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const seen = new Set<string>();
  const out: MetricPoint[] = [];
  let seq = 0;
  while (out.length < options.points) {
    const deviceId = pick(devices);
    seq += 1 + Math.floor(random() * 3);
    const size = 1 + Math.floor(random() * 5);
    for (let i = 0; i < size && out.length < options.points; i++) {
      const metric = pick(metrics);
      const anywhere = random() < 0.05;
      const progress = anywhere ? random() : out.length / options.points;
      const jitter = anywhere ? 0 : Math.floor((random() - 0.5) * 6 * 3_600_000);
      const t = options.start +
        Math.min(options.spanMs - 1, Math.max(0, Math.floor(progress * options.spanMs) + jitter));
      const key = `${deviceId}\n${metric}\n${t}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const shareNonNumeric = metric === "mode" ? 0.5 : options.nonNumeric ?? 0.1;
      out.push({ deviceId, metric, t, seq, value: randomValue(random, shareNonNumeric) });
    }
  }
  return out;
}

function randomValue(random: () => number, shareNonNumeric: number): MetricValue {
  const r = random();
  if (r < shareNonNumeric / 2) return random() < 0.5;
  if (r < shareNonNumeric) return random() < 0.5 ? "eco" : String(Math.round(random() * 1000) / 10);
  return Math.round((random() * 2000 - 1000) * 10) / 10 + 0; // + 0: no -0, whose sign BSON ints drop
}

/** Cuts points into write batches of about `size` points, never splitting one `seq` across two. */
export function batchesOf(points: MetricPoint[], size: number, random?: () => number): MetricPoint[][] {
  const batches: MetricPoint[][] = [];
  let current: MetricPoint[] = [];
  let target = random ? 1 + Math.floor(random() * size * 2) : size;
  for (const p of points) {
    const last = current[current.length - 1];
    if (current.length >= target && last && last.seq !== p.seq) {
      batches.push(current);
      current = [];
      target = random ? 1 + Math.floor(random() * size * 2) : size;
    }
    current.push(p);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The raw points of one series in [from, to), oldest first, straight from the written points. */
export function expectedRange(
  points: MetricPoint[],
  deviceId: string,
  metric: string,
  from: number,
  to: number,
) {
  return points
    .filter((p) => p.deviceId === deviceId && p.metric === metric && p.t >= from && p.t < to)
    .sort((a, b) => a.t - b.t)
    .map((p): RawPoint => ({ t: p.t, v: p.value }));
}

/** Downsampling by brute force: a bucket counts when its start is in [from, to). */
export function bruteForceDownsample(
  points: MetricPoint[],
  query: { deviceId: string; metric: string; from: number; to: number; bucketMs: number; agg: Aggregation },
): BucketPoint[] {
  const buckets = new Map<number, { t: number; v: number }[]>();
  for (const p of points) {
    if (p.deviceId !== query.deviceId || p.metric !== query.metric || typeof p.value !== "number") continue;
    const start = Math.floor(p.t / query.bucketMs) * query.bucketMs;
    if (start < query.from || start >= query.to) continue;
    const list = buckets.get(start) ?? [];
    list.push({ t: p.t, v: p.value });
    buckets.set(start, list);
  }
  return [...buckets.keys()].sort((a, b) => a - b).map((t) => {
    const values = buckets.get(t)!;
    const numbers = values.map((x) => x.v);
    const sum = numbers.reduce((s, v) => s + v, 0);
    const latest = values.reduce((a, b) => (b.t > a.t ? b : a));
    const v = {
      avg: sum / numbers.length,
      min: Math.min(...numbers),
      max: Math.max(...numbers),
      sum,
      count: numbers.length,
      last: latest.v,
    }[query.agg];
    return { t, v };
  });
}

/** Same buckets, same values; sums and averages within a relative 1e-9 (addition order differs). */
export function assertBucketsClose(actual: BucketPoint[], expected: BucketPoint[], context: string): void {
  assert.deepEqual(actual.map((b) => b.t), expected.map((b) => b.t), `bucket starts differ: ${context}`);
  actual.forEach((b, i) => {
    const e = expected[i]!.v;
    const tolerance = 1e-9 * Math.max(1, Math.abs(e));
    assert.ok(Math.abs(b.v - e) <= tolerance, `bucket ${b.t}: got ${b.v}, expected ${e}: ${context}`);
  });
}

/**
 * `perDevice` temperature points for each of `devices` devices (`dev-0`…), one a minute from
 * `start`, devices interleaved; values count up; every point carries `seq`.
 */
export const minutePoints = (devices: number, perDevice: number, start: number, seq: number): MetricPoint[] =>
  Array.from({ length: devices * perDevice }, (_, i) => ({
    deviceId: `dev-${i % devices}`,
    metric: "temperature",
    t: start + Math.floor(i / devices) * 60_000,
    value: i,
    seq,
  }));
