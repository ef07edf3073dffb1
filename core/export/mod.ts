/**
 * @module
 * Exports of the log for analysts (design §11): a topic's events over an event-time range, as
 * NDJSON (envelopes, upcast and redacted) or, for telemetry, CSV and Parquet in long form
 * (`time,deviceId,metric,value`). One code path for the HTTP route and the CLI: `prepareExport`
 * over an `ExportSource` (`logExportSource` for an `EventLog`).
 */
export {
  EXPORT_FORMATS,
  exportFileName,
  type ExportFormat,
  type ExportQuery,
  exportQuerySchema,
  FORMAT_MEDIA,
} from "./export_query.ts";
export {
  type ExportOptions,
  type ExportProgress,
  type ExportSource,
  type PreparedExport,
  prepareExport,
} from "./export_run.ts";
export { logExportSource } from "./log_source.ts";
export { selectLines, selectRows, type TelemetryRow } from "./select.ts";
export { CSV_HEADER, csvLines, csvValue } from "./csv.ts";
export { PARQUET_ROW_GROUP_ROWS, ParquetRowGroups } from "./parquet.ts";
