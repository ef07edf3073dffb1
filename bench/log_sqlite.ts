/**
 * Bench `log` (embedded): the SQLite EventLog against plain `node:sqlite` doing the same work —
 * append in 1000-row transactions with the same durability, and read everything back.
 */
import { DatabaseSync } from "node:sqlite";
import type { LogMessage } from "../core/log/event_log.ts";
import { createSqliteEventLog } from "../infra/sqlite/sqlite_event_log.ts";
import type { Comparison, Sample } from "./harness.ts";

const BATCH = 1000;

/** ~200-byte telemetry-like payloads over 1000 device keys. */
export function benchMessages(count: number): LogMessage[] {
  const time = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    key: `device-${i % 1000}`,
    value:
      `{"id":"0190f3a2-7b1c-7d2e-9f00-${String(i).padStart(12, "0")}","type":"telemetry.reported","v":1,` +
      `"key":"device-${i % 1000}","time":"${time}","data":{"values":[{"name":"temperature","value":${
        (20 + (i % 100) / 10).toFixed(1)
      }}]}}`,
  }));
}

async function tempFile(name: string): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "aiot-bench-" })}/${name}`;
}

async function rawAppend(messages: LogMessage[]): Promise<{ sample: Sample; path: string }> {
  const path = await tempFile("raw.db");
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
  db.exec(
    "CREATE TABLE events (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL, ts INTEGER NOT NULL)",
  );
  const insert = db.prepare("INSERT INTO events (key, value, ts) VALUES (?, ?, ?)");
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) {
    db.exec("BEGIN");
    for (const m of messages.slice(i, i + BATCH)) insert.run(m.key, m.value, Date.now());
    db.exec("COMMIT");
  }
  const ms = performance.now() - started;
  db.close();
  return { sample: { units: messages.length, ms }, path };
}

function rawRead(path: string): Sample {
  const db = new DatabaseSync(path);
  const page = db.prepare("SELECT id, key, value, ts FROM events WHERE id > ? ORDER BY id LIMIT ?");
  const started = performance.now();
  let last = 0;
  let units = 0;
  for (;;) {
    const rows = page.all(last, BATCH) as { id: number }[];
    if (rows.length === 0) break;
    units += rows.length;
    last = rows[rows.length - 1]!.id;
  }
  const ms = performance.now() - started;
  db.close();
  return { units, ms };
}

async function aiotAppend(messages: LogMessage[]): Promise<{ sample: Sample; path: string }> {
  const path = await tempFile("log.db");
  const log = createSqliteEventLog({ path });
  await log.ensureTopics([{ name: "aiot.telemetry", partitions: 4 }]);
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) {
    await log.append("aiot.telemetry", messages.slice(i, i + BATCH));
  }
  const ms = performance.now() - started;
  await log.close();
  return { sample: { units: messages.length, ms }, path };
}

async function aiotConsume(path: string, expected: number): Promise<Sample> {
  const log = createSqliteEventLog({ path });
  let units = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const started = performance.now();
  const consumer = log.consume({
    group: `bench-${crypto.randomUUID()}`,
    topics: ["aiot.telemetry"],
    handleBatch: (batch) => {
      units += batch.records.length;
      if (units >= expected) finished();
      return Promise.resolve();
    },
  });
  await all;
  const ms = performance.now() - started;
  await consumer.stop();
  await log.close();
  return { units, ms };
}

export function sqliteLogComparisons(count: number): Comparison[] {
  const messages = benchMessages(count);
  let rawPath = "";
  let aiotPath = "";
  return [
    {
      name: "log append (SQLite, fsync, 1000/batch)",
      unit: "events/s",
      baseline: {
        label: "node:sqlite INSERT",
        run: async () => {
          const result = await rawAppend(messages);
          rawPath = result.path;
          return result.sample;
        },
      },
      aiot: {
        label: "SqliteEventLog.append",
        run: async () => {
          const result = await aiotAppend(messages);
          aiotPath = result.path;
          return result.sample;
        },
      },
    },
    {
      name: "log consume (SQLite, group, commit per batch)",
      unit: "events/s",
      baseline: { label: "node:sqlite paged SELECT", run: () => Promise.resolve(rawRead(rawPath)) },
      aiot: { label: "SqliteEventLog.consume", run: () => aiotConsume(aiotPath, count) },
    },
  ];
}
