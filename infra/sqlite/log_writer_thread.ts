/**
 * The embedded log's writes on a worker thread of their own. An append is a synchronous SQLite
 * transaction ending in an fsync'd COMMIT; on the thread that runs the MQTT broker and ingest it
 * took about a quarter of that thread at full load, most of it waiting for the disk. Here the
 * caller's thread only hands the batch over and goes on parsing the next one while the writer
 * stores it through its own connection to the same database (WAL: the caller's connection sees
 * the rows once the promise resolves). Retention deletes go the same way, so the caller's thread
 * never waits for the write lock either.
 *
 * Measured (docs/performance.md, "Issue 18, 2026-11-30 (night)"): the main thread's CPU did not
 * drop (handing batches over cost about what the inserts had) and the writer added 12 % of a
 * core, so it is opt-in (`AIOT_LOG_WRITER_THREAD=1`): for disks whose fsync blocks for milliseconds.
 *
 * Order: the worker runs requests one at a time in the order sent and answers in that order.
 * When the worker dies, everything in flight fails as retriable (an append may then have been
 * stored and be stored again by the retry: at least once, as with any lost acknowledgement) and
 * the next request starts a new worker.
 */
import type { StoredMessage } from "../../core/log/local_log_storage.ts";
import { InfrastructureError } from "../../core/errors.ts";
import type { SqliteLogStorageOptions } from "./sqlite_log_storage.ts";

export type WriterRequest =
  | { type: "open"; path: string; options: SqliteLogStorageOptions }
  | { type: "append"; topic: string; messages: StoredMessage[] }
  | { type: "deleteOlderThan"; topic: string; before: number; limit: number }
  | { type: "applyRetention"; options: { maxBytesPerPartition: number } }
  | { type: "close" };

export type WriterReply =
  | { ok: true; result: unknown }
  | { ok: false; message: string; retriable: boolean };

export interface LogWriterThread {
  /** The storage's `append`, done on the writer thread. */
  append(topic: string, messages: StoredMessage[]): Promise<number[]>;
  /** The storage's `deleteOlderThan`, done on the writer thread. */
  deleteOlderThan(topic: string, before: number, limit: number): Promise<number>;
  /** The storage's `applyRetention`, done on the writer thread. */
  applyRetention(options: { maxBytesPerPartition: number }): Promise<number>;
  /** Waits for every request sent so far, then ends the thread. */
  close(): Promise<void>;
}

interface InFlight {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/** `path` and `options` as for `new SqliteLogStorage(path, options)`. */
export function startLogWriterThread(path: string, options: SqliteLogStorageOptions = {}): LogWriterThread {
  let worker: Worker | undefined;
  const inFlight: InFlight[] = [];

  function failAll(reason: string): void {
    const error = new InfrastructureError(`log writer thread failed: ${reason}`, { retriable: true });
    for (const waiting of inFlight.splice(0)) waiting.reject(error);
  }

  function started(): Worker {
    if (worker) return worker;
    const fresh = new Worker(new URL("./log_writer_worker.ts", import.meta.url), { type: "module" });
    fresh.onmessage = ({ data }: MessageEvent<WriterReply>) => {
      const waiting = inFlight.shift();
      if (data.ok) waiting?.resolve(data.result);
      else {
        waiting?.reject(
          data.retriable
            ? new InfrastructureError(data.message, { retriable: true })
            : new Error(data.message),
        );
      }
    };
    fresh.onerror = (event) => {
      // Handled here: an uncaught error in the worker must not end the process.
      event.preventDefault();
      fresh.terminate();
      if (worker === fresh) worker = undefined;
      failAll(event.message);
    };
    worker = fresh;
    send({ type: "open", path, options }).catch(() => {}); // its failure fails what follows too
    return fresh;
  }

  function send(request: WriterRequest): Promise<unknown> {
    const target = started();
    return new Promise((resolve, reject) => {
      inFlight.push({ resolve, reject });
      target.postMessage(request);
    });
  }

  return {
    append: (topic, messages) => send({ type: "append", topic, messages }) as Promise<number[]>,
    deleteOlderThan: (topic, before, limit) =>
      send({ type: "deleteOlderThan", topic, before, limit }) as Promise<number>,
    applyRetention: (retention) => send({ type: "applyRetention", options: retention }) as Promise<number>,
    async close() {
      if (!worker) return;
      const closing = worker;
      await send({ type: "close" }).catch(() => {});
      closing.terminate();
      if (worker === closing) worker = undefined;
    },
  };
}
