/**
 * The in-memory fake EventLog for processor tests: the shared local log over arrays.
 * It passes the same contract suite as the SQLite and Kafka adapters.
 */
import type { EventLog, LogRecord } from "../log/event_log.ts";
import { createLocalEventLog, type LocalEventLogOptions } from "../log/local_log.ts";
import {
  type LocalLogStorage,
  type OffsetCommit,
  offsetKey,
  type StoredMessage,
} from "../log/local_log_storage.ts";

export class InMemoryLogStorage implements LocalLogStorage {
  readonly #topics = new Map<string, LogRecord[][]>();
  readonly #commits = new Map<string, number>();

  partitionCount(topic: string): number | undefined {
    return this.#topics.get(topic)?.length;
  }

  createTopic(topic: string, partitions: number): void {
    this.#topics.set(topic, Array.from({ length: partitions }, () => []));
  }

  append(topic: string, messages: StoredMessage[]): number[] {
    const partitions = this.#partitions(topic);
    return messages.map((m) => {
      const records = partitions[m.partition]!;
      const offset = records.length;
      records.push({ topic, offset, ...m, headers: { ...m.headers } });
      return offset;
    });
  }

  read(topic: string, partition: number, from: number, limit: number): LogRecord[] {
    return this.#partitions(topic)[partition]!.slice(from, from + limit).map((r) => ({ ...r }));
  }

  offsets(topic: string, partition: number): { start: number; end: number } {
    return { start: 0, end: this.#partitions(topic)[partition]!.length };
  }

  offsetForTimestamp(topic: string, partition: number, timestamp: number): number {
    const records = this.#partitions(topic)[partition]!;
    const index = records.findIndex((r) => r.timestamp >= timestamp);
    return index < 0 ? records.length : index;
  }

  committed(group: string, topic: string, partition: number): number | undefined {
    return this.#commits.get(offsetKey(group, topic, partition));
  }

  commit(commits: readonly OffsetCommit[]): void {
    for (const { group, topic, partition, offset } of commits) {
      this.#commits.set(offsetKey(group, topic, partition), offset);
    }
  }

  close(): void {}

  #partitions(topic: string): LogRecord[][] {
    const partitions = this.#topics.get(topic);
    if (!partitions) throw new RangeError(`Unknown topic "${topic}"`);
    return partitions;
  }
}

/** A fresh, empty in-memory EventLog. */
export function createInMemoryEventLog(options: LocalEventLogOptions = {}): EventLog {
  return createLocalEventLog(new InMemoryLogStorage(), options);
}
