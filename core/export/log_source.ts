/** An `ExportSource` over an `EventLog`: the bounded reads of `core/log/read_events.ts`. */
import type { EventLog } from "../log/event_log.ts";
import { countRecords, readRecords } from "../log/read_events.ts";
import type { ExportSource } from "./export_run.ts";

export function logExportSource(log: EventLog): ExportSource {
  return {
    records: (topic, range) => readRecords(log, topic, range),
    count: (topic, range) => countRecords(log, topic, range),
  };
}
