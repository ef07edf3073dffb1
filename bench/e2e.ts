/**
 * Bench `e2e`: emulated devices → MQTT → ingest → log → time series + read models, in two modes
 * in one run: the all-in-one with its embedded engines (aedes, SQLite log and stores), and the
 * real engines (see e2e_topologies.ts). Per mode the target rate steps up; each step publishes
 * `rate × seconds` messages (e2e_load.ts; a platform slower than that holds the publishers back,
 * for up to twice the step's time) and waits until both stores have all of them, or for a drain
 * timeout after the last publish, and then reports:
 *
 * - sustained msg/s: messages in both stores / (first publish → the last one in both stores);
 * - zero loss: raw points stored (messages × 9 metrics) and read-model events applied, read from
 *   the stores directly (e2e_stores.ts), against what the devices got acknowledged;
 * - latency p50/p99 publish → stored, per store: the platform's `aiot_event_age_seconds`
 *   histogram (stored time − the payload's `ts`) scraped before and after, interpolated within
 *   its buckets; messages not stored by the deadline count as slower than every stored one;
 * - CPU seconds and peak RSS per process (proc_stats.ts).
 *
 * A step that does not complete, or sustains less than 80% of its target, ends its mode.
 */
import { histogramDelta, histogramOf, quantile } from "./prom_text.ts";
import { connectFleet, type Fleet, type PublishResult } from "./e2e_load.ts";
import { METRICS_PER_MESSAGE } from "./telemetry_payload.ts";
import { embeddedTopology, realEnginesFromEnv, startRealTopology, type Topology } from "./e2e_topologies.ts";
import type { PlatformChild } from "./platform_child.ts";
import { type Usage, watchProcesses } from "./proc_stats.ts";

export interface E2eOptions {
  /** Target rates (msg/s) per mode, stepped up in order. */
  rates: { embedded: number[]; real: number[] };
  seconds: number;
  /** How long a step waits for the stores after its publishing time. */
  drainMs: number;
  devices: number;
  /** Gateway processes (ingest replicas) in real-engine mode. */
  gateways: number;
  /** `real-sqlite-ts`: the real engines with the time series in SQLite instead of FerretDB. */
  modes: ("embedded" | "real" | "real-sqlite-ts")[];
  progress: (line: string) => void;
}

/** A latency quantile in ms, or a lower bound (`>`) when it lies among the messages not stored. */
export type Latency = { ms: number } | { moreThanMs: number } | undefined;

export interface StoreArrival {
  /** Messages (time series: points / 9) or events (read models) in the store. */
  arrived: number;
  expected: number;
  /** ms from the first publish until the store had all of them; undefined when it did not. */
  completeMs?: number;
  p50: Latency;
  p99: Latency;
}

