/**
 * The one runner every processor runs on. Per batch of one partition it decodes and upcasts the
 * events, calls the processor, retries retriable failures with exponential backoff, isolates poison
 * events and dead-letters them with the reason, appends outputs, and only then lets the log commit.
 * A partition therefore never stalls on bad input, and nothing is committed before it is durable.
 */
import { decodeEvent, toLogMessage } from "../events/codec.ts";
import type { ParseEventResult } from "../events/event_factory.ts";
import { createEvent, type DomainEvent } from "../events/catalog.ts";
import { occurredAt } from "../events/occurred_at.ts";
import { bytesToBase64 } from "../encoding.ts";
import { isRetriable } from "../errors.ts";
import type { EventLog, LogBatch, LogRecord, StartPosition } from "../log/event_log.ts";
import type { ProcessorDefinition, ProcessorOutput } from "./processor.ts";

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

/** Instrumentation events, in the spirit of KafkaJS' `consumer.*` events. */
export interface RunnerHooks {
  /**
   * After a batch is handled and its outputs appended (before the commit). `events` counts the
   * batch's records; `eventTimes` holds when each event the processor finished without error
   * happened (`occurredAt`, epoch ms; skipped types and dead letters excluded) and `at` when the
   * batch was done (epoch ms), so `at - eventTimes[i]` is how old the event was when it was stored.
   * Plain numbers: the info can be posted from a worker thread as it is.
   */
  onBatch?(info: {
    processor: string;
    topic: string;
    partition: number;
    events: number;
    ms: number;
    at: number;
    eventTimes: number[];
  }): void;
  onRetry?(info: { processor: string; attempt: number; delayMs: number; error: unknown }): void;
  onDeadLetter?(info: { processor: string; topic: string; offset: number; reason: string }): void;
  onLag?(info: { processor: string; topic: string; lag: number }): void;
  onTickError?(info: { processor: string; error: unknown }): void;
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
  /** Attempts for a retriable failure before its events are dead-lettered. Default 8. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt up to `maxDelayMs`. Defaults 100 ms and 30 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How often the processor's `tick` runs, when it has one. Default 1000 ms. */
  tickIntervalMs?: number;
  /** Clock passed to `tick`. Default `Date.now`. */
  now?: () => number;
  /** How often lag is reported to `hooks.onLag`. Default 5 s; 0 disables. */
  lagIntervalMs?: number;
  hooks?: RunnerHooks;
  signal?: AbortSignal;
}

