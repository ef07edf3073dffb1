/**
 * Replay of a topic over kafkajs: a consumer in a throw-away group (it never commits) seeks each
 * partition to its start, reads up to the end offsets seen when the replay began and hands chunks
 * to the iterator through a small queue; a full queue holds the consumer back.
 */
import type { EachBatchPayload } from "kafkajs";
import type { LogRecord, ReplayOptions } from "../../core/log/event_log.ts";
import { InfrastructureError } from "../../core/errors.ts";
import {
  type KafkaContext,
  kafkaFailure,
  partitionBounds,
  startOffsets,
  toLogRecord,
} from "./_kafka_client.ts";
import { kafkaPartitionForKey } from "./kafka_producer.ts";

/** Fetch limits of a replay: big fetches are what make it fast. */
const REPLAY_MAX_BYTES = 50 * 1024 * 1024;
const REPLAY_MAX_BYTES_PER_PARTITION = 16 * 1024 * 1024;
/** Chunks buffered ahead of the iterator. */
const QUEUE_CAPACITY = 8;

/** Chunks from the consumer to the iterator; `put` waits while the queue is full. */
class ChunkQueue {
  #chunks: LogRecord[][] = [];
  #finished = false;
  #failure: { error: unknown } | undefined;
  #closed = false;
  #changed = Promise.withResolvers<void>();

  #signal(): void {
    this.#changed.resolve();
    this.#changed = Promise.withResolvers<void>();
  }

  get closed(): boolean {
    return this.#closed || this.#failure !== undefined;
  }

  /** Waits for room, calling `whileWaiting` every `intervalMs` (to heartbeat). */
  async put(chunk: LogRecord[], whileWaiting: () => Promise<void>, intervalMs: number): Promise<void> {
    while (this.#chunks.length >= QUEUE_CAPACITY && !this.closed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = new Promise<void>((resolve) => (timer = setTimeout(resolve, intervalMs)));
      await Promise.race([this.#changed.promise, tick]);
      clearTimeout(timer);
      await whileWaiting().catch(() => {});
    }
    if (this.closed) return;
    this.#chunks.push(chunk);
    this.#signal();
  }

  finish(): void {
    this.#finished = true;
    this.#signal();
  }

  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#signal();
  }

  close(): void {
    this.#closed = true;
    this.#signal();
  }

  /** The next chunk, `undefined` at the end; throws what `fail` was given. */
  async take(): Promise<LogRecord[] | undefined> {
    while (true) {
      if (this.#failure) throw this.#failure.error;
      const chunk = this.#chunks.shift();
      if (chunk) {
        this.#signal();
        return chunk;
      }
      if (this.#finished || this.#closed) return undefined;
      await this.#changed.promise;
    }
  }
}

export async function* replayKafkaTopic(
  ctx: KafkaContext,
  topic: string,
  opts: ReplayOptions = {},
): AsyncGenerator<LogRecord[]> {
  const chunkSize = opts.chunkSize ?? 1000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`Cannot replay "${topic}" with chunkSize ${chunkSize}: expected a positive integer`);
  }
  const until = opts.toTimestamp ?? Infinity;
  opts.signal?.throwIfAborted();
  const partitions = await ctx.partitionCount(topic);
  const key = opts.key;
  // Only the key's partition, picked as the producer picks it.
  const keyPartition = key === undefined ? undefined : kafkaPartitionForKey(key, partitions);
  let ends: Map<number, number>;
  const next = new Map<number, number>(); // partitions still to read → next offset
  try {
    ends = new Map(
      [...await partitionBounds(ctx.admin, topic)].map((
        [p, { high }],
      ) => [p, Math.min(high, opts.toOffsets?.[p] ?? Infinity)]),
    );
    for (const [partition, start] of await startOffsets(ctx.admin, topic, opts.from ?? "earliest")) {
      if (keyPartition !== undefined && partition !== keyPartition) continue;
      if (start < (ends.get(partition) ?? 0)) next.set(partition, start);
    }
  } catch (error) {
    throw kafkaFailure(`find the offsets to replay "${topic}"`, error);
  }
  if (next.size === 0) return;

  const settings = ctx.consumer;
  const groupId = `aiot-replay-${crypto.randomUUID()}`;
  const consumer = ctx.kafka.consumer({
    groupId,
    sessionTimeout: settings.sessionTimeout,
    rebalanceTimeout: settings.rebalanceTimeout,
    heartbeatInterval: settings.heartbeatInterval,
    maxWaitTimeInMs: settings.maxWaitTimeInMs,
    maxBytes: REPLAY_MAX_BYTES,
    maxBytesPerPartition: REPLAY_MAX_BYTES_PER_PARTITION,
    allowAutoTopicCreation: false,
    retry: { retries: settings.retries, restartOnFailure: () => Promise.resolve(false) },
  });
  const queue = new ChunkQueue();

  // Synchronous, before the first fetch of each generation: after a rejoin the partitions
  // resume where this replay got to (there are no commits to resume from).
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const partition of payload.memberAssignment[topic] ?? []) {
      const offset = next.get(partition);
      if (offset === undefined) consumer.pause([{ topic, partitions: [partition] }]);
      else consumer.seek({ topic, partition, offset: String(offset) });
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) queue.fail(kafkaFailure(`replay "${topic}"`, payload.error));
  });

  async function eachBatch({ batch, heartbeat, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    let position = next.get(partition);
    const end = ends.get(partition) ?? 0;
    if (position === undefined || isStale()) return;
    let chunk: LogRecord[] = [];
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < position) continue;
      if (offset >= end) break;
      position = offset + 1;
      const record = toLogRecord(topic, partition, message);
      if (record.timestamp < until && (key === undefined || record.key === key)) chunk.push(record);
      if (chunk.length === chunkSize) {
        await queue.put(chunk, heartbeat, settings.heartbeatInterval);
        next.set(partition, position);
        chunk = [];
        if (queue.closed) return;
      }
    }
    if (chunk.length > 0) await queue.put(chunk, heartbeat, settings.heartbeatInterval);
    // Offsets may have gaps (compaction, transaction markers): the batch's last offset counts too.
    if (position >= end || Number(batch.lastOffset()) >= end - 1) finishPartition(partition);
    else {
      next.set(partition, position);
      resolveOffset(String(position - 1));
    }
  }

  function finishPartition(partition: number): void {
    if (!next.delete(partition)) return;
    consumer.pause([{ topic, partitions: [partition] }]);
    if (next.size === 0) queue.finish();
  }

  // A fetch of only compacted-away or transaction-marker offsets never reaches eachBatch; kafkajs
  // reports it here. Without this, a partition ending in a commit marker would never finish.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = ends.get(payload.partition) ?? 0;
    if (payload.batchSize === 0 && Number(payload.lastOffset) >= end - 1) finishPartition(payload.partition);
  });

  const started = (async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  })();
  started.catch((error) => queue.fail(kafkaFailure(`start replaying "${topic}"`, error)));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      queue.close();
      await started.catch(() => {});
      await consumer.disconnect().catch(() => {});
      await ctx.admin.deleteGroups([groupId]).catch(() => {});
    })();
  const onAbort = () => queue.fail(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const unregister = ctx.onClose(() => {
    queue.fail(
      new InfrastructureError(`Replay of "${topic}" stopped: the log was closed`, { retriable: false }),
    );
    return stop();
  });

  try {
    while (true) {
      const chunk = await queue.take();
      if (!chunk) break;
      opts.signal?.throwIfAborted();
      yield chunk;
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    unregister();
    await stop();
  }
}
