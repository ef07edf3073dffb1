/**
 * Memory on `/metrics`: the process's resident set and, per JavaScript thread (each is a V8
 * isolate with a heap of its own), the heap in use, the heap reserved and the memory held outside
 * the heap (buffers). Read at scrape time for the main thread; the projection thread reports its
 * own every few seconds (`reportThreadMemory`).
 */
import type { Metrics } from "../../core/metrics/metrics.ts";

export interface HeapUsage {
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** How often a worker thread reports its heap to the main thread. */
export const THREAD_MEMORY_REPORT_MS = 2000;

export function heapUsage(): HeapUsage {
  const { heapUsed, heapTotal, external } = Deno.memoryUsage();
  return { heapUsed, heapTotal, external };
}

/** Registers the gauges; `threads` holds the latest report of each worker thread by name. */
export function registerMemoryMetrics(metrics: Metrics, threads: ReadonlyMap<string, HeapUsage>): void {
  metrics.gauge("aiot_process_resident_memory_bytes", "Resident set size of the process.", () => [
    { labels: {}, value: Deno.memoryUsage().rss },
  ]);
  const perThread = (pick: (usage: HeapUsage) => number) => () => {
    const rows = [{ labels: { thread: "main" }, value: pick(heapUsage()) }];
    for (const [thread, usage] of threads) rows.push({ labels: { thread }, value: pick(usage) });
    return rows;
  };
  metrics.gauge(
    "aiot_heap_used_bytes",
    "V8 heap in use, per JavaScript thread.",
    perThread((u) => u.heapUsed),
  );
  metrics.gauge(
    "aiot_heap_total_bytes",
    "V8 heap reserved, per JavaScript thread.",
    perThread((u) => u.heapTotal),
  );
  metrics.gauge(
    "aiot_external_memory_bytes",
    "Memory held by a thread's JavaScript objects outside the V8 heap (buffers).",
    perThread((u) => u.external),
  );
}
