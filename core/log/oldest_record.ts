/**
 * The append time of the oldest record a topic still holds, through the EventLog port alone: the
 * first retained record of each partition is read (one record each), so it costs the same on every
 * engine whatever the topic's size, and retention needs no method of its own on the port.
 */
import type { EventLog } from "./event_log.ts";

/**
 * The smallest timestamp among the first retained record of each partition of `topic` (by offset:
 * the oldest where timestamps are append times), or undefined when the topic holds nothing.
 */
export async function oldestRecordTime(log: EventLog, topic: string): Promise<number | undefined> {
  const bounds = await log.endOffsets(topic);
  if (bounds.every((p) => p.start >= p.end)) return undefined;
  let oldest: number | undefined;
  const replay = log.replay(topic, {
    from: { offsets: Object.fromEntries(bounds.map((p) => [p.partition, p.start])) },
    // One record of each partition that held one; none of those empty then (appends since excluded).
    toOffsets: Object.fromEntries(bounds.map((p) => [p.partition, Math.min(p.start + 1, p.end)])),
    chunkSize: 1,
  });
  for await (const chunk of replay) {
    for (const record of chunk) oldest = Math.min(oldest ?? Infinity, record.timestamp);
  }
  return oldest;
}
