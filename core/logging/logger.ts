/**
 * The logging port: what a part of the platform may say about its work, leveled, with structured
 * fields. Core only names the interface (it cannot write anywhere); infra/logging writes the lines
 * (JSON or text, redacted, with the active trace id) and composition roots hand a `Logger` down as
 * an argument, each part taking a `child` named after itself.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

/** The levels from the most to the least verbose: a logger at `warn` drops `debug` and `info`. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * Structured details of one line. Values are plain data or an `Error` (written as its message and
 * cause chain, not a dump). Keys that name secrets (`password`, `token`, `secret`, …) are redacted.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The same logger for a part of this one: its lines carry `component` (and `fields`). */
  child(component: string, fields?: LogFields): Logger;
}

/** A logger that drops everything: the default where a caller gave none (tests, libraries). */
export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => noopLogger,
};
