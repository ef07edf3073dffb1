/**
 * Bench `rules` (issue 12): how fast rules are evaluated and backtested, side by side with work the
 * platform already does on the same events.
 * - Evaluation: 100 rules over 1,000 devices through the rules processor's `handle` + `persist`
 *   (state in SQLite, the embedded path) and `handle` alone (in-memory state), against the
 *   time-series projector writing the same decoded events to the SQLite time-series store.
 * - Backtest: `backtest()` over decoded events in memory, and the API's path (SQLite log replay of
 *   the range + decode + `backtest()`) against the raw replay of the same records.
 * Publish → `alert.raised` on SSE latency is in rules_latency.ts.
 */
import { type DomainEvent, type EventOf } from "../core/events/catalog.ts";
import { decodeEvent, toLogMessage } from "../core/events/codec.ts";
import type { EventLog } from "../core/log/event_log.ts";
import type { HandleContext, ProcessorDefinition } from "../core/processing/processor.ts";
import type { ProcessorStateStore } from "../core/processing/state_store.ts";
import { backtest, ruleOf } from "../core/rules/mod.ts";
import { createInMemoryProcessorStateStore } from "../core/testing/in_memory_processor_state_store.ts";
import { createSqlProcessorStateStore } from "../infra/readmodels/sql_processor_state_store.ts";
import { createSqliteEventLog } from "../infra/sqlite/sqlite_event_log.ts";
import { createSqliteSqlDriver } from "../infra/sqlite/sqlite_sql_driver.ts";
import { createSqliteTimeSeriesStore } from "../infra/sqlite/sqlite_time_series_store.ts";
import { rulesProcessor } from "../processors/rules/mod.ts";
import { timeseriesProjector } from "../processors/timeseries/mod.ts";
import process from "node:process";
import type { Comparison, Sample } from "./harness.ts";
import { benchDevices, benchRules, benchTelemetry } from "./rules_workload.ts";

export const RULES = 100;
export const DEVICES = 1000;
const BATCH = 1000;
const topics = { telemetry: "t", device: "d", alert: "a", command: "c", dlq: "q" };
const START = Date.UTC(2026, 10, 1);

/**
 * Events per CPU-second of this process, by label, beside the wall-clock rates the harness
 * reports: on a machine shared with other work, CPU time says what the code costs, wall time
 * also how long it waited for a core.
 */
const cpuRates = new Map<string, number[]>();

/** Runs `work` (returning its units), recording its CPU rate under `label`; returns the wall-clock sample. */
async function measured(label: string, work: () => Promise<number>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const units = await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  cpuRates.set(label, [...cpuRates.get(label) ?? [], units / ((used.user + used.system) / 1e6)]);
  return { units, ms };
}

/** The median events per CPU-second of each label measured so far. */
export function medianCpuRates(): { label: string; rate: number; runs: number }[] {
  return [...cpuRates].map(([label, rates]) => {
    const sorted = [...rates].sort((a, b) => a - b);
    return { label, rate: sorted[sorted.length >> 1]!, runs: sorted.length };
  });
}

/** Feeds `events` of `topic` to `processor` a batch at a time; `persist` after each batch when given. */
async function feed(
  processor: ProcessorDefinition,
  topic: string,
  events: readonly DomainEvent[],
  persist: boolean,
): Promise<number> {
  const signal = new AbortController().signal;
  let outputs = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const batch = events.slice(i, i + BATCH);
    const context: HandleContext = { topic, partition: 0, offsets: batch.map((_, j) => i + j), signal };
    const output = await processor.handle(batch, context);
    for (const append of output?.append ?? []) outputs += append.events.length;
    if (persist) await processor.persist?.();
  }
  return outputs;
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "aiot-bench-rules-" });
}

/** One run of the rules processor over `telemetry`, with the rules and devices fed (untimed) first. */
async function rulesRun(
  label: string,
  state: () => Promise<{ store: ProcessorStateStore; close(): Promise<void> }>,
  setup: { rules: DomainEvent[]; devices: DomainEvent[]; telemetry: DomainEvent[] },
  persist: boolean,
  onAlerts: (n: number) => void,
): Promise<Sample> {
  const { store, close } = await state();
  try {
    const processor = rulesProcessor({ topics, state: store, now: () => START + 3_600_000 });
    await processor.init();
    await feed(processor, topics.alert, setup.rules, true);
    await feed(processor, topics.device, setup.devices, true);
    return await measured(label, async () => {
      onAlerts(await feed(processor, topics.telemetry, setup.telemetry, persist));
      return setup.telemetry.length;
    });
  } finally {
    await close();
  }
}

const sqliteState = async () => {
  const dir = await tempDir();
  const driver = createSqliteSqlDriver({ path: `${dir}/processors.db` });
  const store = createSqlProcessorStateStore(driver);
  await store.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
};

const memoryState = () =>
  Promise.resolve({ store: createInMemoryProcessorStateStore(), close: () => Promise.resolve() });

const TIMESERIES = "timeseries projector (SQLite store)";
const WITH_PERSIST = "rules handle + persist (SQLite state)";
const HANDLE_ONLY = "rules handle (in-memory state)";

