/**
 * One log entry as one line: a JSON object (`time`, `level`, `msg`, `component`, `traceId`,
 * `spanId`, then the fields), or readable text for a terminal. Errors become their message and
 * cause chain, never a stack dump across many lines.
 */
import type { LogFields, LogLevel } from "../../core/logging/mod.ts";

export type LogFormat = "json" | "text";

export interface LogEntry {
  time: number;
  level: LogLevel;
  msg: string;
  component?: string;
  traceId?: string;
  spanId?: string;
  fields: LogFields;
}

/** How deep a cause chain is followed (kafkajs wraps errors several times). */
const MAX_CAUSES = 5;

/** An error as plain data: `{ name, message, retriable?, code?, cause? }`. */
export function describeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === "object" && error !== null ? String(error) : error;
  const { name, message } = error;
  const extra = error as { code?: unknown; retriable?: unknown; cause?: unknown };
  return {
    name,
    message,
    ...(typeof extra.code === "string" || typeof extra.code === "number" ? { code: extra.code } : {}),
    ...(typeof extra.retriable === "boolean" ? { retriable: extra.retriable } : {}),
    ...(extra.cause !== undefined && depth < MAX_CAUSES
      ? { cause: describeError(extra.cause, depth + 1) }
      : {}),
  };
}

/** Values as they go into a line: errors described, bigints as strings, the rest as is. */
export function plain(value: unknown): unknown {
  if (value instanceof Error) return describeError(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

export function formatJson(entry: LogEntry): string {
  const head: Record<string, unknown> = {
    time: new Date(entry.time).toISOString(),
    level: entry.level,
    msg: entry.msg,
  };
  if (entry.component) head.component = entry.component;
  if (entry.traceId) head.traceId = entry.traceId;
  if (entry.spanId) head.spanId = entry.spanId;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry.fields)) {
    if (value !== undefined && !(key in head)) fields[key] = plain(value);
  }
  try {
    return JSON.stringify({ ...head, ...fields });
  } catch {
    // A cyclic or otherwise unserializable field: keep the line, say what was lost.
    return JSON.stringify({ ...head, fieldsError: "fields could not be serialized" });
  }
}

interface DescribedError {
  name: string;
  message: string;
  cause?: unknown;
}

const isDescribedError = (value: unknown): value is DescribedError =>
  typeof value === "object" && value !== null && typeof (value as DescribedError).message === "string" &&
  typeof (value as DescribedError).name === "string";

/** An error (or its description) and its causes on one line: `outer ← inner ← root`. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error instanceof Error ? describeError(error) : error;
  for (let depth = 0; depth <= MAX_CAUSES && current !== undefined; depth++) {
    if (isDescribedError(current)) {
      parts.push(current.message || current.name);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join(" ← ");
}

function textValue(value: unknown): string {
  if (value instanceof Error || isDescribedError(value)) return JSON.stringify(errorText(value));
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  try {
    return JSON.stringify(plain(value)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `2026-11-30T14:00:00.000Z WARN  [mqtt] msg key=value trace=…` */
export function formatText(entry: LogEntry): string {
  const fields = Object.entries(entry.fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${textValue(value)}`);
  if (entry.traceId) fields.push(`trace=${entry.traceId}`);
  return [
    new Date(entry.time).toISOString(),
    entry.level.toUpperCase().padEnd(5),
    ...(entry.component ? [`[${entry.component}]`] : []),
    entry.msg.replaceAll("\n", "\\n"),
    ...fields,
  ].join(" ");
}