export interface StepResult {
  mode: string;
  target: number;
  seconds: number;
  sent: number;
  acked: number;
  inLog: number;
  /** Messages in both stores per second, first publish → last one stored (or the deadline). */
  sustained: number;
  points: { stored: number; expected: number };
  timeseries: StoreArrival;
  readmodels: StoreArrival;
  complete: boolean;
  disconnects: number;
  usage: Usage[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scrape(child: PlatformChild): Promise<string> {
  return await fetch(`${child.base}/metrics`).then((r) => r.text());
}

async function appendedTelemetry(t: Topology): Promise<number> {
  const counts = await Promise.all(t.gateways.map((g) => g.appended(t.telemetryTopic)));
  return counts.reduce((a, b) => a + b, 0);
}

/** Latency quantiles of one processor between two scrapes, `total` = messages expected. */
function latencies(
  before: string,
  after: string,
  processor: string,
  total: number,
  notStoredAgeMs: number,
): { p50: Latency; p99: Latency } {
  const name = "aiot_event_age_seconds";
  const h = histogramDelta(histogramOf(after, name, { processor }), histogramOf(before, name, { processor }));
  const at = (q: number): Latency => {
    if (q * total > h.count) return { moreThanMs: notStoredAgeMs };
    const { value, above } = quantile(h, q, total);
    if (value !== undefined) return { ms: value * 1000 };
    return above === undefined ? undefined : { moreThanMs: above * 1000 };
  };
  return { p50: at(0.5), p99: at(0.99) };
}

/** Polls the stores until both have every acknowledged message, or the deadline. */
async function waitForStores(
  t: Topology,
  published: PublishResult,
  readModelsBefore: number,
  deadline: number,
): Promise<{ tsAt?: number; rmAt?: number }> {
  let tsAt: number | undefined;
  let rmAt: number | undefined;
  const expectedPoints = published.acked * METRICS_PER_MESSAGE;
  while (performance.now() < deadline) {
    const now = performance.now();
    if (rmAt === undefined && (await t.stores.readModelEvents()) - readModelsBefore >= published.acked) {
      rmAt = now;
    }
    if (tsAt === undefined) {
      const latest = await t.stores.latestSeq();
      const lastOfEach = [...published.lastAckedTs].every(([id, ts]) => (latest.get(id)?.t ?? 0) >= ts);
      // The last message of every device is stored; count that nothing before it is missing.
      if (lastOfEach && (await t.stores.points(published.firstTs, published.lastTs)) >= expectedPoints) {
        tsAt = now;
      }
    }
    if (tsAt !== undefined && rmAt !== undefined) break;
    await sleep(100);
  }
  return { ...(tsAt === undefined ? {} : { tsAt }), ...(rmAt === undefined ? {} : { rmAt }) };
}

/** Once a second while publishing: messages acknowledged to the devices and in each store. */
function reportProgress(
  t: Topology,
  fleet: Fleet,
  readModelsBefore: number,
  progress: (line: string) => void,
): { stop(): void } {
  const ackedBefore = fleet.acked;
  const started = performance.now();
  const stored = async () => [...(await t.stores.latestSeq()).values()].reduce((sum, l) => sum + l.seq, 0);
  const storedBefore = stored().catch(() => NaN);
  let busy = false; // a store slow to answer (FerretDB under load) must not pile up queries
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    const acked = fleet.acked - ackedBefore;
    const [applied, inTimeSeries] = await Promise.all([
      t.stores.readModelEvents().catch(() => NaN),
      Promise.all([stored(), storedBefore]).then(([now, before]) => now - before, () => NaN),
    ]);
    busy = false;
    progress(
      `    ${((performance.now() - started) / 1000).toFixed(0)} s: acked ${acked}, ` +
        `time series ${inTimeSeries}, read models ${applied - readModelsBefore}`,
    );
  }, 1000);
  return { stop: () => clearInterval(timer) };
}

