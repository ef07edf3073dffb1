/**
 * `POST /rules/backtest` with progress: asked for NDJSON, the API sends `{"progress": {scanned,
 * evaluated, percent}}` lines while it reads the log and ends with `{"result": …}` or
 * `{"error": …}`. A server that answers plain JSON (or an error status) is read as such.
 */
import { answerOf, ApiError } from "./api_client.ts";
import type { BacktestRequest, BacktestResult } from "./rules_api_types.ts";

export interface BacktestProgress {
  scanned: number;
  evaluated: number;
  /** Of the log range to read, 0–99. */
  percent: number;
}

const PATH = "/rules/backtest";

export async function runBacktest(
  body: BacktestRequest,
  options: { signal?: AbortSignal; onProgress?(progress: BacktestProgress): void } = {},
): Promise<BacktestResult> {
  const response = await fetch(`/api/v1${PATH}`, {
    method: "POST",
    credentials: "same-origin",
    ...(options.signal ? { signal: options.signal } : {}),
    headers: { "content-type": "application/json", accept: "application/x-ndjson, application/json" },
    body: JSON.stringify(body),
  });
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok || !type.includes("ndjson") || !response.body) {
    return await answerOf<BacktestResult>(response, PATH);
  }
  for await (const line of lines(response.body)) {
    const message = JSON.parse(line) as StreamLine;
    if (message.progress) options.onProgress?.(message.progress);
    if (message.result) return message.result;
    if (message.error) {
      throw new ApiError(500, message.error.code ?? "error", message.error.message ?? "failed");
    }
  }
  throw new ApiError(502, "backtest_incomplete", "The backtest stream ended without a result");
}

interface StreamLine {
  progress?: BacktestProgress;
  result?: BacktestResult;
  error?: { code?: string; message?: string };
}

/** The non-empty lines of a UTF-8 byte stream, however its chunks split them. */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 1);
        if (line) yield line;
      }
      if (done) break;
    }
  } finally {
    reader.releaseLock();
  }
  if (buffered.trim()) yield buffered.trim();
}
