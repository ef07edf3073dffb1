/**
 * One export, shared by `GET /api/v1/export` and `deno task aiot export`: sizes the range from
 * offsets (refusing one over the limit unless forced), then reads the log a chunk at a time and
 * formats what the range holds. Reading is pulled by the consumer: the next log chunk is read only
 * when the previous bytes were taken, so memory stays flat however long the range (design §11).
 */
import { ValidationError } from "../errors.ts";
import type { TopicNames } from "../events/topics.ts";
import type { LogRecord } from "../log/event_log.ts";
import type { LogTimeRange } from "../log/read_events.ts";
import { CSV_HEADER, csvLines } from "./csv.ts";
import { exportFileName, type ExportQuery, FORMAT_MEDIA } from "./export_query.ts";
import { ParquetRowGroups } from "./parquet.ts";
import { selectLines, selectRows } from "./select.ts";

/** Where an export reads from: a log's records by append time, and their number from offsets. */
export interface ExportSource {
  records(topic: string, range: LogTimeRange): AsyncIterable<LogRecord[]>;
  count(topic: string, range: LogTimeRange): Promise<number>;
}

export interface ExportProgress {
  /** Log records read so far (of `estimated`). */
  scanned: number;
  /** Lines (NDJSON) or rows (CSV, Parquet) written so far. */
  exported: number;
  /** Records the scan covers, from offsets. */
  estimated: number;
}

export interface ExportOptions {
  topics: TopicNames;
  /** How late a point may be appended after its time and still be found (`AIOT_EXPORT_LATENESS`). */
  latenessMs: number;
  /** The most records a scan may cover without `force` (`AIOT_EXPORT_MAX_EVENTS`). */
  maxEvents: number;
  now: () => number;
  /** Stops the read (a client that went away). */
  signal?: AbortSignal;
  /** Called after each chunk read. */
  onProgress?: (progress: ExportProgress) => void;
}

export interface PreparedExport {
  fileName: string;
  contentType: string;
  /** Records the scan covers (the range widened by the lateness), from offsets. */
  estimated: number;
  /** The file's bytes, pulled: the log is read as they are taken. Stop early with `return()`. */
  chunks(): AsyncGenerator<Uint8Array>;
  /** The same as a ReadableStream (one chunk buffered); cancelling it stops the read. */
  stream(): ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

/**
 * Checks the size and prepares the export of `query`. Throws a `ValidationError` (400) naming
 * `force` and `AIOT_EXPORT_MAX_EVENTS` when the scan covers more records than allowed.
 */
export async function prepareExport(
  source: ExportSource,
  query: ExportQuery,
  options: ExportOptions,
): Promise<PreparedExport> {
  const topic = options.topics[query.topic];
  // The log is sought by append time: a point appended up to `latenessMs` after its own time is
  // still found, one appended later is not (documented in the README).
  const range: LogTimeRange = {
    fromMs: Math.max(0, query.from - options.latenessMs),
    toMs: Math.min(query.to + options.latenessMs, options.now() + 1),
    ...(query.device === undefined ? {} : { key: query.device }),
  };
  const estimated = range.fromMs < range.toMs ? await source.count(topic, range) : 0;
  if (estimated > options.maxEvents && !query.force) {
    const message = `the range covers about ${estimated} log records, over AIOT_EXPORT_MAX_EVENTS ` +
      `(${options.maxEvents}): narrow it, or confirm with force=true`;
    throw new ValidationError(`Invalid request query: force: ${message}`, {
      details: [{ path: "force", message }],
    });
  }

  async function* chunks(): AsyncGenerator<Uint8Array> {
    const progress: ExportProgress = { scanned: 0, exported: 0, estimated };
    const read = range.fromMs < range.toMs
      ? source.records(topic, { ...range, ...(options.signal ? { signal: options.signal } : {}) })
      : [];
    if (query.format === "csv") yield encoder.encode(CSV_HEADER);
    const parquet = query.format === "parquet" ? new ParquetRowGroups() : undefined;
    for await (const records of read) {
      progress.scanned += records.length;
      if (query.format === "ndjson") {
        const lines = selectLines(records, query);
        progress.exported += lines.length;
        options.onProgress?.(progress);
        if (lines.length > 0) yield encoder.encode(lines.join("\n") + "\n");
        continue;
      }
      const rows = selectRows(records, query);
      progress.exported += rows.length;
      options.onProgress?.(progress);
      if (parquet) yield* parquet.add(rows);
      else if (rows.length > 0) yield encoder.encode(csvLines(rows));
    }
    if (parquet) yield* parquet.end();
  }

  return {
    fileName: exportFileName(query),
    contentType: FORMAT_MEDIA[query.format].contentType,
    estimated,
    chunks,
    stream: () => toStream(chunks()),
  };
}

/** A pull stream over `chunks`: each pull takes the next chunk; cancelling closes the generator. */
function toStream(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  }, { highWaterMark: 1 });
}
