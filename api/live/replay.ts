/**
 * The first part of a `Last-Event-ID` resume (or of a stream opened `?from=` a time, turned into
 * the token it would have had then): the log from the client's token up to where the hub
 * was when the stream opened, after which live delivery takes over without gap or repeat. The
 * token is the client's word, so the replay is built to cost little whatever it says: it goes at
 * the client's pace (it waits while half the stream's budget is queued), gives the event loop a
 * turn after every chunk (other requests and streams keep being served) and stops as soon as the
 * stream closes. How far back a token may reach is bounded before this runs (`farthestBehind`).
 */
import type { EventLog } from "../../core/log/event_log.ts";
import type { LiveFilter } from "../deps.ts";
import { encodeToken, type Positions, slot } from "./resume_token.ts";
import { clientData, eventFrame, matches } from "./sse_frames.ts";
import type { SseStream } from "./sse_stream.ts";

/** Records read per chunk: one chunk is the most work done between two turns of the event loop. */
const CHUNK = 256;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export interface ReplayRange {
  log: EventLog;
  topics: readonly string[];
  /** The client's token. */
  from: Positions;
  /** The hub's positions when the stream opened: live delivery starts there. */
  until: Positions;
}

/**
 * The positions a stream starting at append time `timestamp` resumes from: per partition the
 * first record at or after it, never past where live delivery starts (`until`), so a `from` the
 * hub has not caught up with yet is served live, without a gap.
 */
export async function positionsAt(
  log: EventLog,
  topics: readonly string[],
  timestamp: number,
  until: Positions,
): Promise<Positions> {
  const positions: Positions = new Map();
  for (const [topicIndex, topic] of topics.entries()) {
    for (const { partition, offset } of await log.offsetsForTimestamp(topic, timestamp)) {
      const key = slot(topicIndex, partition);
      const end = until.get(key);
      if (end !== undefined) positions.set(key, Math.min(offset, end));
    }
  }
  return positions;
}

/** Replays `range` into `stream`, advancing a copy of the token with every record. */
export async function replayInto(stream: SseStream, filter: LiveFilter, range: ReplayRange): Promise<void> {
  const { log, topics, from, until } = range;
  const progress = new Map(from);
  for (const [topicIndex, topic] of topics.entries()) {
    const offsets: Record<number, number> = {};
    for (const [key, end] of until) {
      const [t, partition] = key.split("#").map(Number) as [number, number];
      if (t === topicIndex) offsets[partition] = from.get(key) ?? end;
    }
    const chunks = log.replay(topic, { from: { offsets }, chunkSize: CHUNK, signal: stream.signal });
    for await (const chunk of chunks) {
      for (const record of chunk) {
        const key = slot(topicIndex, record.partition);
        const end = until.get(key) ?? 0;
        if (record.offset >= end || record.offset < (from.get(key) ?? end)) continue;
        progress.set(key, record.offset + 1);
        if (!matches(filter, record)) continue;
        const data = clientData(record);
        if (data === undefined) continue;
        await stream.room();
        if (stream.signal.aborted) return;
        stream.send(eventFrame(record.headers["event-type"] ?? "event", encodeToken(progress), data));
      }
      await yieldToEventLoop();
      if (stream.signal.aborted) return;
    }
  }
}
