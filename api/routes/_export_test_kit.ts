/**
 * The export scenario shared by the route's tests (in-memory log) and the engine tests
 * (`infra/cli/export_test.ts`: SQLite and Kafka): telemetry of three devices around a range
 * [from, to), appended at chosen log times, with the edge cases of design §11.
 */
import { createEvent, type EventOf } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog, LogRecord } from "../../core/log/event_log.ts";
import type { MetricPoint, TimeSeriesStore } from "../../core/timeseries/time_series_store.ts";

const MINUTE = 60_000;

export interface Row {
  t: number;
  deviceId: string;
  metric: string;
  value: number | string | boolean;
}

export interface ExportScenario {
  from: number;
  to: number;
  latenessMs: number;
  devices: string[];
  /** Every telemetry event appended, with the log time it was appended at. */
  appended: { event: EventOf<"telemetry.reported">; at: number }[];
  /** The points an exact export of [from, to) holds. */
  expected: Row[];
  /** In range by its time, but appended later than the lateness allows: documented as not found. */
  tooLate: Row;
}

export const rowKey = (r: Row) => `${r.deviceId}|${r.metric}|${r.t}|${typeof r.value}:${String(r.value)}`;

/**
 * Appends the scenario to `log` (telemetry topic) with log timestamps in the past hours of the
 * real clock (Kafka keeps them; its retention counts from them).
 */
export async function appendExportScenario(log: EventLog, topics: TopicNames): Promise<ExportScenario> {
  const base = Math.floor((Date.now() - 6 * 60 * MINUTE) / MINUTE) * MINUTE;
  const latenessMs = 30 * MINUTE;
  const from = base + 60 * MINUTE;
  const to = base + 120 * MINUTE;
  const devices = ["exp-d1", "exp-d2", "exp-d3"];
  const appended: ExportScenario["appended"] = [];
  const add = (device: string, at: number, values: { name: string; value: Row["value"]; ts: number }[]) => {
    const event = createEvent("telemetry.reported", { values }, {
      key: device,
      source: "test",
      now: () => at,
    });
    appended.push({ event, at });
  };
  // Long before: outside the range and the scan.
  add("exp-d1", from - 40 * MINUTE, [{ name: "temp", value: 1, ts: from - 40 * MINUTE }]);
  // Just before from, appended in the lateness window: scanned, not exported.
  add("exp-d1", from - 1, [{ name: "temp", value: 2, ts: from - 1 }]);
  // Device clock ahead: appended before `from`, inside the lateness window, its point in range.
  add("exp-d2", from - 10 * MINUTE, [{ name: "temp", value: 3, ts: from + 5 * MINUTE }]);
  for (let i = 0; i < 50; i++) {
    const ts = from + i * MINUTE;
    add(devices[i % 3]!, ts, [
      { name: "temp", value: 20 + i / 10, ts },
      { name: "mode", value: i % 2 ? "eco" : 'say "hi", then\nwait', ts },
      { name: "door", value: i % 3 === 0, ts },
      { name: "text_number", value: "21.5", ts },
    ]);
  }
  // A batch straddling `to`: one point in, one out.
  add("exp-d2", to, [{ name: "temp", value: 98, ts: to - 1 }, { name: "temp", value: 99, ts: to }]);
  // Backfilled within the lateness: appended after `to`, its point in range.
  add("exp-d3", to + 20 * MINUTE, [{ name: "temp", value: 4, ts: from + 10 * MINUTE + 1 }]);
  // Backfilled too late: appended after `to + lateness`.
  add("exp-d3", to + 40 * MINUTE, [{ name: "temp", value: 5, ts: from + 20 * MINUTE + 1 }]);
  // After the range.
  add("exp-d1", to + 1, [{ name: "temp", value: 6, ts: to + 1 }]);

  // Appended in log-time order, a few per call, each with its log time.
  const ordered = [...appended].sort((a, b) => a.at - b.at);
  for (const { event, at } of ordered) {
    await log.append(topics.telemetry, [{ ...toLogMessage(event), timestamp: at }]);
  }
  const tooLate: Row = { t: from + 20 * MINUTE + 1, deviceId: "exp-d3", metric: "temp", value: 5 };
  const expected = appended.flatMap(({ event, at }) =>
    at >= from - latenessMs && at < to + latenessMs
      ? event.data.values.filter((p) => p.ts >= from && p.ts < to).map((p) => ({
        t: p.ts,
        deviceId: event.key,
        metric: p.name,
        value: p.value,
      }))
      : []
  );
  return { from, to, latenessMs, devices, appended, expected, tooLate };
}

/** Writes every appended point into `store`, as the `timeseries` projector would. */
export async function projectScenario(store: TimeSeriesStore, scenario: ExportScenario): Promise<void> {
  const points: MetricPoint[] = scenario.appended.flatMap(({ event }, seq) =>
    event.data.values.map((p) => ({ deviceId: event.key, metric: p.name, t: p.ts, value: p.value, seq }))
  );
  await store.write(points);
}

