/**
 * The one runner every processor runs on. Per batch of one partition it decodes and upcasts the
 * events, calls the processor, appends its outputs, and only then lets the log commit, so nothing
 * is committed before it is durable. Failures get one of two answers:
 *
 * - An infrastructure failure (an error with `retriable: true`: a database or broker away) is
 *   retried with capped exponential backoff for as long as it lasts, and never dead-lettered: an
 *   outage delays the read models but leaves no gap in them. The processor reports itself stalled
 *   meanwhile (`health()`, `hooks.onHealth`), so readiness can tell.
 * - Any other error blames the input: the runner isolates the poison events and dead-letters them
 *   with the reason, so a partition never stalls on bad input. A record of the dead-letter topic
 *   itself is never dead-lettered again (see `deadLetter`).
 *
 * With tracing on (core/tracing), each batch is a consumer span `process <topic>` that links to its
 * events' creation contexts and continues their trace when they share one; the events the batch
 * appends carry it on. With tracing off that costs one boolean test per batch.
 */
import { decodeEvent, toLogMessage } from "../events/codec.ts";
import type { ParseEventResult } from "../events/event_factory.ts";
import type { DomainEvent } from "../events/catalog.ts";
import type { EventEnvelope } from "../events/envelope.ts";
import { occurredAt } from "../events/occurred_at.ts";
import { isRetriable } from "../errors.ts";
import type { EventLog, LogBatch, LogRecord, StartPosition } from "../log/event_log.ts";
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import {
  activeTraceparent,
  batchTraceContext,
  endSpan,
  stampTraceparent,
  tracer,
  tracingEnabled,
} from "../tracing/mod.ts";
import { deadLetterEvent } from "./dead_letter.ts";
import type { ProcessorHealth } from "./health.ts";
import type { RunnerHooks } from "./hooks.ts";
import type { Logger } from "../logging/logger.ts";
import type { ProcessorDefinition, ProcessorOutput } from "./processor.ts";

export type { RunnerHooks };

/**
 * Decoded events by record object. Processors of one process that keep up with the log get the
 * same record objects from the local log's tail cache, so each record is parsed and validated once
 * per process. The cached events are shared between processors: handlers treat events as read-only.
 */
const decodedRecords = new WeakMap<LogRecord, ParseEventResult<DomainEvent>>();

function decodeRecord(record: LogRecord): ParseEventResult<DomainEvent> {
  let decoded = decodedRecords.get(record);
  if (!decoded) decodedRecords.set(record, decoded = decodeEvent(record.value));
  return decoded;
}

export interface RunProcessorOptions {
  log: EventLog;
  /** Consumer group; default the processor's name (a rebuild reads with a group of its own). */
  group?: string;
  /**
   * Dead-letter topic, e.g. `aiot.dlq`. Absent in rebuilds, whose poison events were dead-lettered
   * when they first went by: they are then skipped and only reported to `hooks.onDeadLetter`.
   */
  dlqTopic?: string;
  from?: StartPosition;
  maxBatchSize?: number;
  /**
   * First delay before retrying an infrastructure failure; doubles per attempt up to `maxDelayMs`
   * and stays there until the failure is gone. Defaults 100 ms and 30 s.
   */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How often the processor's `tick` runs, when it has one. Default 1000 ms. */
  tickIntervalMs?: number;
  /** Clock for `tick`, `onBatch` and health. Default `Date.now`. */
  now?: () => number;
  /** How often lag is reported to `hooks.onLag`. Default 5 s; 0 disables. */
  lagIntervalMs?: number;
  hooks?: RunnerHooks;
  signal?: AbortSignal;
  /** Where failures no hook took are logged (a failed `tick` without `onTickError`). Default: none. */
  logger?: Logger;
}

export interface RunningProcessor {
  readonly ready: Promise<void>;
  /** Resolves after a graceful stop; rejects if the log consumer failed. */
  readonly done: Promise<void>;
  /** Running, stalled on an infrastructure failure, or failed (its consumer died). */
  health(): ProcessorHealth;
  /** Finishes the current batch, commits, leaves the group. */
  stop(): Promise<void>;
}

