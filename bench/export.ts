/**
 * Bench `export` (design §11): export throughput per format against the raw replay of the same
 * range (`readRecords`, the bounded log read every export does), embedded (SQLite log) and Kafka,
 * plus the peak RSS of a process exporting millions of events (`bench/export_rss_child.ts`, a fresh
 * process per format so one run's heap does not hide another's).
 *
 * Events are `telemetry.reported` envelopes of the current version with 4 values (number, number,
 * boolean, string), appended with log times spread over one hour; the export asks for all of it.
 */
import { eventCatalog } from "../core/events/catalog.ts";
import { uuidv7 } from "../core/events/uuid_v7.ts";
import { type ExportFormat, type ExportQuery, logExportSource, prepareExport } from "../core/export/mod.ts";
import { topicNames } from "../core/events/topics.ts";
import type { EventLog, LogMessage } from "../core/log/event_log.ts";
import { readRecords } from "../core/log/read_events.ts";
import { createSqliteEventLog } from "../infra/sqlite/sqlite_event_log.ts";
import type { Comparison, Sample } from "./harness.ts";

const PARTITIONS = 4;
const DEVICES = 1000;
const SPAN_MS = 3_600_000;
const VERSION = String(eventCatalog["telemetry.reported"].version);

/** Event `i` of `count`, its log time spread over [start, start + SPAN_MS). */
export function exportBenchMessage(i: number, count: number, start: number): LogMessage {
  const ts = start + Math.floor((i / count) * SPAN_MS);
  const key = `device-${i % DEVICES}`;
  const id = uuidv7(ts);
  const time = new Date(ts).toISOString();
  const value = JSON.stringify({
    id,
    type: "telemetry.reported",
    v: Number(VERSION),
    key,
    time,
    ingestedAt: time,
    source: "ingest",
    data: {
      values: [
        { name: "temperature", value: 20 + (i % 100) / 10, ts, quality: "good" },
        { name: "humidity", value: 40 + (i % 37), ts, quality: "good" },
        { name: "door", value: i % 2 === 0, ts, quality: "good" },
        { name: "mode", value: i % 3 === 0 ? "eco" : "comfort", ts, quality: "good" },
      ],
    },
  });
  return {
    key,
    value,
    headers: { "event-id": id, "event-type": "telemetry.reported", "event-v": VERSION },
    timestamp: ts,
  };
}

export async function fillLog(log: EventLog, topic: string, count: number, start: number): Promise<void> {
  const batch = 10_000;
  for (let i = 0; i < count; i += batch) {
    const messages: LogMessage[] = [];
    for (let j = i; j < Math.min(count, i + batch); j++) messages.push(exportBenchMessage(j, count, start));
    await log.append(topic, messages);
  }
}

const query = (format: ExportFormat, start: number): ExportQuery => ({
  topic: "telemetry",
  from: start,
  to: start + SPAN_MS,
  format,
  force: true,
});

/** Exports everything, bytes discarded: events (log records) per second. */
export async function runExport(
  log: EventLog,
  prefix: string,
  format: ExportFormat,
  start: number,
): Promise<Sample & { bytes: number; rows: number }> {
  const started = performance.now();
  let bytes = 0;
  let scanned = 0;
  let rows = 0;
  const prepared = await prepareExport(logExportSource(log), query(format, start), {
    topics: topicNames(prefix),
    latenessMs: 0,
    maxEvents: Number.MAX_SAFE_INTEGER,
    now: Date.now,
    onProgress: (p) => {
      scanned = p.scanned;
      rows = p.exported;
    },
  });
  for await (const chunk of prepared.chunks()) bytes += chunk.length;
  return { units: scanned, ms: performance.now() - started, bytes, rows };
}

/** The raw read of the same range: records counted, nothing decoded. */
async function rawReplay(log: EventLog, topic: string, start: number): Promise<Sample> {
  const started = performance.now();
  let units = 0;
  for await (const chunk of readRecords(log, topic, { fromMs: start, toMs: start + SPAN_MS })) {
    units += chunk.length;
  }
  return { units, ms: performance.now() - started };
}

