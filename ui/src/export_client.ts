/**
 * `GET /api/v1/export` (design §11) for the data explorer: the query string, an envelope cursor
 * that reads the NDJSON answer line by line and only as far as the page asks (the rest of a big
 * range is never transferred: the request is aborted on close), and downloading the file with
 * a byte count as it arrives.
 */
import type { TopicFamily } from "../../core/events/topic_families.ts";
import type { EventEnvelope } from "../../core/events/envelope.ts";
import { answerOf } from "./api_client.ts";

export type ExportFormat = "ndjson" | "csv" | "parquet";

/** Typed by the family list, so a family added there fails the type check here until listed. */
const TOPIC_LABELS: Record<TopicFamily, string> = {
  telemetry: "Telemetry",
  device: "Devices",
  command: "Commands",
  ota: "OTA",
  alert: "Rules and alerts",
  dlq: "Dead letters",
};
export const EXPORT_TOPICS = Object.entries(TOPIC_LABELS) as [TopicFamily, string][];

export interface ExportQuery {
  topic: TopicFamily;
  /** ISO-8601; [from, to) on event time. */
  from?: string;
  to?: string;
  device?: string;
  types?: readonly string[];
  format: ExportFormat;
  /** Go ahead with a range over `AIOT_EXPORT_MAX_EVENTS` (else the API answers 400 on `force`). */
  force?: boolean;
}

/**
 * The family of each event type by its first name segment, for offering only the types of the
 * chosen topic (the API refuses the others, naming them). `export_client_test.ts` checks that
 * every catalog type has one.
 */
const FAMILY_OF_PREFIX: Readonly<Record<string, TopicFamily>> = {
  telemetry: "telemetry",
  device: "device",
  command: "command",
  firmware: "ota",
  ota: "ota",
  rule: "alert",
  alert: "alert",
  input: "dlq",
  camera: "device",
};

export function familyOf(type: string): TopicFamily | undefined {
  const prefix = type.slice(0, type.indexOf("."));
  return Object.hasOwn(FAMILY_OF_PREFIX, prefix) ? FAMILY_OF_PREFIX[prefix] : undefined;
}

/** CSV and Parquet are the telemetry long form (`time,deviceId,metric,value`) only. */
export function formatsOf(topic: TopicFamily): ExportFormat[] {
  return topic === "telemetry" ? ["ndjson", "csv", "parquet"] : ["ndjson"];
}

export function exportPath(query: ExportQuery): string {
  const params = new URLSearchParams({ topic: query.topic });
  if (query.from) params.set("from", query.from);
  if (query.to) params.set("to", query.to);
  if (query.device) params.set("device", query.device);
  if (query.types?.length) params.set("types", query.types.join(","));
  params.set("format", query.format);
  if (query.force) params.set("force", "true");
  return `/api/v1/export?${params}`;
}

/** Each JSON line of an NDJSON byte stream as soon as it is complete; blank lines are skipped. */
export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) yield JSON.parse(line);
    }
    buffered += decoder.decode();
    if (buffered.trim()) yield JSON.parse(buffered);
  } finally {
    // Also when the consumer stops early: the response body is cancelled, not drained.
    await reader.cancel().catch(() => {});
  }
}

export interface EnvelopeCursor {
  /** Up to `count` more envelopes; fewer only at the end of the range. */
  next(count: number): Promise<{ items: EventEnvelope[]; done: boolean }>;
  /** Aborts the request: the server stops reading the log. */
  close(): void;
}

/**
 * Opens the NDJSON export of `query` and reads it only as far as `next` asks. It is `force`d: the
 * size limit guards whole exports, and this reads a few hundred envelopes and then aborts.
 */
export function openEnvelopeCursor(
  query: Omit<ExportQuery, "format" | "force">,
  fetchImpl: typeof fetch = fetch,
): EnvelopeCursor {
  const abort = new AbortController();
  const path = exportPath({ ...query, format: "ndjson", force: true });
  let lines: AsyncGenerator<unknown> | undefined;
  let done = false;
  return {
    async next(count) {
      if (!lines) {
        const response = await fetchImpl(path, { credentials: "same-origin", signal: abort.signal });
        if (!response.ok || !response.body) await answerOf(response, path);
        lines = readNdjson(response.body!);
      }
      const items: EventEnvelope[] = [];
      while (!done && items.length < count) {
        const line = await lines.next();
        if (line.done) done = true;
        else items.push(line.value as EventEnvelope);
      }
      return { items, done };
    },
    close() {
      abort.abort();
      void lines?.return(undefined).catch(() => {});
    },
  };
}

/** The `filename` of a `content-disposition` header, if it names one. */
export function filenameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]!.trim().replace(/^"|"$/g, ""));
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1]?.trim();
}

/**
 * Downloads the export as a file: `fetch` read chunk by chunk (`onProgress` gets the bytes so
 * far and the total when the server sends a length — a streamed export usually does not), then
 * one Blob saved through an object URL. The whole file is held in memory until it is saved.
 */
export async function downloadExport(
  query: ExportQuery,
  options: { onProgress(received: number, total?: number): void; signal?: AbortSignal },
): Promise<{ bytes: number; filename: string }> {
  const path = exportPath(query);
  const response = await fetch(path, {
    credentials: "same-origin",
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok || !response.body) await answerOf(response, path);
  const length = Number(response.headers.get("content-length"));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  const reader = response.body!.getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    received += value.byteLength;
    options.onProgress(received, total);
  }
  const filename = filenameOf(response.headers.get("content-disposition")) ??
    `aiot-${query.topic}.${query.format}`;
  const url = URL.createObjectURL(
    new Blob(parts as BlobPart[], { type: response.headers.get("content-type") ?? "" }),
  );
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { bytes: received, filename };
}
