/**
 * Retention sweeps: delete what is older than its retention a bounded chunk at a time, letting the
 * event loop turn between chunks, so a sweep over millions of rows (the first one after a lowered
 * retention) never holds the thread or the store's write lock for long and ingest goes on.
 */
import type { SeriesTier, TimeSeriesStore } from "../timeseries/time_series_store.ts";

export interface SweepOptions {
  /** Epoch ms; the cut-off of a tier is `now() - retention`. */
  now: () => number;
  /** Rows per delete. Default 5,000 (a few ms on SQLite). */
  chunk?: number;
  /** Awaited between chunks. Default: one turn of the event loop (`setTimeout(0)`). */
  pause?: () => Promise<void>;
  signal?: AbortSignal;
}

export const DEFAULT_SWEEP_CHUNK = 5_000;

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Deletes, per tier with a retention, what is older than it, in chunks of `deleteChunk`. Resolves
 * with the rows deleted per tier. Stops early (without error) when `signal` aborts.
 */
export async function sweepInChunks<T extends string>(
  retention: Partial<Record<T, number>>,
  deleteChunk: (target: T, before: number, limit: number) => Promise<number>,
  options: SweepOptions,
): Promise<Partial<Record<T, number>>> {
  const chunk = options.chunk ?? DEFAULT_SWEEP_CHUNK;
  const pause = options.pause ?? nextTurn;
  const deleted: Partial<Record<T, number>> = {};
  for (const [target, ms] of Object.entries(retention) as [T, number | undefined][]) {
    if (ms === undefined) continue;
    const before = options.now() - ms;
    let total = 0;
    for (;;) {
      if (options.signal?.aborted) break;
      const n = await deleteChunk(target, before, chunk);
      total += n;
      if (n < chunk) break;
      await pause();
    }
    deleted[target] = total;
  }
  return deleted;
}

/** `sweepInChunks` over a TimeSeriesStore: raw points and each rollup level by their own retention. */
export function sweepTimeSeries(
  store: TimeSeriesStore,
  retention: Partial<Record<SeriesTier, number>>,
  options: SweepOptions,
): Promise<Partial<Record<SeriesTier, number>>> {
  return sweepInChunks(
    retention,
    (tier, before, limit) => store.deleteOlderThan(tier, before, limit),
    options,
  );
}

export interface SweepSchedule {
  /** Resolves when the sweep in progress (if any) finished; no further sweeps start. */
  stop(): Promise<void>;
}

/**
 * Runs `sweep` soon after start (so a lowered retention takes effect without waiting an interval)
 * and then every `intervalMs`, never two at once. A failing sweep is reported and tried again at
 * the next interval: retention must never stop the process.
 */
export function scheduleSweeps(
  sweep: (signal: AbortSignal) => Promise<unknown>,
  options: { intervalMs: number; firstDelayMs?: number; onError?: (error: unknown) => void },
): SweepSchedule {
  const abort = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    running = (async () => {
      try {
        await sweep(abort.signal);
      } catch (error) {
        options.onError?.(error);
      }
    })().finally(() => {
      if (!abort.signal.aborted) timer = setTimeout(run, options.intervalMs);
    });
  };
  timer = setTimeout(run, options.firstDelayMs ?? 1_000);
  return {
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
