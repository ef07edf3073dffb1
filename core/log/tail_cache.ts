/**
 * The newest records of each partition, kept in memory by the process that appended them. Consumers
 * that keep up (the usual case: projectors, the live hub) read their batches from here instead of
 * storage, and every consumer of a record gets the same `LogRecord` object, so work keyed on the
 * record (decoding, see `decodeRecord`) is done once per process, not once per consumer group.
 *
 * The cache only ever holds a contiguous run of offsets ending at the newest append of this
 * process; when another process sharing the storage appends in between, the run restarts, and
 * reads outside it go to storage.
 */
import type { LogRecord } from "./event_log.ts";

class PartitionTail {
  /** Offset of `records[0]`. */
  first = 0;
  records: LogRecord[] = [];

  get next(): number {
    return this.first + this.records.length;
  }
}

export class TailCache {
  /** Per topic, per partition number: no key strings built on the consumers' hot path. */
  #topics = new Map<string, (PartitionTail | undefined)[]>();
  #capacity: number;

  /** `capacity`: records kept per partition (at least; trimming is amortised). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /**
   * Records read from storage: kept when they continue (or, after a gap, restart) the run, so the
   * next consumer of the same partition in this process shares them (e.g. the projectors of a
   * thread that does not append itself). Older records are not kept.
   */
  addRead(topic: string, partition: number, records: LogRecord[]): void {
    const tail = this.#tail(topic, partition);
    if (records.length > 0 && (!tail || records[0]!.offset >= tail.next)) this.add(topic, partition, records);
  }

  /** Records just appended to one partition, with consecutive offsets. */
  add(topic: string, partition: number, records: LogRecord[]): void {
    if (this.#capacity === 0 || records.length === 0) return;
    let tails = this.#topics.get(topic);
    if (!tails) this.#topics.set(topic, tails = []);
    let tail = tails[partition];
    if (!tail) tails[partition] = tail = new PartitionTail();
    if (tail.next !== records[0]!.offset) {
      tail.first = records[0]!.offset;
      tail.records = [];
    }
    for (const record of records) tail.records.push(record);
    if (tail.records.length > 2 * this.#capacity) {
      const drop = tail.records.length - this.#capacity;
      tail.records = tail.records.slice(drop);
      tail.first += drop;
    }
  }

  /**
   * True when nothing this process appended to the partition lies at or after `position`
   * (appends by others are not known here).
   */
  caughtUp(topic: string, partition: number, position: number): boolean {
    if (this.#capacity === 0) return false;
    const tail = this.#tail(topic, partition);
    return !tail || position >= tail.next;
  }

  /**
   * Up to `limit` records from offset `from`, or undefined when the cache does not hold `from`
   * (the caller reads storage). An empty array is never returned.
   */
  read(topic: string, partition: number, from: number, limit: number): LogRecord[] | undefined {
    const tail = this.#tail(topic, partition);
    if (!tail || from < tail.first || from >= tail.next) return undefined;
    const start = from - tail.first;
    return tail.records.slice(start, start + limit);
  }

  #tail(topic: string, partition: number): PartitionTail | undefined {
    return this.#topics.get(topic)?.[partition];
  }
}
