/**
 * @module
 * The logging port: `Logger` (leveled lines with structured fields and a `child` per component),
 * `noopLogger` where nobody listens, and `recordingLogger` for tests. The writer (JSON or text
 * lines, redaction, trace ids) lives in infra/logging.
 */
export { LOG_LEVELS, type LogFields, type Logger, type LogLevel, noopLogger } from "./logger.ts";
export { type RecordedLine, type RecordingLogger, recordingLogger } from "./recording_logger.ts";
