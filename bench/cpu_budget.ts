/**
 * Bench `cpu-budget`: what one telemetry message costs in CPU at the two places that bound the
 * embedded platform's throughput, measured on the raw parts in this process, so the e2e numbers
 * can be read against a floor of the same day and machine:
 *
 * - the SQLite time-series store (9 points, 3 rollup levels, latest values, fsync'd transaction)
 *   per message, by write batch size: a projector that keeps up writes small batches, one that
 *   is behind writes up to 1,000 messages per partition batch;
 * - for comparison with the e2e per-thread rows: CPU µs per message = CPU seconds / messages.
 *
 * On 2 cores, a sustained rate R leaves 2,000,000 / R µs of CPU per message for everything
 * (broker, ingest, log, projectors, GC, and the bench's own devices).
 */
import { createSqliteTimeSeriesStore } from "../infra/sqlite/sqlite_time_series_store.ts";
import type { MetricPoint } from "../core/timeseries/time_series_store.ts";
import { cpuSeconds } from "./proc_stats.ts";

export interface BatchCost {
  batchMessages: number;
  messagesPerSecond: number;
  cpuMicrosPerMessage: number;
}

const DEVICES = 100;
const METRICS = 9;

/** utime + stime of this process, seconds. */
const processCpuSeconds = () => cpuSeconds({ label: "bench", pid: Deno.pid });

/** Writes `messages` telemetry messages (9 numeric metrics each) in batches of `batchMessages`. */
export async function timeSeriesCost(batchMessages: number, messages: number): Promise<BatchCost> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-bench-cpu-" });
  const store = createSqliteTimeSeriesStore(`${dir}/timeseries.db`);
  try {
    await store.init();
    let t = Date.now();
    let seq = 0;
    const cpu0 = processCpuSeconds();
    const started = performance.now();
    for (let sent = 0; sent < messages; sent += batchMessages) {
      const points: MetricPoint[] = [];
      for (let m = 0; m < batchMessages; m++) {
        const deviceId = `device-${(sent + m) % DEVICES}`;
        t += 1;
        seq++;
        for (let k = 0; k < METRICS; k++) {
          points.push({ deviceId, metric: `m${k}`, t, value: Math.random(), seq });
        }
      }
      await store.write(points);
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      batchMessages,
      messagesPerSecond: messages / seconds,
      cpuMicrosPerMessage: ((processCpuSeconds() - cpu0) * 1e6) / messages,
    };
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

export async function measureCpuBudget(
  options: { quick: boolean; progress: (line: string) => void },
): Promise<BatchCost[]> {
  const messages = options.quick ? 10_000 : 40_000;
  const out: BatchCost[] = [];
  for (const batch of [15, 60, 250, 1000]) {
    const cost = await timeSeriesCost(batch, messages);
    options.progress(
      `  cpu-budget: time series, batches of ${batch} messages: ${
        Math.round(cost.cpuMicrosPerMessage)
      } µs/message`,
    );
    out.push(cost);
  }
  return out;
}
