/**
 * Telemetry in long form as CSV (RFC 4180): a header line, CRLF line ends, `time` in ISO-8601
 * UTC with milliseconds. A value keeps its type in how it is written: numbers as JavaScript
 * writes them (shortest text that reads back as the same double: `21.5`, `1e+21`), booleans as
 * `true`/`false`, both unquoted; strings always quoted (`"` doubled), so the string `"21.5"` never
 * reads as the number 21.5 to a reader that respects quotes. Values are never altered: a string
 * starting with `=` stays one (spreadsheet users: import as text).
 */
import type { TelemetryRow } from "./select.ts";

export const CSV_HEADER = "time,deviceId,metric,value\r\n";

/** A field as CSV: quoted when it must be (`,` `"` CR LF), or always with `quote`. */
function field(text: string, quote = false): string {
  if (!quote && !/[",\r\n]/.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

export function csvValue(value: TelemetryRow["value"]): string {
  return typeof value === "string" ? field(value, true) : String(value);
}

/** The CSV lines of `rows` (each ending in CRLF). */
export function csvLines(rows: readonly TelemetryRow[]): string {
  let out = "";
  // The points of a batch share their time, and ids and metric names repeat: format each once.
  let lastT = NaN;
  let time = "";
  const names = new Map<string, string>();
  const name = (text: string) => {
    let cached = names.get(text);
    if (cached === undefined) names.set(text, cached = field(text));
    return cached;
  };
  for (const row of rows) {
    if (row.t !== lastT) {
      lastT = row.t;
      time = new Date(row.t).toISOString();
    }
    out += `${time},${name(row.deviceId)},${name(row.metric)},${csvValue(row.value)}\r\n`;
  }
  return out;
}
