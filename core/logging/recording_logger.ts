/**
 * A logger that keeps what it is told, for tests that check what a part logs (and that it logs
 * nothing it should not).
 */
import type { LogFields, Logger, LogLevel } from "./logger.ts";

export interface RecordedLine {
  level: LogLevel;
  msg: string;
  /** The child's component, or undefined for the root. */
  component: string | undefined;
  fields: LogFields;
}

export interface RecordingLogger extends Logger {
  /** Every line so far, the children's included, in order. */
  readonly lines: RecordedLine[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordedLine[] = [];
  const make = (component: string | undefined, base: LogFields): Logger => {
    const at = (level: LogLevel) => (msg: string, fields?: LogFields) =>
      lines.push({ level, msg, component, fields: { ...base, ...fields } });
    return {
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      child: (name, fields) => make(component ? `${component}.${name}` : name, { ...base, ...fields }),
    };
  };
  return Object.assign(make(undefined, {}), { lines });
}
