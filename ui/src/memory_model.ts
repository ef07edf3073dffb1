/**
 * The processors view's memory line, from the gauges `/metrics` carries: the process's resident
 * set and, per JavaScript thread, the V8 heap in use and reserved (README "Memory").
 */
import type { Sample } from "./prometheus_text.ts";

export interface ThreadHeap {
  thread: string;
  usedBytes: number;
  reservedBytes: number;
}

export interface MemorySummary {
  residentBytes?: number;
  threads: ThreadHeap[];
}

export function memorySummary(samples: readonly Sample[]): MemorySummary {
  const threads = new Map<string, ThreadHeap>();
  let residentBytes: number | undefined;
  for (const s of samples) {
    if (s.name === "aiot_process_resident_memory_bytes") residentBytes = s.value;
    const thread = s.labels.thread;
    if (thread === undefined) continue;
    const heap = () => {
      let entry = threads.get(thread);
      if (!entry) threads.set(thread, entry = { thread, usedBytes: 0, reservedBytes: 0 });
      return entry;
    };
    if (s.name === "aiot_heap_used_bytes") heap().usedBytes = s.value;
    else if (s.name === "aiot_heap_total_bytes") heap().reservedBytes = s.value;
  }
  // The main thread first, the others by name.
  const ordered = [...threads.values()].sort((a, b) =>
    a.thread === "main" ? -1 : b.thread === "main" ? 1 : a.thread.localeCompare(b.thread)
  );
  return { ...(residentBytes === undefined ? {} : { residentBytes }), threads: ordered };
}

const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;

/** "RSS 312 MiB · main heap 80 of 120 MiB · projection-thread heap 40 of 60 MiB", or "" when absent. */
export function memoryText(summary: MemorySummary): string {
  const parts: string[] = [];
  if (summary.residentBytes !== undefined) parts.push(`RSS ${mib(summary.residentBytes)}`);
  for (const t of summary.threads) {
    parts.push(`${t.thread} heap ${Math.round(t.usedBytes / 1048576)} of ${mib(t.reservedBytes)}`);
  }
  return parts.join(" · ");
}
