/**
 * @module
 * The platform's log lines: `createLogger` (JSON or text, leveled, redacted, with the active trace
 * id), `logSettingsFromEnv` (`AIOT_LOG_FORMAT`, `AIOT_LOG_LEVEL`) and `configSecrets` (what a
 * configuration holds that must never be written). Composition roots build one logger and pass
 * `child` loggers down as arguments.
 */
export { createLogger, type LoggerOptions } from "./logger.ts";
export { type LogSettings, logSettingsFromEnv } from "./settings.ts";
export { configSecrets } from "./config_secrets.ts";
export { logProcessWarnings } from "./process_warnings.ts";
export { createRedactor, REDACTED, type Redactor } from "./redact.ts";
export type { LogFormat } from "./format.ts";