async function timeseriesRun(telemetry: readonly DomainEvent[]): Promise<Sample> {
  const dir = await tempDir();
  const store = createSqliteTimeSeriesStore(`${dir}/timeseries.db`);
  try {
    const projector = timeseriesProjector(store, topics.telemetry);
    return await measured(TIMESERIES, async () => {
      await feed(projector, topics.telemetry, telemetry, false);
      return telemetry.length;
    });
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Evaluation throughput: the rules processor against the time-series projector, same events. */
export function evaluationComparisons(count: number, progress: (line: string) => void): Comparison[] {
  const setup = {
    rules: benchRules(RULES, START - 60_000),
    devices: benchDevices(DEVICES, START - 60_000),
    telemetry: benchTelemetry(count, DEVICES, START),
  };
  const name = `rules: ${RULES} rules × ${DEVICES} devices, ${
    count / 1000
  }k telemetry events (4 metrics each)`;
  const baseline = {
    label: TIMESERIES,
    run: () => timeseriesRun(setup.telemetry),
  };
  let reported = false;
  const onAlerts = (n: number) => {
    if (!reported) progress(`  rules: ${n} alert events out of ${count} telemetry events`);
    reported = true;
  };
  return [
    {
      name,
      unit: "events/s",
      baseline,
      aiot: {
        label: WITH_PERSIST,
        run: () => rulesRun(WITH_PERSIST, sqliteState, setup, true, onAlerts),
      },
    },
    {
      name,
      unit: "events/s",
      baseline,
      aiot: {
        label: HANDLE_ONLY,
        run: () => rulesRun(HANDLE_ONLY, memoryState, setup, false, onAlerts),
      },
    },
  ];
}

/** The backtested rule: a threshold with `forSeconds` and a hysteresis on every device. */
function backtestRule() {
  const [defined] = benchRules(1, START - 60_000) as EventOf<"rule.defined">[];
  return ruleOf(defined!);
}

async function* chunksOf(events: readonly DomainEvent[]): AsyncIterable<DomainEvent[]> {
  for (let i = 0; i < events.length; i += BATCH) yield events.slice(i, i + BATCH);
}

/** `backtest()` over decoded events in memory, `runs` times over the same events: the rule code alone. */
export async function backtestInMemory(
  count: number,
  runs: number,
): Promise<(Sample & { raised: number })[]> {
  const events = benchTelemetry(count, DEVICES, START);
  const rule = backtestRule();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    let raised = 0;
    const sample = await measured("backtest() over decoded events", async () => {
      raised = (await backtest(rule, chunksOf(events), { from: START, to: START + 86_400_000 })).stats.raised;
      return count;
    });
    samples.push({ ...sample, raised });
  }
  return samples;
}

/** The API's `readLog` (api_wiring.ts): replay [from, to) by append time, decode each record. */
async function* readLog(log: EventLog, topic: string, fromMs: number, toMs: number) {
  for await (const records of log.replay(topic, { from: { timestamp: fromMs }, toTimestamp: toMs })) {
    const events: DomainEvent[] = [];
    for (const record of records) {
      const decoded = decodeEvent(record.value);
      if (decoded.ok) events.push(decoded.event);
    }
    yield events;
  }
}

export interface BacktestLog {
  comparisons: Comparison[];
  close(): Promise<void>;
}

/** Writes `count` telemetry events to an embedded log; compares the backtest path to raw replay. */
export async function backtestLogComparisons(
  count: number,
  progress: (line: string) => void,
): Promise<BacktestLog> {
  const dir = await tempDir();
  const log = createSqliteEventLog({ path: `${dir}/log.db` });
  const topic = "aiot.telemetry";
  await log.ensureTopics([{ name: topic, partitions: 4 }]);
  const fromMs = Date.now() - 1;
  const written = performance.now();
  const CHUNK = 50_000;
  for (let i = 0; i < count; i += CHUNK) {
    // Generated a chunk at a time: each chunk's event times continue the previous one's.
    const events = benchTelemetry(Math.min(CHUNK, count - i), DEVICES, START + (i / DEVICES) * 1000);
    for (let j = 0; j < events.length; j += 10 * BATCH) {
      await log.append(topic, events.slice(j, j + 10 * BATCH).map(toLogMessage));
    }
  }
  const toMs = Date.now() + 1;
  progress(
    `  rules backtest: ${count} events written to the SQLite log in ${
      Math.round(performance.now() - written)
    } ms`,
  );
  const rule = backtestRule();
  const range = { from: START, to: START + 86_400_000 };
  const RAW = "SqliteEventLog.replay of the range";
  const FULL = "replay + decode + backtest()";
  const DECODE = "replay + decode (the API's readLog)";
  const full = {
    label: FULL,
    run: () =>
      measured(FULL, async () => {
        let scanned = 0;
        await backtest(rule, readLog(log, topic, fromMs, toMs), {
          ...range,
          onProgress: (p) => scanned = p.scanned,
        });
        return scanned;
      }),
  };
  const name = `rules backtest: ${count / 1000}k telemetry events from the SQLite log (4 partitions)`;
  return {
    comparisons: [{
      name,
      unit: "events/s",
      baseline: {
        label: RAW,
        run: () =>
          measured(RAW, async () => {
            let n = 0;
            for await (
              const records of log.replay(topic, { from: { timestamp: fromMs }, toTimestamp: toMs })
            ) {
              n += records.length;
            }
            return n;
          }),
      },
      aiot: full,
    }, {
      // Where the time goes: reading and decoding alone, against the same plus the rule.
      name,
      unit: "events/s",
      baseline: {
        label: DECODE,
        run: () =>
          measured(DECODE, async () => {
            let n = 0;
            for await (const events of readLog(log, topic, fromMs, toMs)) n += events.length;
            return n;
          }),
      },
      aiot: full,
    }],
    close: async () => {
      await log.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
