/**
 * The events a topic recorded between two append times, decoded and upcast, a chunk at a time
 * (for backtests, and later exports). Each chunk is awaited by the reader, so a long read yields
 * to the event loop and stops when aborted; records that do not decode are passed over (they were
 * dead-lettered when first read).
 */
import type { DomainEvent } from "../events/catalog.ts";
import { decodeEvent } from "../events/codec.ts";
import type { EventLog } from "./event_log.ts";

export async function* readEvents(
  log: EventLog,
  topic: string,
  options: { fromMs: number; toMs: number; signal?: AbortSignal },
): AsyncIterable<DomainEvent[]> {
  const chunks = log.replay(topic, {
    from: { timestamp: options.fromMs },
    toTimestamp: options.toMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for await (const records of chunks) {
    const events: DomainEvent[] = [];
    for (const record of records) {
      const decoded = decodeEvent(record.value);
      if (decoded.ok) events.push(decoded.event);
    }
    yield events;
  }
}
