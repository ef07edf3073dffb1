/**
 * Export buttons for the explorer's range: NDJSON for every topic, CSV and Parquet for telemetry.
 * The file is fetched as a stream and the bytes received so far are shown (with a bar when the
 * server sends a length); Cancel aborts the request, which stops the export on the server. The
 * file is held in the page's memory until saved, so big ranges have plain links as well: the
 * browser streams those to disk with the session cookie (same origin) and shows its own progress.
 */
import { useRef, useState } from "preact/hooks";
import { ApiError } from "../api_client.ts";
import {
  downloadExport,
  type ExportFormat,
  exportPath,
  type ExportQuery,
  formatsOf,
} from "../export_client.ts";

const LABELS: Record<ExportFormat, string> = { ndjson: "NDJSON", csv: "CSV", parquet: "Parquet" };

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function ExportButtons({ query }: { query: Omit<ExportQuery, "format"> }) {
  const [progress, setProgress] = useState<{ format: ExportFormat; received: number; total?: number }>();
  const [note, setNote] = useState<{ text: string; error?: boolean }>();
  // The range is over AIOT_EXPORT_MAX_EVENTS: the API wants it confirmed (force=true).
  const [overLimit, setOverLimit] = useState<ExportFormat>();
  const abort = useRef<AbortController | undefined>(undefined);

  const start = async (format: ExportFormat, force = false) => {
    abort.current = new AbortController();
    setNote(undefined);
    setOverLimit(undefined);
    setProgress({ format, received: 0 });
    try {
      const { bytes, filename } = await downloadExport({ ...query, format, ...(force ? { force } : {}) }, {
        signal: abort.current.signal,
        onProgress: (received, total) => setProgress({ format, received, ...(total ? { total } : {}) }),
      });
      setNote({ text: `Saved ${filename} (${formatBytes(bytes)}).` });
    } catch (e) {
      const error = e as Error;
      if (e instanceof ApiError && e.details.some((d) => d.path === "force")) setOverLimit(format);
      setNote(
        error.name === "AbortError" ? { text: "Export cancelled." } : { text: error.message, error: true },
      );
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <div class="export-buttons" role="group" aria-label="Export this range">
      <span class="muted">Export:</span>
      {formatsOf(query.topic).map((format) => (
        <button
          type="button"
          class="secondary"
          key={format}
          disabled={progress !== undefined}
          onClick={() => start(format)}
        >
          {LABELS[format]}
        </button>
      ))}
      {progress && (
        <span class="progress" role="status" data-export-progress={progress.received}>
          {progress.total
            ? <progress max={progress.total} value={progress.received} />
            : <progress aria-label="Export in progress" />}
          {LABELS[progress.format]}: {formatBytes(progress.received)} received
          {progress.total ? ` of ${formatBytes(progress.total)}` : ""}
          <button type="button" class="secondary" onClick={() => abort.current?.abort()}>Cancel</button>
        </span>
      )}
      {overLimit && (
        <button type="button" class="danger" onClick={() => start(overLimit, true)}>
          Export anyway ({LABELS[overLimit]})
        </button>
      )}
      {note && <span role="status" class={note.error ? "error" : "muted"} data-export-note>{note.text}</span>}
      <small class="muted direct-links">
        Large ranges: save straight to disk (the browser shows the progress){" "}
        {formatsOf(query.topic).map((format) => (
          <a key={format} href={exportPath({ ...query, format })} download>{LABELS[format]}</a>
        ))}
      </small>
    </div>
  );
}
