/**
 * The platform's logger: leveled lines, one per entry, JSON or text, with the component, the
 * active OpenTelemetry trace and span ids when there are any, and every field and message run
 * through redaction. `@opentelemetry/api` is a no-op until a tracer provider is registered, so
 * without tracing the lines simply carry no trace id.
 */
import { isSpanContextValid, trace } from "@opentelemetry/api";
import { LOG_LEVELS, type LogFields, type Logger, type LogLevel } from "../../core/logging/mod.ts";
import { formatJson, formatText, type LogEntry, type LogFormat, plain } from "./format.ts";
import { createRedactor } from "./redact.ts";

export interface LoggerOptions {
  /** Default: `text` when stderr is a terminal, else `json` (what `logSettingsFromEnv` defaults to). */
  format?: LogFormat;
  /** The least severe level written. Default `info`. */
  level?: LogLevel;
  /** Where each line goes (without its newline). Default: stderr. */
  write?: (line: string) => void;
  /** Values never to be written (configured passwords, keys), with their base64 forms. */
  secrets?: Iterable<string | undefined>;
  now?: () => number;
  /** The ids of the span active where a line is logged. Default: OpenTelemetry's active span. */
  activeSpan?: () => { traceId: string; spanId: string } | undefined;
}

// console.error is synchronous in Deno and writes whole lines, in workers too.
const toStderr = (line: string) => console.error(line);

function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

export function otelActiveSpan(): { traceId: string; spanId: string } | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context)
    ? { traceId: context.traceId, spanId: context.spanId }
    : undefined;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = LOG_LEVELS.indexOf(options.level ?? "info");
  const format = (options.format ?? (stderrIsTerminal() ? "text" : "json")) === "text"
    ? formatText
    : formatJson;
  const write = options.write ?? toStderr;
  const now = options.now ?? Date.now;
  const activeSpan = options.activeSpan ?? otelActiveSpan;
  const redactor = createRedactor(options.secrets);

  const make = (component: string | undefined, base: LogFields): Logger => {
    const at = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (LOG_LEVELS.indexOf(level) < minimum) return;
      const redacted: LogFields = {};
      for (const [key, value] of Object.entries({ ...base, ...fields })) {
        redacted[key] = redactor.value(key, plain(value));
      }
      const span = activeSpan();
      const entry: LogEntry = {
        time: now(),
        level,
        msg: redactor.text(msg),
        ...(component ? { component } : {}),
        ...(span ? { traceId: span.traceId, spanId: span.spanId } : {}),
        fields: redacted,
      };
      try {
        write(format(entry));
      } catch {
        // A closed stderr must not take the platform down with it.
      }
    };
    return {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      child: (name, fields) => make(component ? `${component}.${name}` : name, { ...base, ...fields }),
    };
  };
  return make(undefined, {});
}
