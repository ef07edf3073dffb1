/**
 * The live hub behind `GET /api/v1/stream`: one log reader per API instance (from the end of each
 * topic), fanned out to many SSE clients by type and device. Every event carries a resume token
 * as its `id:`; `Last-Event-ID` replays the log from that token up to where the hub is, then
 * continues live, without gap or repeat; `?from=` a time does the same from the token the stream
 * would have had at that time (the first offset of each partition appended at or after it).
 * Events reach clients only through `clientData` (upcast, secrets redacted).
 *
 * A stream is a long-lived hold on the process, and a token is only the client's word, so each
 * stream is bounded: a byte budget (a slow client is dropped: sse_stream.ts), how far back a token
 * may resume (further back is refused with an `error` event, not replayed), a replay that yields
 * and stops with its client (replay.ts), a number of streams per caller (429 beyond:
 * stream_quota.ts) and a periodic re-check of the caller's credentials (credential_watch.ts).
 */
import type { EventLog, LogConsumer, LogRecord } from "../../core/log/event_log.ts";
import type { LiveFilter, LiveRequest } from "../deps.ts";
import { positionsAt, replayInto } from "./replay.ts";
import { decodeToken, encodeToken, farthestBehind, type Positions, slot } from "./resume_token.ts";
import { clientData, CONNECTED, eventFrame, finalFrame, matches } from "./sse_frames.ts";
import { createSseStream, type SseStream } from "./sse_stream.ts";
import { createStreamQuota } from "./stream_quota.ts";
import { watchCredentials } from "./credential_watch.ts";
import { traceDelivery } from "./delivery_span.ts";
import { tracingEnabled } from "../../core/tracing/mod.ts";
import { type Logger, noopLogger } from "../../core/logging/mod.ts";

export interface LiveHubOptions {
  log: EventLog;
  topics: string[];
  /**
   * Bytes one client may have waiting (queued for its socket, or held during its replay) before
   * it is dropped with `event: dropped`. Default 4 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * How far behind the hub a `Last-Event-ID` (or `?from=`) may be, in events of any one partition;
   * further back is answered with `event: error` `resume_too_old` instead of a replay.
   * Default 10,000.
   */
  maxResumeEvents?: number;
  /** Streams one caller may hold at once; one more is refused with 429. Default 8. */
  streamsPerCaller?: number;
  /** How often an open stream re-checks its caller's credentials. Default 30 s. */
  authRecheckMs?: number;
  /** Comment line interval on idle streams. Default 15 s. */
  heartbeatMs?: number;
  /** Failed reads of the log and replays. Default: none. */
  logger?: Logger;
}

export interface LiveHub {
  readonly ready: Promise<void>;
  /** An SSE response for `request`; throws `TooManyRequestsError` past the caller's limit. */
  open(request: LiveRequest): Response;
  clients(): number;
  stop(): Promise<void>;
}

interface Client {
  filter: LiveFilter;
  stream: SseStream;
}

