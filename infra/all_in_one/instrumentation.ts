/**
 * What `/metrics` shows and `/readyz` checks, fed from the platform's parts: appends per topic
 * (a decorated EventLog), ingest results, processor batches, event age when stored, lag, dead
 * letters and processor health (runner hooks), HTTP latency, SSE clients and connected devices
 * (read at scrape time).
 */
import type { EventLog } from "../../core/log/event_log.ts";
import { Metrics } from "../../core/metrics/metrics.ts";
import type { ProcessorHealth } from "../../core/processing/health.ts";
import type { RunnerHooks } from "../../core/processing/runner.ts";
import { type Logger, noopLogger } from "../../core/logging/mod.ts";

export interface Instrumentation {
  metrics: Metrics;
  /** The log, counting appended events per topic. */
  log: EventLog;
  /** Also logs retries, dead letters, failed ticks and health changes to `logger`. */
  hooks: RunnerHooks;
  /** The process's logger, for the parts started with these hooks. */
  logger: Logger;
  /** Latest known lag of each processor (summed over its topics). */
  lagOf(): Map<string, number>;
  /** Latest reported health of each processor. */
  healthOf(): Map<string, ProcessorHealth>;
  countIngest(accepted: boolean): void;
}

/** Event-age buckets in seconds: 1 ms … 2 min (fine enough for end-to-end percentiles). */
const AGE_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 3e4, 6e4, 1.2e5];
export const EVENT_AGE_BUCKETS = AGE_BUCKETS_MS.map((ms) => ms / 1000);

export function instrument(log: EventLog, logger: Logger = noopLogger): Instrumentation {
  const metrics = new Metrics();
  const processorLog = logger.child("processor");
  const lags = new Map<string, Map<string, number>>();
  const healths = new Map<string, ProcessorHealth>();
  // Delegates explicitly (not a spread), so it also wraps logs whose methods live on a prototype.
  const counted: EventLog = {
    ensureTopics: (topics) => log.ensureTopics(topics),
    async append(topic, messages) {
      const acks = await log.append(topic, messages);
      metrics.count(
        "aiot_log_appended_events_total",
        "Events appended to the log, per topic.",
        { topic },
        messages.length,
      );
      return acks;
    },
    consume: (options) => log.consume(options),
    replay: (topic, options) => log.replay(topic, options),
    endOffsets: (topic) => log.endOffsets(topic),
    offsetsForTimestamp: (topic, timestamp) => log.offsetsForTimestamp(topic, timestamp),
    lag: (group, topic) => log.lag(group, topic),
    close: () => log.close(),
  };
  return {
    metrics,
    log: counted,
    hooks: {
      onBatch: ({ processor, events, ms, at, eventTimes }) => {
        metrics.count("aiot_processor_events_total", "Events handled by a processor.", { processor }, events);
        metrics.observe(
          "aiot_processor_batch_seconds",
          "Time to handle one batch.",
          { processor },
          ms / 1000,
        );
        if (eventTimes.length === 0) return;
        metrics.observeMany(
          "aiot_event_age_seconds",
          "Age of events when their processor has stored them: batch done - event time (for telemetry the " +
            "newest value's device timestamp), i.e. end-to-end latency up to that processor's store.",
          { processor },
          // Clamped at 0: a device clock may run ahead of the server's.
          eventTimes.map((t) => Math.max(0, at - t) / 1000),
          EVENT_AGE_BUCKETS,
        );
      },
      onLag: ({ processor, topic, lag }) => {
        metrics.set("aiot_consumer_lag", "Events a processor has not committed yet, per topic.", {
          processor,
          topic,
        }, lag);
        const topics = lags.get(processor) ?? new Map<string, number>();
        topics.set(topic, lag);
        lags.set(processor, topics);
      },
      onDeadLetter: ({ processor, topic, offset, reason }) => {
        processorLog.warn("event dead-lettered", { processor, topic, offset, reason });
        metrics.count(
          "aiot_dead_letters_total",
          "Events a processor could not handle (sent to the DLQ, or skipped when read from it).",
          { processor },
        );
      },
      onRetry: ({ processor, attempt, delayMs, error }) => {
        metrics.count("aiot_processor_retries_total", "Retries of an infrastructure failure.", { processor });
        processorLog.warn("infrastructure failure, retrying", { processor, attempt, delayMs, error });
      },
      onTickError: ({ processor, error }) => processorLog.error("tick failed", { processor, error }),
      onHealth: ({ processor, health }) => {
        // Stalled is reported again at each retry (logged by `onRetry`): only changes are logged here.
        if (healths.get(processor)?.state !== health.state) {
          const { state, ...details } = health as { state: string } & Record<string, unknown>;
          processorLog[state === "running" ? "info" : state === "stalled" ? "warn" : "error"](
            `processor ${state}`,
            {
              processor,
              ...details,
            },
          );
        }
        healths.set(processor, health);
        metrics.set(
          "aiot_processor_running",
          "1 while a processor runs; 0 while it is stalled on an outage or its consumer died.",
          { processor },
          health.state === "running" ? 1 : 0,
        );
      },
    },
    logger,
    lagOf: () =>
      new Map(
        [...lags].map(([processor, topics]) => [processor, [...topics.values()].reduce((a, b) => a + b, 0)]),
      ),
    healthOf: () => new Map(healths),
    countIngest: (accepted) =>
      metrics.count("aiot_ingest_messages_total", "Device uplinks, accepted or rejected (dead-lettered).", {
        result: accepted ? "accepted" : "rejected",
      }),
  };
}
