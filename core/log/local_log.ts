/**
 * An EventLog for one process over a `LocalLogStorage` (SQLite or memory): key partitioning,
 * consumer groups with committed offsets, consumers woken on append (no polling delay) and replay.
 */
import { ConsumerGroups, partitionSlot, type TopicPartition } from "./consumer_groups.ts";
import {
  type AppendAck,
  type ConsumeOptions,
  type EventLog,
  type LogConsumer,
  type LogMessage,
  type LogRecord,
  partitionForKey,
  type PartitionLag,
  type PartitionOffset,
  type PartitionOffsets,
  type ReplayOptions,
  type StartPosition,
  type TopicSpec,
} from "./event_log.ts";
import {
  type LocalLogStorage,
  type OffsetCommit,
  offsetKey,
  type StoredMessage,
} from "./local_log_storage.ts";
import { TailCache } from "./tail_cache.ts";

export interface LocalEventLogOptions {
  /** Clock for default message timestamps. Default `Date.now`. */
  now?: () => number;
  /**
   * Idle consumers re-check storage this often even without an in-process append, so appends by
   * another process sharing the storage are seen too. Default 1000 ms.
   */
  idleRecheckMs?: number;
  /**
   * Newest records kept in memory per partition, so consumers that keep up skip storage reads
   * and share one record object (see tail_cache.ts). Default 4096; 0 turns the cache off.
   */
  tailRecords?: number;
  /**
   * Longest a replay keeps the thread before it yields to the event loop. Storage reads are
   * synchronous, so without yields a replay of a large log would run to its end in microtasks,
   * starving timers, sockets and its own abort signal. Default 10 ms (a small cost to replay
   * throughput); 0 yields after every chunk.
   */
  replaySliceMs?: number;
  /**
   * Committed offsets are written together at most this long after the first of them, instead of
   * one write per batch; a consumer giving a partition away, stopping or the log closing writes
   * them at once, and this process's own reads (`lag`, a member taking a partition over) see them
   * before they are written. A crash re-delivers at most this much more (delivery is at least
   * once anyway). Default 50 ms; 0 writes each batch's commit at once.
   */
  commitIntervalMs?: number;
  /** Told when writing committed offsets failed; they are tried again a second later. Default: console.error. */
  onCommitError?: (error: unknown) => void;
}

/**
 * Wakes everyone waiting when `notify()` is called; waiting resolves at most after `ms`, with
 * true when it was woken only by appends of this process (see `run` in `consume`).
 */
class WakeUp {
  #waiters = new Set<(ownAppend: boolean) => void>();