export interface RunningProcessor {
  readonly ready: Promise<void>;
  /** Resolves after a graceful stop; rejects if the log consumer failed. */
  readonly done: Promise<void>;
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

/** Envelope keys are 1–256 characters; a foreign record's key may not be. */
const dlqKey = (key: string) => (key.length >= 1 && key.length <= 256 ? key : "unknown");

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function runProcessor(processor: ProcessorDefinition, options: RunProcessorOptions): RunningProcessor {
  const { log, hooks = {} } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelay = options.baseDelayMs ?? 100;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const handles = processor.handles ? new Set(processor.handles) : undefined;
  const stopping = new AbortController();
  options.signal?.addEventListener("abort", () => stopping.abort(), { once: true });

  /** Calls the processor, retrying retriable errors; returns the output or the final error. */
  async function attempt(events: DomainEvent[], sources: LogRecord[], batch: LogBatch): Promise<
    { ok: true; output: ProcessorOutput | void } | { ok: false; error: unknown; retriable: boolean }
  > {
    for (let n = 1;; n++) {
      try {
        const context = {
          topic: batch.topic,
          partition: batch.partition,
          offsets: sources.map((r) => r.offset),
          signal: stopping.signal,
        };
        return { ok: true, output: await processor.handle(events, context) };
      } catch (error) {
        if (!isRetriable(error)) return { ok: false, error, retriable: false };
        if (n >= maxAttempts || stopping.signal.aborted) return { ok: false, error, retriable: true };
        const delayMs = Math.min(maxDelay, baseDelay * 2 ** (n - 1));
        hooks.onRetry?.({ processor: processor.name, attempt: n, delayMs, error });
        await sleep(delayMs, stopping.signal);
      }
    }
  }

  async function appendOutput(output: ProcessorOutput | void): Promise<void> {
    for (const { topic, events } of output?.append ?? []) {
      if (events.length === 0) continue;
      await log.append(topic, events.map(toLogMessage));
    }
  }

  async function deadLetter(poison: Poison[]): Promise<void> {
    if (poison.length === 0) return;
    const dlqTopic = options.dlqTopic;
    if (dlqTopic === undefined) {
      for (const { record, reason } of poison) {
        hooks.onDeadLetter?.({
          processor: processor.name,
          topic: record.topic,
          offset: record.offset,
          reason,
        });
      }
      return;
    }
    const events = poison.map(({ record, reason }) =>
      createEvent("input.rejected", {
        topic: record.topic,
        reason: `${processor.name}: ${reason}`.slice(0, 1024),
        payloadBase64: bytesToBase64(new TextEncoder().encode(record.value)),
      }, { key: dlqKey(record.key), source: processor.name })
    );
    await appendOutput({ append: [{ topic: dlqTopic, events }] });
    for (const { record, reason } of poison) {
      hooks.onDeadLetter?.({ processor: processor.name, topic: record.topic, offset: record.offset, reason });
    }
  }

  async function handleBatch(batch: LogBatch): Promise<void> {
    const started = performance.now();
    const poison: Poison[] = [];
    const events: DomainEvent[] = [];
    const sources: LogRecord[] = [];
    for (const record of batch.records) {
      // The type header lets a processor pass over events it does not handle without decoding
      // them; type names never change between versions, only the data is upcast.
      const type = record.headers["event-type"];
      if (handles && type !== undefined && !handles.has(type)) continue;
      const decoded = decodeRecord(record);
      if (!decoded.ok) poison.push({ record, reason: `cannot decode event: ${decoded.reason}` });
      else if (!handles || handles.has(decoded.event.type)) {
        events.push(decoded.event);
        sources.push(record);
      }
    }
    let handled: DomainEvent[] = [];
    if (events.length > 0) {
      const result = await attempt(events, sources, batch);
      if (result.ok) {
        await appendOutput(result.output);
        handled = events;
      } else if (result.retriable && stopping.signal.aborted) throw new StoppedDuringRetry(result.error);
      else if (events.length === 1 || result.retriable) {
        // One event, or retries exhausted: dead-letter what failed so the partition moves on.
        sources.forEach((record) => poison.push({ record, reason: describe(result.error) }));
      } else {
        // Isolate the poison: handle the events one by one, in order.
        for (let i = 0; i < events.length; i++) {
          const single = await attempt([events[i]!], [sources[i]!], batch);
          if (single.ok) {
            await appendOutput(single.output);
            handled.push(events[i]!);
          } else poison.push({ record: sources[i]!, reason: describe(single.error) });
        }
      }
    }
    await deadLetter(poison);
    hooks.onBatch?.({
      processor: processor.name,
      topic: batch.topic,
      partition: batch.partition,
      events: batch.records.length,
      ms: performance.now() - started,
      at: (options.now ?? Date.now)(),
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
        await appendOutput(await processor.tick!((options.now ?? Date.now)()));
      } catch (error) {
        (hooks.onTickError ?? ((i) => console.error(`${i.processor}: tick failed`, i.error)))({
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
      if (!(error instanceof StoppedDuringRetry)) throw error;
    })
    .finally(() => {
      clearInterval(lagTimer);
      clearInterval(tickTimer);
    });

  return {
    ready: consumer.ready,
    done,
    async stop() {
      stopping.abort();
      clearInterval(tickTimer);
      await consumer.stop();
      await done.catch(() => {});
    },
  };
}
