// Exports on the real engines: the embedded SQLite log and Kafka (infra/local/engines.sh start
// kafka, or AIOT_TEST_KAFKA_BROKERS; a missing broker fails these tests, it does not skip them),
// through `deno task aiot export`'s code and through `GET /api/v1/export`.
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { logExportSource } from "../../core/export/mod.ts";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { topicNames } from "../../core/events/topics.ts";
import type { EventLog, LogRecord } from "../../core/log/event_log.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { createTestApp } from "../../api/_test_app.ts";
import {
  appendExportScenario,
  countingLog,
  csvRows,
  type ExportScenario,
  projectScenario,
  readParquetWithPyarrow,
  type Row,
  rowKey,
} from "../../api/routes/_export_test_kit.ts";
import { createKafkaEventLog } from "../kafka/mod.ts";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";
import { createSqliteTimeSeriesStore } from "../sqlite/sqlite_time_series_store.ts";
import { runExportCommand } from "./export.ts";

const brokers = (Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092").split(",");

interface Engine {
  name: string;
  open(): Promise<{ log: EventLog; prefix: string; close(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: "SQLite log",
    async open() {
      const dir = await Deno.makeTempDir({ prefix: "aiot-export-sqlite-" });
      const log = createSqliteEventLog({ path: `${dir}/log.db` });
      return {
        log,
        prefix: "aiot.",
        close: async () => {
          await log.close();
          await Deno.remove(dir, { recursive: true });
        },
      };
    },
  },
  {
    name: "Kafka log",
    async open() {
      const log = await createKafkaEventLog({ brokers, clientId: "aiot-export-test", logLevel: "error" });
      const prefix = `exptest${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}.`;
      return {
        log,
        prefix,
        close: async () => {
          await log.close();
          const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
          await admin.connect();
          try {
            await admin.deleteTopics({ topics: Object.values(topicNames(prefix)) });
          } finally {
            await admin.disconnect();
          }
        },
      };
    },
  },
];

const sorted = (rows: Row[]) => rows.map(rowKey).sort();
const iso = (ms: number) => new Date(ms).toISOString();

async function cliExport(
  log: EventLog,
  s: ExportScenario,
  prefix: string,
  format: string,
  extra: string[] = [],
) {
  const dir = await Deno.makeTempDir({ prefix: "aiot-export-cli-" });
  const out = `${dir}/out.${format}`;
  const lines: string[] = [];
  await runExportCommand(
    [
      "--topic",
      "telemetry",
      "--from",
      iso(s.from),
      "--to",
      iso(s.to),
      "--format",
      format,
      "--out",
      out,
      ...extra,
    ],
    {
      log,
      topics: topicNames(prefix),
      latenessMs: s.latenessMs,
      maxEvents: 1_000_000,
      fail: (message) => {
        throw new Error(message);
      },
      progress: (line) => lines.push(line),
      progressEveryMs: 0,
    },
  );
  const bytes = await Deno.readFile(out);
  const leftovers = [...Deno.readDirSync(dir)].map((e) => e.name);
  await Deno.remove(dir, { recursive: true });
  return { bytes, lines, leftovers };
}

for (const engine of engines) {
  Deno.test(`aiot export on the ${engine.name}: ndjson, csv and parquet hold exactly the range`, async () => {
    const { log, prefix, close } = await engine.open();
    try {
      const topics = topicNames(prefix);
      await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 3 })));
      const s = await appendExportScenario(log, topics);

      const ndjson = await cliExport(log, s, prefix, "ndjson");
      const events = new TextDecoder().decode(ndjson.bytes).trimEnd().split("\n").map((l) => JSON.parse(l));
      assert.equal(new Set(events.map((e) => e.id)).size, events.length, "each event once");
      const rows: Row[] = events.flatMap((e) =>
        e.data.values.map((p: { name: string; value: Row["value"]; ts: number }) => ({
          t: p.ts,
          deviceId: e.key,
          metric: p.name,
          value: p.value,
        }))
      );
      assert.deepEqual(sorted(rows), sorted(s.expected));
      assert.deepEqual(ndjson.leftovers, ["out.ndjson"], "no .partial left");
      assert.match(
        ndjson.lines.at(-1)!,
        /^export: [\d,]+ \/ [\d,]+ records \(100\.0%\), [\d,]+ lines, [\d,]+ records\/s, ETA 0:00$/,
      );

      const csv = await cliExport(log, s, prefix, "csv");
      assert.deepEqual(sorted(csvRows(new TextDecoder().decode(csv.bytes))), sorted(s.expected));

      const parquet = await cliExport(log, s, prefix, "parquet");
      const file = await readParquetWithPyarrow(parquet.bytes);
      assert.deepEqual(sorted(file.rows.map(({ set: _, ...row }) => row)), sorted(s.expected));

      const one = await cliExport(log, s, prefix, "csv", ["--device", "exp-d3"]);
      assert.deepEqual(
        sorted(csvRows(new TextDecoder().decode(one.bytes))),
        sorted(s.expected.filter((r) => r.deviceId === "exp-d3")),
      );
    } finally {
      await close();
    }
  });

  Deno.test(`GET /export on the ${engine.name}: csv and parquet equal the store's raw points`, async () => {
    const { log, prefix, close } = await engine.open();
    const dir = await Deno.makeTempDir({ prefix: "aiot-export-ts-" });
    const store = createSqliteTimeSeriesStore(`${dir}/ts.db`);
    try {
      const topics = topicNames(prefix);
      await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 3 })));
      const s = await appendExportScenario(log, topics);
      await projectScenario(store, s);
      const counts = { open: 0, closed: 0 };
      const counted: EventLog = {
        ...log,
        offsetsForTimestamp: (topic, at) => log.offsetsForTimestamp(topic, at),
        async *replay(topic, options): AsyncGenerator<LogRecord[]> {
          counts.open++;
          try {
            yield* log.replay(topic, options);
          } finally {
            counts.open--;
            counts.closed++;
          }
        },
      };
      const t = await createTestApp({
        topics,
        timeseries: store,
        exportLog: logExportSource(counted),
        latenessMs: s.latenessMs,
        now: Date.now,
      });
      // The registry's own (in-memory) log, under the same topic names.
      await t.log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 2 })));
      const stored: Row[] = [];
      for (const deviceId of s.devices) {
        assert.equal(
          (await t.call("POST", "/api/v1/devices", { as: "admin", body: { id: deviceId } })).status,
          201,
        );
        for (const metric of ["temp", "mode", "door", "text_number"]) {
          const q = `metric=${metric}&from=${s.from}&to=${s.to}`;
          const body =
            await (await t.call("GET", `/api/v1/devices/${deviceId}/telemetry?${q}`, { as: "viewer" }))
              .json();
          stored.push(
            ...body.points.map((p: { t: number; v: Row["value"] }) => ({
              t: p.t,
              deviceId,
              metric,
              value: p.v,
            })),
          );
        }
      }
      const late = rowKey(s.tooLate);
      const expected = sorted(stored).filter((k) => k !== late);
      assert.equal(expected.length, s.expected.length);
      const query = `topic=telemetry&from=${iso(s.from)}&to=${iso(s.to)}`;
      const csv = await t.call("GET", `/api/v1/export?${query}&format=csv`, { as: "viewer" });
      assert.equal(csv.status, 200);
      assert.deepEqual(sorted(csvRows(await csv.text())), expected);
      const parquet = await t.call("GET", `/api/v1/export?${query}&format=parquet`, { as: "viewer" });
      const file = await readParquetWithPyarrow(new Uint8Array(await parquet.arrayBuffer()));
      assert.deepEqual(sorted(file.rows.map(({ set: _, ...row }) => row)), expected);

      assert.equal(counts.open, 0, "every replay closed");
    } finally {
      await store.close();
      await Deno.remove(dir, { recursive: true });
      await close();
    }
  });
}