  notify(ownAppend = false): void {
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake(ownAppend);
  }

  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const waiters = this.#waiters;
      function done(ownAppend: boolean) {
        clearTimeout(timer);
        waiters.delete(done);
        resolve(ownAppend);
      }
      waiters.add(done);
    });
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function createLocalEventLog(storage: LocalLogStorage, options: LocalEventLogOptions = {}): EventLog {
  const now = options.now ?? Date.now;
  const idleRecheckMs = options.idleRecheckMs ?? 1000;
  const groups = new ConsumerGroups();
  const appended = new WakeUp();
  groups.onChange(() => appended.notify());
  const consumers = new Set<LogConsumer>();
  const tail = new TailCache(options.tailRecords ?? 4096);
  const replaySliceMs = options.replaySliceMs ?? 10;
  const commitIntervalMs = options.commitIntervalMs ?? 50;
  // A commit per batch was a SQLite write each (~40 µs): 6.6 % of the main thread at 3k msg/s,
  // where three consumers of telemetry handle ~550 small batches a second each.
  const pendingCommits = new Map<string, OffsetCommit>();
  let commitTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const onCommitError = options.onCommitError ??
    ((error: unknown) => console.error(`committing consumer offsets failed (retried in 1 s): ${error}`));

  function flushCommits(): void {
    clearTimeout(commitTimer);
    commitTimer = undefined;
    if (pendingCommits.size === 0) return;
    const commits = [...pendingCommits.values()];
    pendingCommits.clear();
    try {
      storage.commit(commits);
    } catch (error) {
      // Kept for the next try (offsets only move forward); until then this process reads them here.
      for (const c of commits) {
        const key = offsetKey(c.group, c.topic, c.partition);
        if ((pendingCommits.get(key)?.offset ?? -1) < c.offset) pendingCommits.set(key, c);
      }
      // Not thrown: this may run in a timer, and a lost commit only means a batch is read again.
      if (!closed) commitTimer = setTimeout(flushCommits, Math.max(commitIntervalMs, 1000));
      onCommitError(error);
    }
  }

  function commitLater(commit: OffsetCommit): void {
    if (commitIntervalMs === 0) return storage.commit([commit]);
    pendingCommits.set(offsetKey(commit.group, commit.topic, commit.partition), commit);
    commitTimer ??= setTimeout(flushCommits, commitIntervalMs);
  }

  /** The group's committed offset as this process knows it: written or still pending. */
  function committedOffset(group: string, topic: string, partition: number): number | undefined {
    return pendingCommits.get(offsetKey(group, topic, partition))?.offset ??
      storage.committed(group, topic, partition);
  }
  let memberSeq = 0;

  function partitionsOf(topic: string): number {
    const count = storage.partitionCount(topic);
    if (count === undefined) {
      throw new RangeError(`Unknown topic "${topic}": create it with ensureTopics() first`);
    }
    return count;
  }

  function startOffset(tp: TopicPartition, from: StartPosition): number {
    const { start, end } = storage.offsets(tp.topic, tp.partition);
    if (from === "earliest") return start;
    if (from === "latest") return end;
    if ("timestamp" in from) return storage.offsetForTimestamp(tp.topic, tp.partition, from.timestamp);
    return Math.max(start, from.offsets[tp.partition] ?? start);
  }

  function consume(opts: ConsumeOptions): LogConsumer {
    const member = `member-${++memberSeq}`;
    const from = opts.from ?? "earliest";
    const explicitSeek = typeof from === "object";
    const maxBatch = opts.maxBatchSize ?? 1000;
    const all: TopicPartition[] = opts.topics.flatMap((topic) =>
      Array.from({ length: partitionsOf(topic) }, (_, partition) => ({ topic, partition }))
    );
    const seeked = new Set<string>();
    let stopping = false;
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));

    // Positions past records removed by retention need no fix-up: reads are "offset >= position".
    const positionOf = (tp: TopicPartition, positions: Map<string, number>): number => {
      const id = partitionSlot(tp);
      const known = positions.get(id);
      if (known !== undefined) return known;
      const committed = committedOffset(opts.group, tp.topic, tp.partition);
      const seekNow = explicitSeek && !seeked.has(id);
      seeked.add(id);
      return seekNow || committed === undefined ? startOffset(tp, from) : committed;
    };

    async function run(): Promise<void> {
      groups.join(opts.group, member);
      markReady();
      const positions = new Map<string, number>();
      let rotate = 0;
      // After a wake-up by this process's own appends, partitions where the tail cache shows the
      // consumer caught up need no storage read; appends by other threads or processes are seen
      // by the full scans: at start, after a rebalance and on every idle recheck.
      let onlyOwnAppends = false;
      let lastFullScan = 0;
      try {
        while (!stopping) {
          if (onlyOwnAppends && performance.now() - lastFullScan >= idleRecheckMs) onlyOwnAppends = false;
          if (!onlyOwnAppends) lastFullScan = performance.now();
          const owned = groups.rebalance(opts.group, member, groups.assignment(opts.group, member, all));
          // Positions of partitions given away are forgotten (the next owner may move them).
          let kept = 0;
          for (const tp of owned) if (positions.has(partitionSlot(tp))) kept++;
          if (kept < positions.size) {
            flushCommits(); // what was handled of a partition given away is committed before its next owner reads it
            const ownedSlots = new Set(owned.map(partitionSlot));
            for (const id of positions.keys()) if (!ownedSlots.has(id)) positions.delete(id);
          }
          let handled = false;
          for (let i = 0; i < owned.length && !stopping; i++) {
            const tp = owned[(i + rotate) % owned.length]!;
            const position = positionOf(tp, positions);
            let records = tail.read(tp.topic, tp.partition, position, maxBatch);
            if (!records) {
              records = onlyOwnAppends && tail.caughtUp(tp.topic, tp.partition, position)
                ? []
                : storage.read(tp.topic, tp.partition, position, maxBatch);
              tail.addRead(tp.topic, tp.partition, records);
            }
            if (records.length === 0) {
              positions.set(partitionSlot(tp), position);
              continue;
            }
            await opts.handleBatch({ topic: tp.topic, partition: tp.partition, records });
            const next = records[records.length - 1]!.offset + 1;
            if (opts.commitOffsets !== false) {
              commitLater({ group: opts.group, topic: tp.topic, partition: tp.partition, offset: next });
            }
            positions.set(partitionSlot(tp), next);
            handled = true;
          }
          rotate++;
          if (!handled && !stopping) onlyOwnAppends = await appended.wait(idleRecheckMs);
          // Batches run in promise continuations: a consumer with a backlog would otherwise keep
          // the thread to itself (timers, sockets and other consumers starve) until it caught up.
          else await yieldToEventLoop();
        }
      } finally {
        flushCommits();
        groups.leave(opts.group, member);
      }
    }

    const stopNow = () => {
      stopping = true;
      appended.notify();
    };
    opts.signal?.addEventListener("abort", stopNow, { once: true });
    const done = run().finally(() => {
      consumers.delete(consumer);
      opts.signal?.removeEventListener("abort", stopNow);
    });
    const consumer: LogConsumer = {
      ready,
      done,
      async stop() {
        stopNow();
        await done.catch(() => {});
      },
    };
    consumers.add(consumer);
    return consumer;
  }

  async function* replay(topic: string, opts: ReplayOptions = {}): AsyncIterable<LogRecord[]> {
    const chunk = opts.chunkSize ?? 1000;
    const until = opts.toTimestamp ?? Infinity;
    let sliceStart = performance.now();
    const count = partitionsOf(topic);
    const key = opts.key;
    const partitions = key === undefined
      ? Array.from({ length: count }, (_, partition) => partition)
      : [partitionForKey(key, count)];
    for (const partition of partitions) {
      const end = Math.min(storage.offsets(topic, partition).end, opts.toOffsets?.[partition] ?? Infinity);
      let position = startOffset({ topic, partition }, opts.from ?? "earliest");
      while (position < end) {
        if (performance.now() - sliceStart >= replaySliceMs) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
        opts.signal?.throwIfAborted();
        const records = storage.read(topic, partition, position, Math.min(chunk, end - position));
        if (records.length === 0) break;
        position = records[records.length - 1]!.offset + 1;
        const inRange = until === Infinity && key === undefined
          ? records
          : records.filter((r) => r.timestamp < until && (key === undefined || r.key === key));
        if (inRange.length > 0) yield inRange;
      }
    }
  }

  function cacheAppended(topic: string, stored: StoredMessage[], offsets: number[]): void {
    const byPartition = new Map<number, LogRecord[]>();
    stored.forEach((m, i) => {
      const record: LogRecord = {
        topic,
        partition: m.partition,
        offset: offsets[i]!,
        key: m.key,
        value: m.value,
        headers: m.headers,
        timestamp: m.timestamp,
      };
      const records = byPartition.get(m.partition);
      if (records) records.push(record);
      else byPartition.set(m.partition, [record]);
    });
    for (const [partition, records] of byPartition) tail.add(topic, partition, records);
  }

  function endOffsets(topic: string): Promise<PartitionOffsets[]> {
    return Promise.resolve(
      Array.from({ length: partitionsOf(topic) }, (_, partition) => ({
        partition,
        ...storage.offsets(topic, partition),
      })),
    );
  }

  function offsetsForTimestamp(topic: string, timestamp: number): Promise<PartitionOffset[]> {
    return Promise.resolve(
      Array.from({ length: partitionsOf(topic) }, (_, partition) => ({
        partition,
        offset: storage.offsetForTimestamp(topic, partition, timestamp),
      })),
    );
  }

  return {
    ensureTopics(topics: TopicSpec[]) {
      for (const { name, partitions } of topics) {
        if (!Number.isInteger(partitions) || partitions < 1) {
          throw new RangeError(`Cannot create topic "${name}": partitions must be a positive integer`);
        }
        if (storage.partitionCount(name) === undefined) storage.createTopic(name, partitions);
      }
      return Promise.resolve();
    },

    append(topic: string, messages: LogMessage[]): Promise<AppendAck[]> {
      try {
        const partitions = partitionsOf(topic);
        const time = now();
        const stored: StoredMessage[] = messages.map((m) => ({
          partition: partitionForKey(m.key, partitions),
          key: m.key,
          value: m.value,
          headers: m.headers ?? {},
          timestamp: m.timestamp ?? time,
        }));
        const offsets = storage.append(topic, stored);
        cacheAppended(topic, stored, offsets);
        appended.notify(true);
        return Promise.resolve(stored.map((m, i) => ({ partition: m.partition, offset: offsets[i]! })));
      } catch (error) {
        return Promise.reject(error);
      }
    },

    consume,
    replay,
    endOffsets,
    offsetsForTimestamp,

    async lag(group: string, topic: string): Promise<PartitionLag[]> {
      return (await endOffsets(topic)).map((p) => {
        const committed = Math.max(committedOffset(group, topic, p.partition) ?? p.start, p.start);
        return { ...p, committed, lag: p.end - committed };
      });
    },

    async close() {
      await Promise.all([...consumers].map((c) => c.stop()));
      flushCommits();
      closed = true;
      clearTimeout(commitTimer);
      storage.close();
    },
  };
}
