/**
 * The EventLog port: a partitioned, append-only log with consumer groups, in the shape of Kafka.
 * Messages are opaque strings (an encoded event envelope, see `core/events`) so the log never
 * parses what it stores; the key picks the partition, which keeps one device's events in order.
 */

/** One message to append. */
export interface LogMessage {
  /** Partition key (the device id for device events). */
  key: string;
  /** The payload, usually an encoded event envelope. */
  value: string;
  /** Small string metadata (event id, type, traceparent). */
  headers?: Record<string, string>;
  /** Epoch ms; defaults to the append time. Used by seek-by-time. */
  timestamp?: number;
}

/** A stored message with its position. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: Record<string, string>;
  timestamp: number;
}

/** Where a message landed, in the order the messages were given. */
export interface AppendAck {
  partition: number;
  offset: number;
}

export interface TopicSpec {
  name: string;
  partitions: number;
}

/**
 * Where to start reading.
 * - `"earliest"` / `"latest"`: used only where the group has no committed offset yet.
 * - `{ offsets }`: explicit start per partition (partitions not named start at their earliest); overrides commits.
 * - `{ timestamp }`: the first message with `timestamp >= t` in each partition; overrides commits.
 */
export type StartPosition =
  | "earliest"
  | "latest"
  | { offsets: Record<number, number> }
  | { timestamp: number };

/** The records of one partition handed to a consumer at once, in offset order. */
export interface LogBatch {
  topic: string;
  partition: number;
  records: LogRecord[];
}

export interface ConsumeOptions {
  /** Consumer group: members share partitions; each group sees every message. */
  group: string;
  topics: string[];
  /** Default `"earliest"`. */
  from?: StartPosition;
  /** Upper bound of records per batch. Default 1000. */
  maxBatchSize?: number;
  /**
   * Called with each batch; the offset after the batch is committed only when it resolves, so a
   * consumer that dies mid-batch re-reads the batch (at-least-once). A rejection stops the consumer
   * without committing and rejects `LogConsumer.done`.
   */
  handleBatch(batch: LogBatch): Promise<void>;
  /** Aborting stops the consumer after the current batch is handled and committed. */
  signal?: AbortSignal;
  /**
   * Default true. False: a reader that keeps its own positions (one member per group, e.g. the live
   * feed, which starts at the end each time). Nothing is committed, so the group's `lag()` stays
   * where it was and a new consumer of the group starts at `from` again; each batch saves its commit
   * (on Kafka a request to the group coordinator, awaited before the next batch).
   */
  commitOffsets?: boolean;
}

export interface LogConsumer {
  /**
   * Resolves once the consumer joined its group, holds its first assignment and has fixed its
   * start positions (so a message appended afterwards is seen even when starting at "latest").
   */
  readonly ready: Promise<void>;
  /** Resolves when the consumer stopped cleanly; rejects with the handler's error. */
  readonly done: Promise<void>;
  /** Graceful stop: finish the current batch, commit, leave the group. */
  stop(): Promise<void>;
}

/** Start, end (next offset to be written) and, for a group, committed offset and lag. */
export interface PartitionOffsets {
  partition: number;
  start: number;
  end: number;
}

export interface PartitionLag extends PartitionOffsets {
  /** Committed offset of the group (next to read); `start` when nothing committed yet. */
  committed: number;
  lag: number;
}

export interface ReplayOptions {
  /** Inclusive start; default earliest. `"latest"` yields nothing. */
  from?: StartPosition;
  /** Exclusive upper bound by timestamp; default: the end offsets seen when the replay starts. */
  toTimestamp?: number;
  /**
   * Exclusive end offset per partition (partitions not named: the end seen when the replay
   * starts), so a read of an old range stops there instead of filtering the rest of the log by
   * `toTimestamp` (see `offsetsForTimestamp`).
   */
  toOffsets?: Record<number, number>;
  /** Records per yielded chunk. Default 1000. */
  chunkSize?: number;
  /**
   * Only the records of this key. Only the partition the key maps to is read (with the
   * adapter's own partitioner), so the cost is that partition's records, not the topic's.
   */
  key?: string;
  signal?: AbortSignal;
}

/** The offset a partition would be read from. */
export interface PartitionOffset {
  partition: number;
  offset: number;
}

export interface EventLog {
  /** Creates missing topics with the given partition count; existing topics are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /**
   * Appends messages; resolves only when they are durable (fsync'd / acks=all).
   * Messages with the same key keep their order.
   */
  append(topic: string, messages: LogMessage[]): Promise<AppendAck[]>;
  consume(options: ConsumeOptions): LogConsumer;
  /**
   * Reads a topic from `from` to the end it had when called, in chunks. Each chunk holds records
   * of one partition in offset order; chunks of different partitions may interleave.
   */
  replay(topic: string, options?: ReplayOptions): AsyncIterable<LogRecord[]>;
  endOffsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Per partition (in partition order), the offset of the first record with `timestamp >= t`,
   * or the end offset when there is none: where a reader starting at time `t` begins, as offsets
   * (e.g. to turn a time into a resume position).
   */
  offsetsForTimestamp(topic: string, timestamp: number): Promise<PartitionOffset[]>;
  lag(group: string, topic: string): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

/** The partition of a key in the embedded logs: stable across processes and restarts. */
export function partitionForKey(key: string, partitions: number): number {
  // FNV-1a 32-bit over UTF-16 code units: fast, stable, and good enough spread for device ids.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
