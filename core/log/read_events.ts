/**
 * What a topic recorded between two append times: the raw records (for exports, which pass most
 * records on as stored) or the events, decoded and upcast (for backtests). Both start and end at
 * offsets found by time (`offsetsForTimestamp`), so reading an old range of a long log costs that
 * range, not the log's tail. Each chunk is awaited by the reader, so a long read yields to the
 * event loop and stops when aborted; records that do not decode are passed over by `readEvents`
 * (they were dead-lettered when first read).
 */
import type { DomainEvent } from "../events/catalog.ts";
import { decodeEvent } from "../events/codec.ts";
import type { EventLog, LogRecord, PartitionOffset } from "./event_log.ts";

/** Append times [fromMs, toMs) of a read, optionally of one key only. */
export interface LogTimeRange {
  fromMs: number;
  toMs: number;
  /** Only this key's records (only its partition is read). */
  key?: string;
  signal?: AbortSignal;
}

const byPartition = (offsets: PartitionOffset[]): Record<number, number> =>
  Object.fromEntries(offsets.map((p) => [p.partition, p.offset]));

async function bounds(log: EventLog, topic: string, range: LogTimeRange) {
  const [starts, ends] = await Promise.all([
    log.offsetsForTimestamp(topic, range.fromMs),
    log.offsetsForTimestamp(topic, range.toMs),
  ]);
  return { starts, ends };
}

/** The raw records appended to `topic` in [fromMs, toMs), a chunk (of one partition) at a time. */
export async function* readRecords(
  log: EventLog,
  topic: string,
  range: LogTimeRange,
): AsyncIterable<LogRecord[]> {
  const { starts, ends } = await bounds(log, topic, range);
  range.signal?.throwIfAborted();
  yield* log.replay(topic, {
    from: { offsets: byPartition(starts) },
    toOffsets: byPartition(ends),
    toTimestamp: range.toMs,
    ...(range.key === undefined ? {} : { key: range.key }),
    ...(range.signal ? { signal: range.signal } : {}),
  });
}

/**
 * How many records `readRecords` will go through, from offsets alone (no record is read): the
 * whole range, or with a key the largest partition's share (the key's partition is not known here).
 */
export async function countRecords(log: EventLog, topic: string, range: LogTimeRange): Promise<number> {
  const { starts, ends } = await bounds(log, topic, range);
  const end = new Map(ends.map((p) => [p.partition, p.offset]));
  const counts = starts.map((p) => Math.max(0, (end.get(p.partition) ?? p.offset) - p.offset));
  return range.key === undefined ? counts.reduce((a, b) => a + b, 0) : Math.max(0, ...counts);
}

export async function* readEvents(
  log: EventLog,
  topic: string,
  options: LogTimeRange,
): AsyncIterable<DomainEvent[]> {
  for await (const records of readRecords(log, topic, options)) {
    const events: DomainEvent[] = [];
    for (const record of records) {
      const decoded = decodeEvent(record.value);
      if (decoded.ok) events.push(decoded.event);
    }
    yield events;
  }
}
