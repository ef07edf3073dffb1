/**
 * The processor model: a processor is data plus a function. It names the topics it reads and the
 * event types it handles, and turns a batch of decoded events into outputs. The generic runner
 * (`runProcessor`) owns everything else: offsets, retries, dead-lettering, outputs, metrics hooks.
 */
import type { DomainEvent } from "../events/catalog.ts";
import type { EventEnvelope } from "../events/envelope.ts";

/** Events a processor wants appended, by topic; the runner appends them before committing. */
export interface ProcessorOutput {
  append?: { topic: string; events: EventEnvelope[] }[];
}

export interface HandleContext {
  /** The log topic and partition the events came from. */
  topic: string;
  partition: number;
  /** The log offset of each event, aligned with the `events` array (for idempotent stores). */
  offsets: readonly number[];
  /** Aborted when the runner stops; long handlers may check it between steps. */
  signal: AbortSignal;
}

/** Whether a record of `type` with `key` can matter to a processor (see `relevant`). */
export type RecordFilter = (type: string, key: string) => boolean;

export interface ProcessorDefinition {
  /** Unique name: the consumer group and the metrics label. */
  name: string;
  /** Full topic names to read. */
  topics: readonly string[];
  /** Event types to hand to `handle`; others are skipped (and committed). All when absent. */
  handles?: readonly string[];
  /**
   * Asked once per batch, before any record of it is decoded: which records of handled types can
   * matter to `handle` now, by event type and key (the device id for device events). Records it
   * turns down are passed over like unhandled types: never decoded, committed. It may turn down
   * only what `handle` would do nothing with, given the state the processor is in when that batch
   * is handled (e.g. telemetry while no rule reads telemetry). Decoding is most of the cost of a
   * record a processor ignores, and it happens on the thread that runs the MQTT broker.
   * Absent: every record of a handled type.
   */
  relevant?(): RecordFilter | Promise<RecordFilter>;
  /**
   * Handles a batch of one partition in order. Throw an error with `retriable: true` for a
   * temporary failure such as a store being away (the runner retries with backoff until it is
   * gone, and never dead-letters for it); any other error marks the batch's poison events, which
   * the runner isolates and dead-letters.
   * Effects on stores must be idempotent by event id: a batch can be delivered again.
   */
  handle(
    events: DomainEvent[],
    context: HandleContext,
  ): Promise<ProcessorOutput | void> | ProcessorOutput | void;
  /**
   * Called about every `tickIntervalMs` (runner option, default 1 s) for time-driven work such as
   * expiring commands; its output is appended like `handle`'s. Never runs concurrently with itself.
   */
  tick?(now: number): Promise<ProcessorOutput | void> | ProcessorOutput | void;
  /**
   * For a processor with state of its own (see `ProcessorStateStore`): called after the outputs
   * of a `handle` or `tick` are durable and before the offsets are committed, to save that state.
   * A retriable error is retried like an outage. With `persist`, the runner never runs `tick`
   * while a batch is in progress, so state, outputs and offsets always move together.
   */
  persist?(): Promise<void>;
  /**
   * Loads what the processor keeps between runs (saved state, open work). The runner calls it
   * before the first batch or tick of every run, so a run restarted after its consumer died
   * starts again from what was saved, not from what the failed run held in memory.
   */
  init?(): Promise<void>;
}
