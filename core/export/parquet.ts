/**
 * Telemetry in long form as Parquet, written with `hyparquet-writer` one row group at a time, so
 * memory holds one row group (default 65,536 rows), never the whole range. Columns:
 *
 * - `time`: INT64 TIMESTAMP(MILLIS, UTC), the point's event time;
 * - `deviceId`, `metric`: UTF-8 strings (dictionary-encoded by the writer when that pays);
 * - `value`: DOUBLE, the value when it is a number, else null;
 * - `value_text`: UTF-8, the value when it is a string, else null;
 * - `value_bool`: BOOLEAN, the value when it is a boolean, else null.
 *
 * Exactly one of the three value columns is set in each row. A single string column would make
 * every reader parse numbers back (and lose which values were strings); one DOUBLE column would
 * drop strings and booleans. Typed columns keep AIOT's rule that numbers stay numbers and strings
 * stay strings, and `SELECT avg(value)` works as is. Compression: Snappy (the writer's built-in
 * codec; pure JavaScript, no native code).
 */
import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { ParquetWriter } from "hyparquet-writer/src/parquet-writer.js";
import type { TelemetryRow } from "./select.ts";

export const PARQUET_ROW_GROUP_ROWS = 65_536;

/** A ByteWriter whose `flush` (called after each row group) hands the bytes written so far out. */
class ChunkWriter extends ByteWriter {
  readonly chunks: Uint8Array[] = [];

  flush(): void {
    if (this.index === 0) return;
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }

  take(): Uint8Array[] {
    return this.chunks.splice(0);
  }
}

const SCHEMA = [
  { name: "root", num_children: 6 },
  {
    name: "time",
    type: "INT64" as const,
    repetition_type: "REQUIRED" as const,
    converted_type: "TIMESTAMP_MILLIS" as const,
    logical_type: { type: "TIMESTAMP" as const, isAdjustedToUTC: true, unit: "MILLIS" as const },
  },
  {
    name: "deviceId",
    type: "BYTE_ARRAY" as const,
    converted_type: "UTF8" as const,
    repetition_type: "REQUIRED" as const,
  },
  {
    name: "metric",
    type: "BYTE_ARRAY" as const,
    converted_type: "UTF8" as const,
    repetition_type: "REQUIRED" as const,
  },
  { name: "value", type: "DOUBLE" as const, repetition_type: "OPTIONAL" as const },
  {
    name: "value_text",
    type: "BYTE_ARRAY" as const,
    converted_type: "UTF8" as const,
    repetition_type: "OPTIONAL" as const,
  },
  { name: "value_bool", type: "BOOLEAN" as const, repetition_type: "OPTIONAL" as const },
];

/** Rows in, Parquet bytes out: a row group whenever enough rows are buffered, the footer at `end`. */
export class ParquetRowGroups {
  readonly #rowGroupRows: number;
  readonly #out = new ChunkWriter(1 << 20);
  readonly #writer: ParquetWriter;
  #time: number[] = [];
  #device: string[] = [];
  #metric: string[] = [];
  #value: (number | null)[] = [];
  #text: (string | null)[] = [];
  #bool: (boolean | null)[] = [];

  constructor(options: { rowGroupRows?: number } = {}) {
    this.#rowGroupRows = options.rowGroupRows ?? PARQUET_ROW_GROUP_ROWS;
    this.#writer = new ParquetWriter({
      writer: this.#out,
      schema: SCHEMA,
      codec: "SNAPPY",
      createdBy: "aiot export (hyparquet-writer 0.17)",
    });
  }

  /** Buffers `rows`; gives the bytes of the row groups that filled up (often none). */
  add(rows: readonly TelemetryRow[]): Uint8Array[] {
    for (const row of rows) {
      this.#time.push(row.t);
      this.#device.push(row.deviceId);
      this.#metric.push(row.metric);
      const v = row.value;
      this.#value.push(typeof v === "number" ? v : null);
      this.#text.push(typeof v === "string" ? v : null);
      this.#bool.push(typeof v === "boolean" ? v : null);
      if (this.#time.length >= this.#rowGroupRows) this.#writeGroup();
    }
    return this.#out.take();
  }

  /** The last row group and the footer. */
  end(): Uint8Array[] {
    this.#writeGroup();
    this.#writer.finish();
    return this.#out.take();
  }

  #writeGroup(): void {
    const rows = this.#time.length;
    if (rows === 0) return;
    this.#writer.write({
      columnData: [
        { name: "time", data: this.#time },
        { name: "deviceId", data: this.#device },
        { name: "metric", data: this.#metric },
        { name: "value", data: this.#value },
        // Statistics of long free text cost more than they help a reader prune; the others keep them.
        { name: "value_text", data: this.#text, statistics: false },
        { name: "value_bool", data: this.#bool },
      ],
      rowGroupSize: rows,
    });
    this.#time = [];
    this.#device = [];
    this.#metric = [];
    this.#value = [];
    this.#text = [];
    this.#bool = [];
  }
}