async function runStep(
  t: Topology,
  fleet: Fleet,
  target: number,
  options: E2eOptions,
): Promise<StepResult> {
  const [metricsBefore, appendedBefore, readModelsBefore] = await Promise.all([
    scrape(t.projectors),
    appendedTelemetry(t),
    t.stores.readModelEvents(),
  ]);
  const disconnectsBefore = fleet.disconnects;
  const watch = watchProcesses(t.processes);
  // A platform slower than the target holds the publishers back (PUBACK window): they may take
  // twice the step's time; the stores then get the drain time.
  const sendUntil = performance.now() + options.seconds * 2000;
  const reporter = reportProgress(t, fleet, readModelsBefore, options.progress);
  const published = await fleet.publish(target, options.seconds, {
    sendUntil,
    deadline: sendUntil + options.drainMs,
  }).finally(reporter.stop);
  const deadline = performance.now() + options.drainMs;
  options.progress(
    `  e2e ${t.mode} @ ${target} msg/s: ${published.acked}/${published.sent} acked in ${
      Math.round(performance.now() - published.firstAt)
    } ms; waiting for the stores`,
  );
  const waited = await waitForStores(t, published, readModelsBefore, deadline);
  const end = performance.now();
  const usage = watch.stop();
  const [metricsAfter, appendedAfter, readModelsAfter, points] = await Promise.all([
    scrape(t.projectors),
    appendedTelemetry(t),
    t.stores.readModelEvents(),
    t.stores.points(published.firstTs, published.lastTs),
  ]);
  const notStoredAgeMs = Date.now() - published.lastTs;
  const expected = published.acked;
  // A store that caught up after the last poll (a slow FerretDB query) was complete by now at the latest.
  const checkedAt = performance.now();
  const tsAt = waited.tsAt ?? (points >= expected * METRICS_PER_MESSAGE ? checkedAt : undefined);
  const rmAt = waited.rmAt ?? (readModelsAfter - readModelsBefore >= expected ? checkedAt : undefined);
  const arrival = (arrived: number, at: number | undefined, processor: string): StoreArrival => ({
    arrived,
    expected,
    ...(at === undefined ? {} : { completeMs: at - published.firstAt }),
    ...latencies(metricsBefore, metricsAfter, processor, expected, notStoredAgeMs),
  });
  const timeseries = arrival(Math.floor(points / METRICS_PER_MESSAGE), tsAt, "timeseries");
  const readmodels = arrival(readModelsAfter - readModelsBefore, rmAt, "readmodels");
  const complete = tsAt !== undefined && rmAt !== undefined;
  const ms = (complete ? Math.max(tsAt, rmAt) : end) - published.firstAt;
  return {
    mode: t.mode,
    target,
    seconds: options.seconds,
    sent: published.sent,
    acked: published.acked,
    inLog: appendedAfter - appendedBefore,
    sustained: (Math.min(timeseries.arrived, readmodels.arrived) / ms) * 1000,
    points: { stored: points, expected: expected * METRICS_PER_MESSAGE },
    timeseries,
    readmodels,
    complete,
    disconnects: fleet.disconnects - disconnectsBefore,
    usage,
  };
}

async function runMode(t: Topology, rates: number[], options: E2eOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const fleet = await connectFleet(t.brokerUrl, t.devices);
  try {
    for (const rate of rates) {
      const step = await runStep(t, fleet, rate, options);
      results.push(step);
      const { points, readmodels } = step;
      options.progress(
        `  e2e ${t.mode} @ ${rate} msg/s: sustained ${Math.round(step.sustained)} msg/s, ` +
          `points ${points.stored}/${points.expected}, read models ${readmodels.arrived}/${readmodels.expected}` +
          (step.complete ? "" : " (deadline)"),
      );
      if (!step.complete || step.sustained < 0.8 * rate) break;
    }
  } finally {
    await fleet.close();
  }
  return results;
}

export async function measureE2e(options: E2eOptions): Promise<{ steps: StepResult[]; notes: string[] }> {
  const steps: StepResult[] = [];
  const notes: string[] = [];
  if (options.modes.includes("embedded")) {
    const t = await embeddedTopology(options.devices, options.progress);
    try {
      steps.push(...await runMode(t, options.rates.embedded, options));
    } finally {
      await t.close();
    }
  }
  for (const mode of ["real", "real-sqlite-ts"] as const) {
    if (!options.modes.includes(mode)) continue;
    const engines = realEnginesFromEnv();
    if (typeof engines === "string") {
      const note = `${mode} skipped: ${engines} not set (eval "$(bash infra/local/engines.sh env)")`;
      options.progress(`  e2e: ${note}`);
      notes.push(note);
      continue;
    }
    const t = await startRealTopology(engines, {
      ...options,
      timeseries: mode === "real" ? "mongo" : "sqlite",
    });
    try {
      steps.push(...await runMode(t, options.rates.real, options));
    } finally {
      await t.close();
    }
  }
  return { steps, notes };
}