interface Poison {
  record: LogRecord;
  reason: string;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

class StoppedDuringRetry extends Error {
  constructor(cause: unknown) {
    super("processor stopped while retrying; the batch stays uncommitted", { cause });
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function runProcessor(processor: ProcessorDefinition, options: RunProcessorOptions): RunningProcessor {
  const { log, hooks = {} } = options;
  const baseDelay = options.baseDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const now = options.now ?? Date.now;
  const handles = processor.handles ? new Set(processor.handles) : undefined;
  const stopping = new AbortController();
  options.signal?.addEventListener("abort", () => stopping.abort(), { once: true });

  let health: ProcessorHealth = { state: "running" };
  const setHealth = (next: ProcessorHealth) => {
    health = next;
    hooks.onHealth?.({ processor: processor.name, health });
  };
  setHealth(health);

  /**
   * Runs `work` until it succeeds or fails for good. A retriable failure is an outage, not bad
   * input: it is retried for as long as it lasts, with the processor stalled meanwhile. Throws
   * any other error as it is, and `StoppedDuringRetry` when the runner stops while waiting.
   */
  async function retrying<T>(work: () => Promise<T> | T): Promise<T> {
    for (let attempt = 1;; attempt++) {
      try {
        const result = await work();
        if (health.state === "stalled") setHealth({ state: "running" });
        return result;
      } catch (error) {
        if (!isRetriable(error)) {
          if (health.state === "stalled") setHealth({ state: "running" });
          throw error;
        }
        if (stopping.signal.aborted) throw new StoppedDuringRetry(error);
        const since = health.state === "stalled" ? health.since : now();
        setHealth({ state: "stalled", since, attempts: attempt, reason: describe(error) });
        const delayMs = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
        hooks.onRetry?.({ processor: processor.name, attempt, delayMs, error });
        await sleep(delayMs, stopping.signal);
        if (stopping.signal.aborted) throw new StoppedDuringRetry(error);
      }
    }
  }

  /** The processor's output for `events`, or the error that blames them. */
  async function handle(events: DomainEvent[], sources: LogRecord[], batch: LogBatch): Promise<
    { ok: true; output: ProcessorOutput | void } | { ok: false; error: unknown }
  > {
    const context = {
      topic: batch.topic,
      partition: batch.partition,
      offsets: sources.map((r) => r.offset),
      signal: stopping.signal,
    };
    try {
      return { ok: true, output: await retrying(() => processor.handle(events, context)) };
    } catch (error) {
      if (error instanceof StoppedDuringRetry) throw error;
      return { ok: false, error };
    }
  }

  /** Appends events; a failure that is not retriable is not the input's fault: it ends the consumer. */
  async function append(topic: string, events: EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    // Outputs of a traced batch carry its span as their creation context: the trace goes on.
    const traceparent = tracingEnabled() ? activeTraceparent() : undefined;
    const messages = (traceparent ? stampTraceparent(events, traceparent) : events).map(toLogMessage);
    await retrying(() => log.append(topic, messages));
  }

  async function appendOutput(output: ProcessorOutput | void): Promise<void> {
    for (const { topic, events } of output?.append ?? []) await append(topic, events);
  }

  async function deadLetter(poison: Poison[], batch: LogBatch): Promise<void> {
    // A record read from the dead-letter topic is already kept where dead letters are kept.
    // Wrapping it again would only grow that topic: the copy fails in the same way, and so on.
    const dlqTopic = options.dlqTopic;
    if (dlqTopic !== undefined && batch.topic !== dlqTopic) {
      await append(
        dlqTopic,
        poison.map(({ record, reason }) => deadLetterEvent(record, reason, processor.name)),
      );
    }
    for (const { record, reason } of poison) {
      hooks.onDeadLetter?.({ processor: processor.name, topic: record.topic, offset: record.offset, reason });
    }
  }

  /**
   * A stateful processor (`persist`) runs its batches and ticks one at a time: a tick between a
   * batch's handling and its `persist` would save state whose outputs are not appended yet.
   */
  let exclusive: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    if (!processor.persist) return work();
    const run = exclusive.then(work, work);
    exclusive = run.catch(() => {});
    return run;
  }

  /** Loaded once per run, before any batch or tick; an outage while loading is retried. */
  let initialized: Promise<void> | undefined;
  const ready =
    () => (initialized ??= processor.init ? retrying(() => processor.init!()) : Promise.resolve());

  async function persist(): Promise<void> {
    if (processor.persist) await retrying(() => processor.persist!());
  }

  function handleBatch(batch: LogBatch): Promise<void> {
    return oneAtATime(() => handleBatchNow(batch));
  }

  async function handleBatchNow(batch: LogBatch): Promise<void> {
    await ready();
    const started = performance.now();
    const poison: Poison[] = [];
    const events: DomainEvent[] = [];
    const sources: LogRecord[] = [];
    const relevant = processor.relevant ? await retrying(() => processor.relevant!()) : undefined;
    for (const record of batch.records) {
      // The type header lets a processor pass over events it does not handle without decoding
      // them; type names never change between versions, only the data is upcast.
      const type = record.headers["event-type"];
      if (type !== undefined && (handles?.has(type) === false || relevant?.(type, record.key) === false)) {
        continue;
      }
      const decoded = decodeRecord(record);
      if (!decoded.ok) poison.push({ record, reason: `cannot decode event: ${decoded.reason}` });
      else if (!handles || handles.has(decoded.event.type)) {
        events.push(decoded.event);
        sources.push(record);
      }
    }
    if (events.length === 0 || !tracingEnabled()) return finishBatch(batch, events, sources, poison, started);
    const { span, parent } = startBatchSpan(batch, sources);
    try {
      await context.with(
        trace.setSpan(parent, span),
        () => finishBatch(batch, events, sources, poison, started),
      );
      span.end();
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  }

  /**
   * The consumer span of a batch (messaging conventions: `process <topic>`), linked to each
   * event's creation context, and its child when the events are of one trace.
   */
  function startBatchSpan(batch: LogBatch, sources: LogRecord[]) {
    const { parent: creation, links } = batchTraceContext(sources.map((r) => r.headers["traceparent"]));
    const parent = creation ? trace.setSpanContext(ROOT_CONTEXT, creation) : ROOT_CONTEXT;
    const span = tracer().startSpan(`process ${batch.topic}`, {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.system": "aiot",
        "messaging.destination.name": batch.topic,
        "messaging.destination.partition.id": String(batch.partition),
        "messaging.consumer.group.name": options.group ?? processor.name,
        "messaging.batch.message_count": sources.length,
        "aiot.processor": processor.name,
      },
    }, parent);
    return { span, parent };
  }

  async function finishBatch(
    batch: LogBatch,
    events: DomainEvent[],
    sources: LogRecord[],
    poison: Poison[],
    started: number,
  ): Promise<void> {
    let handled: DomainEvent[] = [];
    if (events.length > 0) {
      const result = await handle(events, sources, batch);
      if (result.ok) {
        await appendOutput(result.output);
        handled = events;
      } else if (events.length === 1) {
        poison.push({ record: sources[0]!, reason: describe(result.error) });
      } else {
        // Isolate the poison: handle the events one by one, in order.
        for (let i = 0; i < events.length; i++) {
          const single = await handle([events[i]!], [sources[i]!], batch);
          if (single.ok) {
            await appendOutput(single.output);
            handled.push(events[i]!);
          } else poison.push({ record: sources[i]!, reason: describe(single.error) });
        }
      }
    }
    if (poison.length > 0) await deadLetter(poison, batch);
    if (events.length > 0) await persist();
    hooks.onBatch?.({
      processor: processor.name,
      topic: batch.topic,
      partition: batch.partition,
      events: batch.records.length,
      ms: performance.now() - started,
      at: now(),
      eventTimes: handled.map(occurredAt),
    });
  }

  const consumer = log.consume({
    group: options.group ?? processor.name,
    topics: [...processor.topics],
    handleBatch,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
    signal: stopping.signal,
  });

  const lagEvery = options.lagIntervalMs ?? 5000;
  const lagTimer = lagEvery > 0 && hooks.onLag
    ? setInterval(async () => {
      for (const topic of processor.topics) {
        const lag = await log.lag(options.group ?? processor.name, topic).catch(() => undefined);
        if (lag) hooks.onLag?.({ processor: processor.name, topic, lag: lag.reduce((s, p) => s + p.lag, 0) });
      }
    }, lagEvery)
    : undefined;
  let ticking = false;
  const tickTimer = processor.tick
    ? setInterval(async () => {
      if (ticking || stopping.signal.aborted) return;
      ticking = true;
      try {
        await oneAtATime(async () => {
          await ready();
          await appendOutput(await processor.tick!(now()));
          await persist();
        });
      } catch (error) {
        if (error instanceof StoppedDuringRetry) return;
        (hooks.onTickError ?? ((i) => options.logger?.error("tick failed", i)))({
          processor: processor.name,
          error,
        });
      } finally {
        ticking = false;
      }
    }, options.tickIntervalMs ?? 1000)
    : undefined;

  // A stop during an outage leaves the batch uncommitted; that is a clean stop, not a crash.
  const done = consumer.done
    .catch((error) => {
      if (error instanceof StoppedDuringRetry) return;
      setHealth({ state: "failed", since: now(), reason: describe(error) });
      throw error;
    })
    .finally(() => {
      clearInterval(lagTimer);
      clearInterval(tickTimer);
    });

  return {
    ready: consumer.ready,
    done,
    health: () => health,
    async stop() {
      stopping.abort();
      clearInterval(tickTimer);
      await consumer.stop();
      await done.catch(() => {});
    },
  };
}
