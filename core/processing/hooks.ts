/**
 * What the runner tells the platform while it works: typed instrumentation events that feed
 * metrics, logs and readiness. Every `info` is plain data, so a worker thread can post it as it is
 * (errors excepted: those travel as their message).
 */
import type { ProcessorHealth } from "./health.ts";

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
  /** An infrastructure failure, retried after `delayMs`; `attempt` counts from 1 until it is gone. */
  onRetry?(info: { processor: string; attempt: number; delayMs: number; error: unknown }): void;
  /**
   * A record the processor could not handle: dead-lettered, or only reported when it came from
   * the dead-letter topic or there is none (`RunProcessorOptions.dlqTopic`).
   */
  onDeadLetter?(info: { processor: string; topic: string; offset: number; reason: string }): void;
  onLag?(info: { processor: string; topic: string; lag: number }): void;
  onTickError?(info: { processor: string; error: unknown }): void;
  /**
   * At start (`running`) and at every change: stalled (again at each retry, with the attempts so
   * far and the latest reason), running again, failed.
   */
  onHealth?(info: { processor: string; health: ProcessorHealth }): void;
}