const encoder = new TextEncoder();

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const { log, topics } = options;
  const logger = options.logger ?? noopLogger;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const maxResumeEvents = options.maxResumeEvents ?? 10_000;
  const authRecheckMs = options.authRecheckMs ?? 30_000;
  const quota = createStreamQuota(options.streamsPerCaller ?? 8);
  const positions: Positions = new Map();
  const clients = new Set<Client>();
  const consumers: LogConsumer[] = [];

  /**
   * Queues `record` for the clients that want it: decoded, redacted and encoded at most once,
   * whatever the number of clients. The caller flushes the clients it returned to (`touched`).
   */
  function deliver(record: LogRecord, topicIndex: number, touched: Set<Client>): void {
    positions.set(slot(topicIndex, record.partition), record.offset + 1);
    let frame: Uint8Array | undefined;
    let decoded = false; // at most once per record, and only when some client wants it
    let sentTo = 0;
    for (const client of clients) {
      if (!matches(client.filter, record)) continue;
      if (!decoded) {
        decoded = true;
        const data = clientData(record);
        if (data === undefined) return; // withheld from every client
        const type = record.headers["event-type"] ?? "event";
        frame = encoder.encode(eventFrame(type, encodeToken(positions), data));
      }
      client.stream.sendLive(frame!);
      touched.add(client);
      sentTo++;
    }
    if (sentTo > 0 && tracingEnabled()) traceDelivery(record, sentTo);
  }

  /** Clients with frames queued since the last flush; flushed once per turn of the event loop. */
  const touched = new Set<Client>();
  let flushQueued = false;
  function flushTouched(): void {
    flushQueued = false;
    for (const client of touched) client.stream.flush();
    touched.clear();
  }

  /**
   * One batch of the log (one partition of one topic). Its frames are queued, and every client's
   * frames of the whole turn (all partitions and topics the readers got to) go out as one chunk
   * in the next macrotask (`setImmediate`, microseconds later). Flushed per batch instead, a
   * client got one chunk per partition per append: at 2k msg/s and 50 clients ~80k response
   * writes a second, and publish → client took 250-430 ms at p50 (7.9-9.8 ms with this).
   */
  function deliverBatch(records: readonly LogRecord[], topicIndex: number): void {
    for (const record of records) deliver(record, topicIndex, touched);
    if (!flushQueued && touched.size > 0) {
      flushQueued = true;
      setImmediate(flushTouched);
    }
  }

  let stopping = false;
  /**
   * Reads `topic` from `offsets` on, in slot `index` of `consumers`. A consumer that dies (the log
   * away for longer than its retries, e.g. a Kafka outage) is replaced after a second from where
   * the hub got to, so live clients see neither a gap nor a repeat, and its rejection does not go
   * unhandled (which ended the whole API process).
   */
  const follow = (
    topicIndex: number,
    topic: string,
    offsets: Record<number, number>,
    index = consumers.length,
  ): LogConsumer => {
    const consumer = log.consume({
      group: `live-${crypto.randomUUID()}`,
      topics: [topic],
      from: { offsets },
      // The hub keeps its own positions (`positions`, used to resume): a commit per batch only
      // delayed the next one (bench live on Kafka, 2k msg/s, four pairs: p99 66–93 vs 78–133 ms).
      commitOffsets: false,
      handleBatch: (batch) => Promise.resolve(deliverBatch(batch.records, topicIndex)),
    });
    consumers[index] = consumer;
    consumer.done.catch(async (error) => {
      if (stopping) return;
      logger.warn("reading the log failed; resuming in 1 s", { topic, error });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (stopping) return;
      const resume: Record<number, number> = {};
      for (const p of Object.keys(offsets).map(Number)) {
        resume[p] = positions.get(slot(topicIndex, p)) ?? offsets[p]!;
      }
      // Its failure, if any, ends up in its `done`, handled the same way.
      follow(topicIndex, topic, resume, index).ready.catch(() => {});
    });
    return consumer;
  };

  const ready = (async () => {
    for (const [topicIndex, topic] of topics.entries()) {
      const ends = await log.endOffsets(topic);
      for (const p of ends) positions.set(slot(topicIndex, p.partition), p.end);
      const consumer = follow(topicIndex, topic, Object.fromEntries(ends.map((p) => [p.partition, p.end])));
      await consumer.ready;
    }
  })();

  /** A response with one final frame: the request is refused before any stream is kept. */
  const refusal = (frame: string) => new Response(CONNECTED + frame, { headers: SSE_HEADERS });

  const tooOld = (what: string, instead: string) =>
    finalFrame(
      "error",
      "resume_too_old",
      `Cannot resume: ${what} is more than ${maxResumeEvents} events behind in a partition. ${instead}`,
      { resetId: true },
    );

  function open(request: LiveRequest): Response {
    const { filter } = request;
    const release = quota.take(request.caller);
    const token = request.lastEventId ? decodeToken(request.lastEventId, topics.length) : undefined;
    // A token wins over `from`: EventSource reconnects to the same URL with its Last-Event-ID.
    const fromTime = token ? undefined : request.from;
    const until = new Map(positions);
    if (token && farthestBehind(token, until) > maxResumeEvents) {
      release();
      return refusal(tooOld(
        "Last-Event-ID",
        "Reload the current state, then open the stream without Last-Event-ID.",
      ));
    }

    const endStream = () => stream.close();
    const stream = createSseStream({
      maxBufferedBytes,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      replaying: token !== undefined || fromTime !== undefined,
      onClose() {
        clients.delete(client);
        release();
        stopWatching();
        request.signal.removeEventListener("abort", endStream);
      },
    });
    const client: Client = { filter, stream };
    clients.add(client);
    const stopWatching = watchCredentials(request.stillAuthorized, stream, authRecheckMs, logger);
    request.signal.addEventListener("abort", endStream, { once: true });
    if (request.signal.aborted) stream.close();

    if (token || fromTime !== undefined) {
      const replay = async () => {
        const from = token ?? await positionsAt(log, topics, fromTime!, until);
        // Checked only now for `from`: its offsets come from the log. Live frames are held meanwhile.
        if (!token && farthestBehind(from, until) > maxResumeEvents) {
          const at = new Date(fromTime!).toISOString();
          return stream.close(
            tooOld(`from=${at}`, "Choose a later from, or read the range with GET /export."),
          );
        }
        await replayInto(stream, filter, { log, topics, from, until });
        stream.endReplay();
      };
      replay()
        .catch((error) => {
          if (stream.signal.aborted) return; // the client went away: the replay was told to stop
          logger.error("cannot replay the log into a stream", { error });
          stream.close(
            finalFrame("error", "replay_failed", "The log could not be replayed: reconnect to retry"),
          );
        });
    }
    return new Response(stream.body, { headers: SSE_HEADERS });
  }

  return {
    ready,
    open,
    clients: () => clients.size,
    async stop() {
      stopping = true;
      for (const client of [...clients]) client.stream.close();
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
