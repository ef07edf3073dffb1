/**
 * The processors view's model: per processor, its lag per topic, events per second between two
 * scrapes of `/metrics`, dead letters, retries and health (the `aiot_processor_running` gauge,
 * with the reason from `/readyz`'s `processors` check, which only admins are shown). The metrics
 * carry no partition label: lag is per topic, summed over its partitions.
 */
import type { Sample } from "./prometheus_text.ts";

export interface Scrape {
  /** Epoch ms of the scrape. */
  at: number;
  samples: readonly Sample[];
}

export type ProcessorHealthState = "running" | "not running" | "unknown";

export interface ProcessorRow {
  processor: string;
  lag: { topic: string; lag: number }[];
  totalLag: number;
  eventsTotal: number;
  /** Undefined until two scrapes are known (or after a counter reset: a restart). */
  eventsPerSecond?: number;
  deadLetters: number;
  retries: number;
  health: ProcessorHealthState;
  /** Why it does not run (stalled or failed), from `/readyz`, for admins. */
  problem?: string;
}

const sumBy = (samples: readonly Sample[], name: string) => {
  const sums = new Map<string, number>();
  for (const s of samples) {
    const processor = s.labels.processor;
    if (s.name === name && processor !== undefined) sums.set(processor, (sums.get(processor) ?? 0) + s.value);
  }
  return sums;
};

/** One row per processor named by any processor metric, by name. */
export function processorRows(current: Scrape, previous?: Scrape, problems = new Map<string, string>()) {
  const events = sumBy(current.samples, "aiot_processor_events_total");
  const before = previous
    ? sumBy(previous.samples, "aiot_processor_events_total")
    : new Map<string, number>();
  const deadLetters = sumBy(current.samples, "aiot_dead_letters_total");
  const retries = sumBy(current.samples, "aiot_processor_retries_total");
  const running = sumBy(current.samples, "aiot_processor_running");
  const lags = new Map<string, { topic: string; lag: number }[]>();
  for (const s of current.samples) {
    const { processor, topic } = s.labels;
    if (s.name !== "aiot_consumer_lag" || processor === undefined) continue;
    lags.set(processor, [...lags.get(processor) ?? [], { topic: topic ?? "", lag: s.value }]);
  }
  const names = new Set([...events.keys(), ...lags.keys(), ...running.keys(), ...deadLetters.keys()]);
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  return [...names].sort().map((processor): ProcessorRow => {
    const lag = (lags.get(processor) ?? []).sort((a, b) => a.topic.localeCompare(b.topic));
    const total = events.get(processor) ?? 0;
    const earlier = before.get(processor);
    const rate = seconds > 0 && earlier !== undefined && total >= earlier
      ? (total - earlier) / seconds
      : undefined;
    const state = running.get(processor);
    const problem = problems.get(processor);
    return {
      processor,
      lag,
      totalLag: lag.reduce((sum, l) => sum + l.lag, 0),
      eventsTotal: total,
      ...(rate === undefined ? {} : { eventsPerSecond: rate }),
      deadLetters: deadLetters.get(processor) ?? 0,
      retries: retries.get(processor) ?? 0,
      health: state === undefined ? "unknown" : state > 0 ? "running" : "not running",
      ...(problem ? { problem } : {}),
    };
  });
}

/**
 * Each processor's problem from the `processors` check's detail, which joins
 * `"<processor> stalled since …: <reason>"` / `"<processor> failed at …: <reason>"` with `"; "`
 * (a reason may itself hold `"; "`, so it is cut at the next processor's start, not at `;`).
 */
export function processorProblems(detail: string, processors: readonly string[]): Map<string, string> {
  const starts: { processor: string; at: number }[] = [];
  for (const processor of processors) {
    const pattern = new RegExp(`(^|; )${escape(processor)} (stalled since|failed at) `, "g");
    for (const match of detail.matchAll(pattern)) {
      starts.push({ processor, at: match.index + match[1]!.length });
    }
  }
  starts.sort((a, b) => a.at - b.at);
  return new Map(starts.map(({ processor, at }, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.at - 2 : detail.length;
    return [processor, detail.slice(at + processor.length + 1, end)];
  }));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
