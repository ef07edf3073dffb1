/**
 * The `timeseries` and `readmodels` projectors on a worker thread of their own (or a thread each,
 * see `projectionThreadGroups`), so the process uses a second core: the MQTT gateway, ingest and
 * the API keep the main thread, and a burst of telemetry queues up as projector lag instead of
 * slowing the acknowledgements to devices.
 *
 * The worker (projection_worker.ts) opens its own connections to the same log and stores (SQLite
 * in WAL mode allows this; Kafka, MongoDB and PostgreSQL clients are per thread anyway) and
 * forwards the runner's hooks, so metrics and readiness stay in the main thread. To the platform
 * the thread looks like one more running processor; its health is the worst of its processors'
 * and a dead thread is reported failed under its name (`projection-thread`), so `/readyz` turns red, and is
 * started again with backoff (1 s doubling to 60 s) from the committed offsets. A thread dies of
 * any uncaught error in it, e.g. npm:postgres 3.4.9 writing to a socket it already closed when
 * PostgreSQL goes away mid-query (porsager/postgres#1208): without the restart both projectors
 * stopped for good while the process looked alive.
 */
import { type ProcessorHealth, worstHealth } from "../../core/processing/health.ts";
import type { RunnerHooks, RunningProcessor } from "../../core/processing/runner.ts";
import { superviseProcessor } from "../../core/processing/supervisor.ts";
import type { AiotConfig } from "../config/config.ts";
import { storeEngines } from "../stores_from_config.ts";
import type { Logger } from "../../core/logging/mod.ts";
import type { LogSettings } from "../logging/mod.ts";
import type { HeapUsage } from "./memory_metrics.ts";

type FromWorker =
  | { type: "ready" | "stopped" }
  | { type: "failed"; message: string }
  | { type: "hook"; name: keyof RunnerHooks; info: never }
  | { type: "memory"; usage: HeapUsage };

/** The name a thread's own failure (and its heap) is reported under when one thread runs them all. */
const THREAD = "projection-thread";

/** The projectors a projection thread can run. */
export type Projector = "timeseries" | "readmodels";

/**
 * Which projectors share a thread. Both share one, unless exactly one of their stores is the
 * embedded SQLite file: a SQLite write is synchronous and holds the thread for a whole batch
 * (~0.3 s for 1,000 messages), and a projector on a network engine needs the thread back for
 * each of its round trips, so PostgreSQL read models next to SQLite time series waited a whole
 * time-series batch per round trip (330 read-model events/s at 5k msg/s). Two SQLite projectors
 * only take turns (measured: a thread each was slower), two network ones interleave.
 */
export function projectionThreadGroups(
  config: Pick<AiotConfig, "roles" | "mongoUrl" | "postgresUrl">,
): Projector[][] {
  const projectors = (["timeseries", "readmodels"] as const).filter((role) => config.roles.includes(role));
  if (projectors.length < 2) return projectors.length === 0 ? [] : [projectors];
  const engines = storeEngines(config);
  return (engines.timeseries === "sqlite") === (engines.readModels === "sqlite")
    ? [projectors]
    : projectors.map((projector) => [projector]);
}

interface ThreadOptions {
  logger: Logger;
  logging: LogSettings;
  memory?: Map<string, HeapUsage>;
}

/**
 * The projection threads of the process's roles (`projectionThreadGroups`): `projection-thread`
 * when one runs them all, else `projection-thread-timeseries` and `projection-thread-readmodels`.
 * `logging` is what a thread builds its own logger from (a `Logger` cannot cross threads);
 * `memory` gets each thread's heap under its name every few seconds.
 */
export function startProjectionThreads(
  config: AiotConfig,
  hooks: RunnerHooks,
  options: ThreadOptions,
): RunningProcessor[] {
  const groups = projectionThreadGroups(config);
  return groups.map((projectors) =>
    startProjectionThread(config, hooks, options, {
      projectors,
      name: groups.length === 1 ? THREAD : `${THREAD}-${projectors.join("-")}`,
    })
  );
}

function startProjectionThread(
  config: AiotConfig,
  hooks: RunnerHooks,
  { logger, logging, memory }: ThreadOptions,
  thread: { projectors: Projector[]; name: string },
): RunningProcessor {
  const threadLogger = logger.child(thread.name);
  const onMemory = (usage: HeapUsage) => memory?.set(thread.name, usage);
  const start = () =>
    startProjectionWorker(config, hooks, { logger: threadLogger, logging, onMemory, thread });
  return superviseProcessor(start, {
    onRestart: ({ attempt, delayMs }) => threadLogger.warn("restarting", { attempt, delayMs }),
  });
}

function startProjectionWorker(
  config: AiotConfig,
  hooks: RunnerHooks,
  { logger, logging, onMemory, thread }: {
    logger: Logger;
    logging: LogSettings;
    onMemory: (usage: HeapUsage) => void;
    thread: { projectors: Projector[]; name: string };
  },
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
    healths.set(thread.name, health);
    // No half-dead thread next to its replacement (a second consumer, a second writer).
    worker.terminate();
    hooks.onHealth?.({ processor: thread.name, health });
    failReady(error);
    fail(error);
  };
  worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
    if (data.type === "ready") {
      // A restarted thread clears the failure its predecessor reported.
      hooks.onHealth?.({ processor: thread.name, health: { state: "running" } });
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
  worker.postMessage({ type: "start", config, logging, projectors: thread.projectors, name: thread.name });

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
