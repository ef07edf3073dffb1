/**
 * What an in-process log engine must store. The embedded SQLite log and the in-memory fake both
 * implement this small synchronous interface; `createLocalEventLog` adds partitioning, consumer
 * groups, wake-ups and replay on top, so both engines share every line of that behaviour.
 */
import type { LogRecord } from "./event_log.ts";

/** A message with its partition and timestamp decided, ready to be stored. */
export interface StoredMessage {
  partition: number;
  key: string;
  value: string;
  headers: Record<string, string>;
  timestamp: number;
}

/** A consumer group's next offset to read in one partition. */
export interface OffsetCommit {
  group: string;
  topic: string;
  partition: number;
  offset: number;
}

/** One key per (group, topic, partition), for maps of committed offsets. */
export const offsetKey = (group: string, topic: string, partition: number): string =>
  `${group}\u0000${topic}\u0000${partition}`;

export interface LocalLogStorage {
  /** Partition count of a topic, or undefined when it does not exist. */
  partitionCount(topic: string): number | undefined;
  createTopic(topic: string, partitions: number): void;
  /** Stores all messages atomically and durably; returns each message's offset, in order. */
  append(topic: string, messages: StoredMessage[]): number[];
  /** Up to `limit` records of one partition with offset >= `from`, in offset order. */
  read(topic: string, partition: number, from: number, limit: number): LogRecord[];
  /** First retained offset and the next offset to be written. */
  offsets(topic: string, partition: number): { start: number; end: number };
  /** First offset whose timestamp is >= `timestamp`, or the end offset when there is none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): number;
  committed(group: string, topic: string, partition: number): number | undefined;
  /** Stores the committed offsets, all in one write. */
  commit(commits: readonly OffsetCommit[]): void;
  close(): void;
}
