/**
 * The live hub behind `GET /api/v1/stream`: one log reader per API instance (from the end of each
 * topic), fanned out to many SSE clients by type and device. Every event carries a resume token
 * as its `id:`; `Last-Event-ID` replays the log from that token up to where the hub is, then
 * continues live, without gap or repeat. A client that falls `maxQueue` events behind gets a final
 * `dropped` event and is closed, so it never slows the others. Comments keep idle streams open.
 */
import type { EventLog, LogConsumer, LogRecord } from "../../core/log/event_log.ts";
import { decodeToken, encodeToken, type Positions, slot } from "./resume_token.ts";

export interface LiveFilter {
  types?: string[];
  device?: string;
}

export interface LiveHubOptions {
  log: EventLog;
  topics: string[];
  /** Most events queued for one client before it is dropped. Default 5,000. */
  maxQueue?: number;
  /** Comment line interval on idle streams. Default 15 s. */
  heartbeatMs?: number;
}

export interface LiveHub {
  readonly ready: Promise<void>;
  /** An SSE response for `filter`, resuming after `lastEventId` when given. */
  open(filter: LiveFilter, lastEventId?: string): Response;
  clients(): number;
  stop(): Promise<void>;
}

interface Client {
  filter: LiveFilter;
  send(text: string): void;
  /** Ends the stream (server shutdown). */
  end(): void;
  /** Live events that arrive while the client is still replaying. */
  backlog?: string[];
}

const encoder = new TextEncoder();

const matches = (filter: LiveFilter, record: LogRecord) =>
  (!filter.device || record.key === filter.device) &&
  (!filter.types || filter.types.includes(record.headers["event-type"] ?? ""));

const frame = (record: LogRecord, token: string) =>
  `event: ${record.headers["event-type"] ?? "event"}\nid: ${token}\ndata: ${record.value}\n\n`;

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const { log, topics } = options;
  const maxQueue = options.maxQueue ?? 5000;
  const positions: Positions = new Map();
  const clients = new Set<Client>();
  const consumers: LogConsumer[] = [];

  function deliver(record: LogRecord, topicIndex: number): void {
    positions.set(slot(topicIndex, record.partition), record.offset + 1);
    let token: string | undefined;
    for (const client of clients) {
      if (!matches(client.filter, record)) continue;
      token ??= encodeToken(positions);
      const text = frame(record, token);
      if (client.backlog) client.backlog.push(text);
      else client.send(text);
    }
  }

  const ready = (async () => {
    for (const [topicIndex, topic] of topics.entries()) {
      const ends = await log.endOffsets(topic);
      for (const p of ends) positions.set(slot(topicIndex, p.partition), p.end);
      const consumer = log.consume({
        group: `live-${crypto.randomUUID()}`,
        topics: [topic],
        from: { offsets: Object.fromEntries(ends.map((p) => [p.partition, p.end])) },
        handleBatch: (batch) => Promise.resolve(batch.records.forEach((r) => deliver(r, topicIndex))),
      });
      consumers.push(consumer);
      await consumer.ready;
    }
  })();

  /** Replays [from, until) of every partition into the client, advancing a copy of the token. */
  async function replay(client: Client, from: Positions, until: Positions): Promise<void> {
    const progress = new Map(from);
    for (const [topicIndex, topic] of topics.entries()) {
      const offsets: Record<number, number> = {};
      for (const [key, end] of until) {
        const [t, partition] = key.split("#").map(Number) as [number, number];
        if (t === topicIndex) offsets[partition] = from.get(key) ?? end;
      }
      for await (const chunk of log.replay(topic, { from: { offsets } })) {
        for (const record of chunk) {
          const key = slot(topicIndex, record.partition);
          if (
            record.offset >= (until.get(key) ?? 0) || record.offset < (from.get(key) ?? until.get(key) ?? 0)
          ) continue;
          progress.set(key, record.offset + 1);
          if (matches(client.filter, record)) client.send(frame(record, encodeToken(progress)));
        }
      }
    }
  }

  function open(filter: LiveFilter, lastEventId?: string): Response {
    const resumeFrom = lastEventId ? decodeToken(lastEventId, topics.length) : undefined;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let client!: Client;
    const close = () => {
      clearInterval(heartbeat);
      clients.delete(client);
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        client = {
          filter,
          send(text) {
            if ((controller.desiredSize ?? 0) <= -maxQueue) {
              controller.enqueue(encoder.encode(`event: dropped\ndata: {"reason":"client too slow"}\n\n`));
              controller.close();
              close();
              return;
            }
            controller.enqueue(encoder.encode(text));
          },
          end() {
            close();
            try {
              controller.close();
            } catch { /* already closed by the client */ }
          },
          ...(resumeFrom ? { backlog: [] } : {}),
        };
        clients.add(client);
        controller.enqueue(encoder.encode(`retry: 2000\n: connected\n\n`));
        heartbeat = setInterval(
          () => controller.enqueue(encoder.encode(`: ping\n\n`)),
          options.heartbeatMs ?? 15_000,
        );
        if (resumeFrom) {
          const until = new Map(positions);
          replay(client, resumeFrom, until).then(() => {
            const backlog = client.backlog ?? [];
            delete client.backlog;
            for (const text of backlog) client.send(text);
          }).catch(() => {
            controller.error(new Error("replay failed"));
            close();
          });
        }
      },
      cancel: close,
    }, { highWaterMark: 0 });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
      },
    });
  }

  return {
    ready,
    open,
    clients: () => clients.size,
    async stop() {
      for (const client of [...clients]) client.end();
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
