/**
 * Bench `retention`: the cost of a retention sweep while ingesting (issue 16). A SQLite time-series
 * store is filled with N old points (1,000 series, one point a minute each, ten days ago), then
 * ingest (batches of 1,000 new points, one per series, as the projector writes them) runs alone
 * for a while and then beside a sweep that deletes the old raw points and their 1 min rollups
 * (retention 7 days) in chunks of 5,000. Reported: the sweep's rate, the ingest rate during the
 * sweep against ingest alone (the ratio), and the slowest ingest batch in both phases (a sweep that
 * blocked ingest would show there). Ingest and sweep share one thread and one database file here,
 * the harder case: in the platform the sweep runs on the main thread and the projector on its own.
 */
import type { MetricPoint, TimeSeriesStore } from "../core/timeseries/time_series_store.ts";
import { sweepTimeSeries } from "../core/retention/sweep.ts";
import { createSqliteTimeSeriesStore } from "../infra/sqlite/sqlite_time_series_store.ts";

const SERIES = 1000;
const DAY = 86_400_000;
const MIN = 60_000;

export interface RetentionRun {
  points: number;
  fillSeconds: number;
  ingestAlone: { pointsPerSecond: number; maxBatchMs: number; seconds: number };
  ingestDuringSweep: { pointsPerSecond: number; maxBatchMs: number; seconds: number };
  sweep: { rawDeleted: number; rollupsDeleted: number; seconds: number; rowsPerSecond: number };
  ratio: number;
}

const batchAt = (t: number, seq: number): MetricPoint[] =>
  Array.from(
    { length: SERIES },
    (_, i) => ({ deviceId: `dev-${i}`, metric: "temperature", t, value: i, seq }),
  );

/** Ingest batches until `stop()` says so; the rate and the slowest batch. */
async function ingest(store: TimeSeriesStore, from: { t: number; seq: number }, stop: () => boolean) {
  const started = performance.now();
  let points = 0;
  let maxBatchMs = 0;
  while (!stop()) {
    const before = performance.now();
    await store.write(batchAt(from.t, from.seq));
    maxBatchMs = Math.max(maxBatchMs, performance.now() - before);
    from.t += 1000;
    from.seq++;
    points += SERIES;
    await new Promise((resolve) => setTimeout(resolve, 0)); // as a consumer between batches
  }
  const seconds = (performance.now() - started) / 1000;
  return { pointsPerSecond: Math.round(points / seconds), maxBatchMs: Math.round(maxBatchMs), seconds };
}

export async function measureRetention(
  count: number,
  progress: (line: string) => void,
): Promise<RetentionRun> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-bench-retention-" });
  const store = createSqliteTimeSeriesStore(`${dir}/timeseries.db`);
  await store.init();
  try {
    const now = Date.now();
    const oldStart = now - 10 * DAY - Math.ceil(count / SERIES) * MIN;
    const fillStarted = performance.now();
    const perSeries = Math.ceil(count / SERIES);
    for (let minute = 0; minute < perSeries; minute += 10) {
      const batch: MetricPoint[] = [];
      for (let m = minute; m < Math.min(minute + 10, perSeries); m++) {
        batch.push(...batchAt(oldStart + m * MIN, m));
      }
      await store.write(batch);
      if (minute % 500 === 0) progress(`  retention: filled ${(minute * SERIES).toLocaleString()} points`);
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const points = perSeries * SERIES;
    progress(`  retention: ${points.toLocaleString()} old points in ${fillSeconds.toFixed(1)} s`);

    const live = { t: now - 30 * MIN, seq: perSeries + 1 };
    const aloneUntil = performance.now() + 10_000;
    const ingestAlone = await ingest(store, live, () => performance.now() > aloneUntil);
    progress(`  retention: ingest alone ${ingestAlone.pointsPerSecond.toLocaleString()} points/s`);

    let sweeping = true;
    const during = ingest(store, live, () => !sweeping);
    const sweepStarted = performance.now();
    const deleted = await sweepTimeSeries(store, { raw: 7 * DAY, "1m": 7 * DAY }, { now: () => now });
    const sweepSeconds = (performance.now() - sweepStarted) / 1000;
    sweeping = false;
    const ingestDuringSweep = await during;
    const rows = (deleted.raw ?? 0) + (deleted["1m"] ?? 0);
    progress(`  retention: swept ${rows.toLocaleString()} rows in ${sweepSeconds.toFixed(1)} s`);
    return {
      points,
      fillSeconds,
      ingestAlone,
      ingestDuringSweep,
      sweep: {
        rawDeleted: deleted.raw ?? 0,
        rollupsDeleted: deleted["1m"] ?? 0,
        seconds: sweepSeconds,
        rowsPerSecond: Math.round(rows / sweepSeconds),
      },
      ratio: ingestDuringSweep.pointsPerSecond / ingestAlone.pointsPerSecond,
    };
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
