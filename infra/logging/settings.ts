/**
 * Logging settings from the environment, read by composition roots: `AIOT_LOG_FORMAT=json|text`
 * (default: text when stderr is a terminal, JSON otherwise, so a log collector gets one JSON object
 * per line) and `AIOT_LOG_LEVEL=debug|info|warn|error` (default `info`). Plain data, so the
 * settings can be posted to a worker thread that builds the same logger.
 */
import type { LogLevel } from "../../core/logging/mod.ts";
import { LOG_LEVELS } from "../../core/logging/mod.ts";
import type { LogFormat } from "./format.ts";

export interface LogSettings {
  format: LogFormat;
  level: LogLevel;
}

/** Throws a `TypeError` naming the variable when a value is not one of the allowed ones. */
export function logSettingsFromEnv(
  env: Record<string, string | undefined>,
  options: { stderrIsTerminal: boolean },
): LogSettings {
  const format = env.AIOT_LOG_FORMAT || (options.stderrIsTerminal ? "text" : "json");
  if (format !== "json" && format !== "text") {
    throw new TypeError(`Invalid configuration: AIOT_LOG_FORMAT must be json or text, not "${format}"`);
  }
  const level = (env.AIOT_LOG_LEVEL || "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new TypeError(`Invalid configuration: AIOT_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  }
  return { format, level: level as LogLevel };
}
