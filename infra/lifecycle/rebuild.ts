/**
 * Rebuild a projection from the log: clear its store, then run the very processor definition the
 * platform runs live, through the same runner, with a consumer group of its own from the start of
 * the log up to the end offsets seen when the rebuild began. Same code path → rebuild equals live.
 * Poison events were dead-lettered when they first went by; a rebuild skips and counts them.
 */
import type { EventLog, StartPosition } from "../../core/log/event_log.ts";
import type { ProcessorDefinition } from "../../core/processing/processor.ts";
import { runProcessor } from "../../core/processing/runner.ts";

export interface RebuildOptions {
  log: EventLog;
  processor: ProcessorDefinition;
  /** Empties the store first; skipped with `fromTimestamp` (a partial replay onto idempotent writes). */
  clear(): Promise<void>;
  fromTimestamp?: number;
  /** Receives a progress line about twice a second, and a final one. */
  progress?: (line: string, final: boolean) => void;
  signal?: AbortSignal;
  now?: () => number;
}

export interface RebuildResult {
  events: number;
  skippedPoison: number;
  ms: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { log, processor } = options;
  const now = options.now ?? Date.now;
  const targets = new Map<string, Map<number, number>>();
  let total = 0;
  for (const topic of processor.topics) {
    const ends = await log.endOffsets(topic);
    targets.set(topic, new Map(ends.map((p) => [p.partition, p.end])));
    total += ends.reduce((sum, p) => sum + p.end - p.start, 0);
  }
  if (options.fromTimestamp === undefined) await options.clear();

  const group = `${processor.name}-rebuild-${now()}`;
  const from: StartPosition = options.fromTimestamp === undefined
    ? "earliest"
    : { timestamp: options.fromTimestamp };
  let events = 0;
  let skippedPoison = 0;
  const started = now();
  const running = runProcessor(processor, {
    log,
    group,
    from,
    lagIntervalMs: 0,
    hooks: { onBatch: (b) => void (events += b.events), onDeadLetter: () => void skippedPoison++ },
    ...(options.signal ? { signal: options.signal } : {}),
  });

  const caughtUp = async (): Promise<boolean> => {
    for (const [topic, ends] of targets) {
      for (const p of await log.lag(group, topic)) {
        if (p.committed < (ends.get(p.partition) ?? 0)) return false;
      }
    }
    return true;
  };
  const line = () => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    const rate = events / seconds;
    const percent = total === 0 ? 100 : Math.min(100, (events / total) * 100);
    const eta = rate > 0 ? Math.max(0, (total - events) / rate) : 0;
    return `rebuild ${processor.name}: ${fmt(events)}/${fmt(total)} events (${percent.toFixed(0)}%) · ` +
      `${fmt(rate)} events/s · ETA ${eta.toFixed(0)} s`;
  };

  try {
    while (!(await caughtUp())) {
      options.signal?.throwIfAborted();
      await Promise.race([running.done, new Promise((r) => setTimeout(r, 500))]);
      options.progress?.(line(), false);
    }
  } finally {
    await running.stop();
  }
  await running.done;
  options.progress?.(
    `${line()} · done${skippedPoison ? `, ${skippedPoison} poison event(s) skipped` : ""}`,
    true,
  );
  return { events, skippedPoison, ms: now() - started };
}
