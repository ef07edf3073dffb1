/**
 * Worker-thread entry of a projection thread (see projection_thread.ts): opens its own
 * connections to the log and the projection stores from the configuration it is sent, runs the
 * projectors it is given (`timeseries`, `readmodels`) on the generic runner and reports runner
 * hooks back to the main thread, which owns `/metrics` and `/readyz`.
 *
 * Messages in: `{ type: "start", config, logging, projectors, name }`, `{ type: "stop" }`.
 * Messages out: `{ type: "ready" }`, `{ type: "hook", name, info }`, `{ type: "failed", message }`,
 * `{ type: "stopped" }`, `{ type: "memory", usage }` (its heap, every few seconds).
 */
/// <reference lib="deno.worker" />
import { KEEP_EVERYTHING } from "../../core/retention/retention_policy.ts";
import os from "node:os";
import { topicNames } from "../../core/events/topics.ts";
import type { RunnerHooks } from "../../core/processing/runner.ts";
import { type AiotConfig, ROLES } from "../config/config.ts";
import { serviceNameFor, startTracing } from "../otel/mod.ts";
import { openEventLog } from "../event_log_from_config.ts";
import { openReadModels, openTimeSeriesStore } from "../stores_from_config.ts";
import { runProjectors } from "./projectors.ts";
import type { Projector } from "./projection_thread.ts";
import { rebuildStaleReadModels } from "./stale_read_models.ts";
import { heapUsage, THREAD_MEMORY_REPORT_MS } from "./memory_metrics.ts";
import { configSecrets, createLogger, logProcessWarnings, type LogSettings } from "../logging/mod.ts";

/** Appends made by the main thread are seen within this time (there is no cross-thread wake-up). */
const IDLE_RECHECK_MS = 20;

/**
 * The thread's nice value. When the cores are busy, acknowledging devices (main thread) goes
 * first and projections fall behind, as lag that `/readyz` reports; on spare CPU they catch up at
 * full speed. Linux schedules threads by their own nice value, set through the thread id.
 */
const PROJECTION_NICE = 10;

function lowerOwnPriority(): void {
  try {
    const tid = Number(Deno.readLinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid)) os.setPriority(tid, PROJECTION_NICE);
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority.
  }
}

const message = (error: unknown) => error instanceof Error ? error.message : String(error);

/** Hooks that forward to the main thread; errors travel as their message (they may not be cloneable). */
const forwardingHooks: RunnerHooks = {
  onBatch: (info) => self.postMessage({ type: "hook", name: "onBatch", info }),
  onLag: (info) => self.postMessage({ type: "hook", name: "onLag", info }),
  onDeadLetter: (info) => self.postMessage({ type: "hook", name: "onDeadLetter", info }),
  onRetry: (info) =>
    self.postMessage({ type: "hook", name: "onRetry", info: { ...info, error: message(info.error) } }),
  onTickError: (info) =>
    self.postMessage({ type: "hook", name: "onTickError", info: { ...info, error: message(info.error) } }),
  onHealth: (info) => self.postMessage({ type: "hook", name: "onHealth", info }),
};

let stop: (() => Promise<void>) | undefined;

async function start({ config, logging, projectors, name }: StartMessage): Promise<void> {
  // Only where devices are acknowledged on this process's main thread: elsewhere nothing here
  // needs the head start, and a niced projector would yield the host to every other process.
  if (config.roles.includes("gateway")) lowerOwnPriority();
  // The main thread's settings and secrets: the same lines, redacted the same way.
  const logger = createLogger({ ...logging, secrets: configSecrets(config) }).child(name);
  logProcessWarnings(logger.child("node"));
  // A worker has globals of its own: its spans need an SDK of their own (same service name).
  const tracing = startTracing({
    env: Deno.env.toObject(),
    serviceName: serviceNameFor(config.roles, ROLES),
  });
  const topics = topicNames(config.topicPrefix);
  // Retention stays with the main thread's log.
  const { logRetentionMs: _retention, ...rest } = config;
  const own = { ...rest, retention: KEEP_EVERYTHING };
  const { log } = await openEventLog(own, { idleRecheckMs: IDLE_RECHECK_MS, logger });
  const timeseries = projectors.includes("timeseries") ? await openTimeSeriesStore(config) : undefined;
  const readModels = projectors.includes("readmodels") ? await openReadModels(config) : undefined;
  if (readModels) {
    await rebuildStaleReadModels({ log, topics, store: readModels, progress: (line) => logger.info(line) });
  }
  // Retries, dead letters and health changes are logged by the main thread's hooks.
  const processors = runProjectors({ log, topics, hooks: forwardingHooks, logger, timeseries, readModels });
  for (const processor of processors) {
    processor.done.catch((error) => self.postMessage({ type: "failed", message: message(error) }));
  }
  await Promise.all(processors.map((p) => p.ready));
  const reportMemory = () => self.postMessage({ type: "memory", usage: heapUsage() });
  reportMemory();
  const memoryTimer = setInterval(reportMemory, THREAD_MEMORY_REPORT_MS);
  stop = async () => {
    clearInterval(memoryTimer);
    await Promise.all(processors.map((p) => p.stop()));
    await Promise.all([timeseries?.close(), readModels?.close()]);
    await log.close();
    await tracing?.shutdown();
  };
}

interface StartMessage {
  type: "start";
  config: AiotConfig;
  logging: LogSettings;
  /** The projectors of the process's roles this thread runs, and the thread's name in logs. */
  projectors: Projector[];
  name: string;
}

self.onmessage = async (event: MessageEvent<StartMessage | { type: "stop" }>) => {
  try {
    if (event.data.type === "start") {
      await start(event.data);
      self.postMessage({ type: "ready" });
    } else {
      await stop?.();
      self.postMessage({ type: "stopped" });
    }
  } catch (error) {
    self.postMessage({ type: "failed", message: message(error) });
  }
};
