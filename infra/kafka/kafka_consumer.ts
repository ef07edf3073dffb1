/**
 * A group consumer over kafkajs with the port's semantics: batches of at most `maxBatchSize`
 * records, a commit after each handled batch, start positions applied by seeking (kafkajs only
 * knows "from beginning"), and a failed handler stopping the consumer without a redelivery.
 */
import type { Consumer, EachBatchPayload } from "kafkajs";
import type { ConsumeOptions, LogConsumer, StartPosition } from "../../core/log/event_log.ts";
import { type KafkaContext, kafkaFailure, startOffsets, toLogRecord } from "./_kafka_client.ts";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Runs `work` while heartbeating, so a slow handler does not cost the consumer its session. */
async function withHeartbeats<T>(
  heartbeat: () => Promise<void>,
  intervalMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => void heartbeat().catch(() => {}), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function startKafkaConsumer(ctx: KafkaContext, opts: ConsumeOptions): LogConsumer {
  const from: StartPosition = opts.from ?? "earliest";
  const explicitStart = typeof from === "object";
  const maxBatch = opts.maxBatchSize ?? 1000;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new RangeError(`Cannot consume with maxBatchSize ${maxBatch}: expected a positive integer`);
  }
  const settings = ctx.consumer;
  const consumer: Consumer = ctx.kafka.consumer({
    groupId: opts.group,
    sessionTimeout: settings.sessionTimeout,
    rebalanceTimeout: settings.rebalanceTimeout,
    heartbeatInterval: settings.heartbeatInterval,
    maxWaitTimeInMs: settings.maxWaitTimeInMs,
    maxBytesPerPartition: settings.maxBytesPerPartition,
    maxBytes: settings.maxBytes,
    allowAutoTopicCreation: false,
    // A crash ends this consumer and rejects `done`; restarting is the caller's decision.
    retry: { retries: settings.retries, restartOnFailure: () => Promise.resolve(false) },
  });

  const ready = deferred();
  const stopRequested = deferred();
  let stopping = false;
  let failure: unknown;
  let joined = false;

  function requestStop(error?: unknown): void {
    if (error !== undefined && failure === undefined) failure = error;
    stopping = true;
    stopRequested.resolve();
  }

  // Which partitions this consumer has placed, where it wants each one, and what it holds now.
  const placed = new Set<string>();
  const positions = new Map<string, number>();
  let assignment: Record<string, number[]> = {};
  let positioning: Promise<void> = Promise.resolve();

  /**
   * Seeks the assigned partitions that need it: an explicit start the first time this consumer
   * holds a partition (it overrides commits), otherwise only partitions without a committed
   * offset, to where this consumer left them or to `from`. kafkajs would resolve "latest" lazily
   * at its first fetch, after `ready`, and miss what is appended in between.
   */
  async function place(assigned: Record<string, number[]>): Promise<void> {
    const topics = Object.keys(assigned).filter((topic) => assigned[topic]!.length > 0);
    if (topics.length === 0) return;
    const committed = await ctx.admin.fetchOffsets({ groupId: opts.group, topics });
    for (const topic of topics) {
      const stored = new Map(
        committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, Number(p.offset)]),
      );
      let starts: Map<number, number> | undefined;
      for (const partition of assigned[topic]!) {
        const id = `${topic}#${partition}`;
        let offset: number | undefined;
        if (explicitStart && !placed.has(id)) {
          offset = (starts ??= await startOffsets(ctx.admin, topic, from)).get(partition);
        } else if ((stored.get(partition) ?? -1) < 0) {
          offset = positions.get(id) ??
            (starts ??= await startOffsets(ctx.admin, topic, from)).get(partition);
        }
        // A rebalance may have taken the partition meanwhile; a seek kept for it would win later.
        if (!assignment[topic]?.includes(partition)) continue;
        placed.add(id);
        if (offset === undefined) continue;
        positions.set(id, offset);
        consumer.seek({ topic, partition, offset: String(offset) });
      }
    }
  }

  // kafkajs emits GROUP_JOIN synchronously, before its first fetch of the new generation.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assignment = payload.memberAssignment;
    positioning = positioning.then(() => place(payload.memberAssignment)).then(
      () => {
        joined = true;
        ready.resolve();
      },
      (error) => requestStop(kafkaFailure(`position the consumer of group "${opts.group}"`, error)),
    );
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) requestStop(kafkaFailure(`consume for group "${opts.group}"`, payload.error));
  });

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    await positioning;
    const { topic, partition } = batch;
    const id = `${topic}#${partition}`;
    // Commits are coalesced, not awaited per chunk: while one is in flight only the newest offset
    // waits to go next. They are awaited before the batch ends, so a stop or failure loses none.
    let pending: number | undefined;
    let inFlight: Promise<void> | undefined;
    let commitFailure: { error: unknown } | undefined;
    const drainCommits = async () => {
      try {
        while (pending !== undefined) {
          const offset = pending;
          pending = undefined;
          await payload.commitOffsetsIfNecessary({
            topics: [{ topic, partitions: [{ partition, offset: String(offset) }] }],
          });
        }
      } catch (error) {
        commitFailure = { error };
      } finally {
        inFlight = undefined;
      }
    };
    const settled = () => inFlight ?? Promise.resolve();
    for (let i = 0; i < batch.messages.length; i += maxBatch) {
      // isStale: a seek from `place` made this fetch obsolete.
      if (stopping || !isRunning() || isStale()) break;
      const records = batch.messages.slice(i, i + maxBatch).map((m) => toLogRecord(topic, partition, m));
      try {
        await withHeartbeats(
          heartbeat,
          settings.heartbeatInterval,
          () => opts.handleBatch({ topic, partition, records }),
        );
      } catch (error) {
        // Nothing of this batch is committed, and kafkajs never sees the error, so it cannot
        // redeliver the batch to this consumer: the consumer stops and `done` rejects.
        // Commits of earlier chunks of this batch are still in flight: let them land first.
        await settled();
        requestStop(error);
        return;
      }
      const last = records[records.length - 1]!.offset;
      pending = last + 1;
      if (opts.commitOffsets !== false) inFlight ??= drainCommits();
      positions.set(id, last + 1);
      payload.resolveOffset(String(last));
      if (stopping) continue;
      // kafkajs sends a heartbeat only when one is due. A rebalance error makes kafkajs rejoin.
      await heartbeat().catch(async (error) => {
        await settled();
        throw error;
      });
    }
    await settled();
    if (commitFailure) throw commitFailure.error;
  }

  async function run(): Promise<void> {
    try {
      for (const topic of opts.topics) await ctx.partitionCount(topic);
      if (!stopping) await consumer.connect();
      if (!stopping) {
        await consumer.subscribe({ topics: opts.topics, fromBeginning: from !== "latest" });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 1,
          eachBatch,
        });
      }
      await stopRequested.promise;
    } catch (error) {
      if (failure === undefined) failure = kafkaFailure(`start a consumer of group "${opts.group}"`, error);
    } finally {
      // Waits for the running batch (handled and committed), then leaves the group.
      await consumer.disconnect().catch(() => {});
    }
    if (failure !== undefined) {
      if (!joined) ready.reject(failure);
      throw failure;
    }
    ready.resolve();
  }

  const abort = () => requestStop();
  if (opts.signal?.aborted) requestStop();
  opts.signal?.addEventListener("abort", abort, { once: true });
  const unregister = ctx.onClose(() => stop());
  const done = run().finally(() => {
    unregister();
    opts.signal?.removeEventListener("abort", abort);
  });
  ready.promise.catch(() => {}); // rejects only together with `done`, which reports the error

  async function stop(): Promise<void> {
    requestStop();
    await done.catch(() => {});
  }

  return { ready: ready.promise, done, stop };
}