for (const engine of engines) {
  Deno.test(`GET /export on the ${engine.name}: a client that goes away stops the read early and closes it`, async () => {
    const { log, prefix, close } = await engine.open();
    try {
      const topics = topicNames(prefix);
      await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 3 })));
      const from = Date.now() - 60_000;
      const total = 30_000;
      for (let i = 0; i < total; i += 5000) {
        await log.append(
          topics.telemetry,
          Array.from(
            { length: 5000 },
            (_, j) =>
              toLogMessage(
                createEvent("telemetry.reported", { values: [{ name: "x", value: i + j, ts: from + 1 }] }, {
                  key: `d${(i + j) % 11}`,
                  source: "test",
                }),
              ),
          ),
        );
      }
      const { log: counted, counts } = countingLog(log);
      const t = await createTestApp({ topics, exportLog: logExportSource(counted), now: Date.now });
      const response = await t.call("GET", `/api/v1/export?topic=telemetry&from=${from}&to=${Date.now()}`, {
        as: "viewer",
      });
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      assert.equal((await reader.read()).done, false);
      await reader.cancel();
      await eventually("the replay to close", () => counts.closed === 1 && counts.open === 0);
      assert.ok(counts.read < total, `the read stopped early: ${counts.read} of ${total} records`);
    } finally {
      await close();
    }
  });
}
