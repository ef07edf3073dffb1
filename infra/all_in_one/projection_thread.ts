/**
 * The `timeseries` and `readmodels` projectors on a worker thread of their own, so the process
 * uses a second core: the MQTT gateway, ingest and the API keep the main thread, and a burst of
 * telemetry queues up as projector lag instead of slowing the acknowledgements to devices.
 *
 * The worker (projection_worker.ts) opens its own connections to the same log and stores (SQLite
 * in WAL mode allows this; Kafka, MongoDB and PostgreSQL clients are per thread anyway) and
 * forwards the runner's hooks, so metrics and readiness stay in the main thread. To the platform
 * the thread looks like one more running processor; its health is the worst of its processors'
 * and a dead thread is reported failed as `projection-thread`, so `/readyz` turns red, and is
 * started again with backoff (1 s doubling to 60 s) from the committed offsets. A thread dies of
 * any uncaught error in it, e.g. npm:postgres 3.4.9 writing to a socket it already closed when
 * PostgreSQL goes away mid-query (porsager/postgres#1208): without the restart both projectors
 * stopped for good while the process looked alive.
 */
import { type ProcessorHealth, worstHealth } from "../../core/processing/health.ts";
import type { RunnerHooks, RunningProcessor } from "../../core/processing/runner.ts";
import { superviseProcessor } from "../../core/processing/supervisor.ts";
import type { AiotConfig } from "../config/config.ts";
import type { Logger } from "../../core/logging/mod.ts";
import type { LogSettings } from "../logging/mod.ts";
import type { HeapUsage } from "./memory_metrics.ts";

type FromWorker =
  | { type: "ready" | "stopped" }
  | { type: "failed"; message: string }
  | { type: "hook"; name: keyof RunnerHooks; info: never }
  | { type: "memory"; usage: HeapUsage };

/** The name the thread's own failure is reported under. */
const THREAD = "projection-thread";

/**
 * `logging` is what the thread builds its own logger from (a `Logger` cannot cross threads);
 * `memory` gets the thread's heap under its name every few seconds.
 */
export function startProjectionThread(
  config: AiotConfig,
  hooks: RunnerHooks,
  { logger, logging, memory }: {
    logger: Logger;
    logging: LogSettings;
    memory?: Map<string, HeapUsage>;
  },
): RunningProcessor {
  const threadLogger = logger.child(THREAD);
  const onMemory = (usage: HeapUsage) => memory?.set(THREAD, usage);
  return superviseProcessor(() => startProjectionWorker(config, hooks, threadLogger, logging, onMemory), {
    onRestart: ({ attempt, delayMs }) => threadLogger.warn("restarting", { attempt, delayMs }),
  });
}

function startProjectionWorker(
  config: AiotConfig,
  hooks: RunnerHooks,
  logger: Logger,
  logging: LogSettings,
  onMemory: (usage: HeapUsage) => void,
): RunningProcessor {
  const worker = new Worker(new URL("./projection_worker.ts", import.meta.url), { type: "module" });
  let markReady!: () => void;
  let failReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => [markReady, failReady] = [resolve, reject]);
  let markStopped!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => [markStopped, fail] = [resolve, reject]);
  // Observed by whoever awaits them (the platform awaits the first `ready`; the supervisor `done`); a
  // restarted thread's `ready` has no one, and an unhandled rejection would end the process.
  done.catch(() => {});
  ready.catch(() => {});
  let stopping: Promise<void> | undefined;
  /** As last reported by each processor on the thread, and the thread's own failure. */
  const healths = new Map<string, ProcessorHealth>();

  const failed = (text: string) => {
    const error = new Error(`projection thread failed: ${text}`);
    logger.error("failed", { reason: text });
    const health: ProcessorHealth = { state: "failed", since: Date.now(), reason: error.message };
    healths.set(THREAD, health);
    // No half-dead thread next to its replacement (a second consumer, a second writer).
    worker.terminate();
    hooks.onHealth?.({ processor: THREAD, health });
    failReady(error);
    fail(error);
  };
  worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
    if (data.type === "ready") {
      // A restarted thread clears the failure its predecessor reported.
      hooks.onHealth?.({ processor: THREAD, health: { state: "running" } });
      markReady();
    } else if (data.type === "stopped") {
      worker.terminate();
      markStopped();
    } else if (data.type === "failed") failed(data.message);
    else if (data.type === "memory") onMemory(data.usage);
    else if (data.type === "hook") {
      if (data.name === "onHealth") {
        const { processor, health } = data.info as { processor: string; health: ProcessorHealth };
        healths.set(processor, health);
      }
      (hooks[data.name] as ((info: unknown) => void) | undefined)?.(data.info);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    failed(event.message);
  };
  worker.postMessage({ type: "start", config, logging });

  return {
    ready,
    done,
    health: () => worstHealth(healths.values()),
    stop() {
      stopping ??= (async () => {
        await ready.catch(() => {});
        worker.postMessage({ type: "stop" });
        // A failed worker may never answer: give it a moment, then end it anyway.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, 10_000));
        await Promise.race([done.catch(() => {}), timeout]);
        clearTimeout(timer);
        worker.terminate();
      })();
      return stopping;
    },
  };
}