/** Parses RFC 4180 CSV (quoted fields may hold `,`, `""` and line breaks); `quoted` marks quoted fields. */
export function parseCsv(text: string): { fields: string[]; quoted: boolean[] }[] {
  const records: { fields: string[]; quoted: boolean[] }[] = [];
  let fields: string[] = [];
  let quoted: boolean[] = [];
  let i = 0;
  while (i < text.length) {
    let value = "";
    let isQuoted = false;
    if (text[i] === '"') {
      isQuoted = true;
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new SyntaxError("unterminated quote");
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const end = text.slice(i).search(/[,\r]/);
      value = end < 0 ? text.slice(i) : text.slice(i, i + end);
      i += value.length;
    }
    fields.push(value);
    quoted.push(isQuoted);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i) || i >= text.length) {
      records.push({ fields, quoted });
      fields = [];
      quoted = [];
      i += 2;
    } else throw new SyntaxError(`unexpected character at ${i}`);
  }
  return records;
}

/** CSV rows back into typed rows: quoted = string, true/false = boolean, else a number. */
export function csvRows(text: string): Row[] {
  const [header, ...records] = parseCsv(text);
  if (header?.fields.join(",") !== "time,deviceId,metric,value") {
    throw new Error(`bad header ${header?.fields}`);
  }
  return records.map(({ fields, quoted }) => ({
    t: Date.parse(fields[0]!),
    deviceId: fields[1]!,
    metric: fields[2]!,
    value: quoted[3]
      ? fields[3]!
      : fields[3] === "true"
      ? true
      : fields[3] === "false"
      ? false
      : Number(fields[3]),
  }));
}

const PYARROW_DUMP = `
import json, sys
import pyarrow as pa
import pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
t = f.read()
rows = []
cols = {name: t.column(name).to_pylist() for name in t.column_names}
times = t.column("time").cast(pa.int64()).to_pylist()
for i in range(t.num_rows):
    v, vt, vb = cols["value"][i], cols["value_text"][i], cols["value_bool"][i]
    value = v if v is not None else vt if vt is not None else vb
    rows.append({"t": times[i],
                 "deviceId": cols["deviceId"][i], "metric": cols["metric"][i], "value": value,
                 "set": sum(x is not None for x in (v, vt, vb))})
print(json.dumps({"schema": {f.name: str(f.type) for f in t.schema}, "row_groups": f.num_row_groups,
                  "rows": rows}))
`;

/** The Python of the PyArrow venv: `AIOT_PYARROW`, else installed by infra/local/pyarrow.sh. */
export async function pyarrowPython(): Promise<string> {
  const fromEnv = Deno.env.get("AIOT_PYARROW");
  if (fromEnv) return fromEnv;
  const script = new URL("../../infra/local/pyarrow.sh", import.meta.url).pathname;
  const install = await new Deno.Command("bash", { args: [script], stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  if (install.code !== 0) throw new Error(`pyarrow install failed:\n${decoder.decode(install.stderr)}`);
  return decoder.decode(install.stdout).trim();
}

/** Reads a Parquet file with PyArrow (an independent reader): schema, row group count, rows. */
export async function readParquetWithPyarrow(
  bytes: Uint8Array,
): Promise<{ schema: Record<string, string>; row_groups: number; rows: (Row & { set: number })[] }> {
  const python = await pyarrowPython();
  const dir = await Deno.makeTempDir({ prefix: "aiot-export-test-" });
  try {
    await Deno.writeFile(`${dir}/export.parquet`, bytes);
    await Deno.writeTextFile(`${dir}/dump.py`, PYARROW_DUMP);
    const run = await new Deno.Command(python, {
      args: [`${dir}/dump.py`, `${dir}/export.parquet`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    if (run.code !== 0) throw new Error(`pyarrow could not read the file:\n${decoder.decode(run.stderr)}`);
    return JSON.parse(decoder.decode(run.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `log` with its open replays and the records they read counted. */
export function countingLog(log: EventLog) {
  const counts = { open: 0, read: 0, closed: 0 };
  const counted: EventLog = {
    ...log,
    ensureTopics: (topics) => log.ensureTopics(topics),
    append: (topic, messages) => log.append(topic, messages),
    offsetsForTimestamp: (topic, at) => log.offsetsForTimestamp(topic, at),
    async *replay(topic, options): AsyncGenerator<LogRecord[]> {
      counts.open++;
      try {
        for await (const chunk of log.replay(topic, options)) {
          counts.read += chunk.length;
          yield chunk;
        }
      } finally {
        counts.open--;
        counts.closed++;
      }
    },
  };
  return { log: counted, counts };
}