function comparisons(
  engine: string,
  log: EventLog,
  prefix: string,
  count: number,
  start: number,
): Comparison[] {
  const topic = topicNames(prefix).telemetry;
  return (["ndjson", "csv", "parquet"] as const).map((format) => ({
    name: `export ${count} events as ${format} (${engine}, 4 values each)`,
    unit: "events/s",
    baseline: { label: "replay of the range (readRecords)", run: () => rawReplay(log, topic, start) },
    aiot: { label: `export ${format}`, run: () => runExport(log, prefix, format, start) },
  }));
}

/** Embedded: a SQLite log in a temp dir (durability "process": the bench measures reads). */
export async function embeddedExportComparisons(
  count: number,
  progress: (line: string) => void,
): Promise<Comparison[] & { close?: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-bench-export-" });
  const log = createSqliteEventLog({ path: `${dir}/log.db`, durability: "process" });
  const prefix = "aiot.";
  await log.ensureTopics([{ name: topicNames(prefix).telemetry, partitions: PARTITIONS }]);
  const start = Date.now() - 2 * SPAN_MS;
  const began = performance.now();
  await fillLog(log, topicNames(prefix).telemetry, count, start);
  progress(
    `  export: ${count} events written to ${dir}/log.db in ${Math.round(performance.now() - began)} ms`,
  );
  return Object.assign(comparisons("SQLite log", log, prefix, count, start), {
    close: async () => {
      await log.close();
      await Deno.remove(dir, { recursive: true });
    },
  });
}

export async function kafkaExportComparisons(
  brokers: string[],
  count: number,
  progress: (line: string) => void,
): Promise<Comparison[] & { close?: () => Promise<void> }> {
  const { createKafkaEventLog } = await import("../infra/kafka/mod.ts");
  const { Kafka, logLevel } = await import("kafkajs");
  const log = await createKafkaEventLog({ brokers, clientId: "bench-export", logLevel: "error" });
  const prefix = `benchexport${Date.now().toString(36)}.`;
  const topic = topicNames(prefix).telemetry;
  await log.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
  const start = Date.now() - 2 * SPAN_MS;
  const began = performance.now();
  await fillLog(log, topic, count, start);
  progress(
    `  export: ${count} events written to Kafka ${topic} in ${Math.round(performance.now() - began)} ms`,
  );
  return Object.assign(comparisons("Kafka log", log, prefix, count, start), {
    close: async () => {
      await log.close();
      const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    },
  });
}

/** Peak RSS above idle of a fresh process exporting `count` events from a SQLite log, per format. */
export async function measureExportRss(
  count: number,
  progress: (line: string) => void,
): Promise<
  {
    format: ExportFormat;
    idleMiB: number;
    peakMiB: number;
    eventsPerSecond: number;
    rows: number;
    bytes: number;
  }[]
> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-bench-export-rss-" });
  const path = `${dir}/log.db`;
  const log = createSqliteEventLog({ path, durability: "process" });
  const topic = topicNames("aiot.").telemetry;
  await log.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
  const start = Date.now() - 2 * SPAN_MS;
  const began = performance.now();
  await fillLog(log, topic, count, start);
  await log.close();
  progress(`  export rss: ${count} events written in ${Math.round(performance.now() - began)} ms`);
  const results = [];
  try {
    for (const format of ["ndjson", "parquet"] as const) {
      const child = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          new URL("./export_rss_child.ts", import.meta.url).pathname,
          path,
          format,
          String(start),
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      if (child.code !== 0) throw new Error(`export rss child (${format}) failed`);
      const result = JSON.parse(new TextDecoder().decode(child.stdout));
      progress(`  export rss ${format}: idle ${result.idleMiB} MiB, peak ${result.peakMiB} MiB`);
      results.push({ format, ...result });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}
