/**
 * Bench `replay`: read N telemetry events back from the log once, start to end.
 * - Embedded: SqliteEventLog.replay against a plain node:sqlite paged SELECT of the same rows (the
 *   log's own partition tables in the same file).
 * - Kafka (when AIOT_TEST_KAFKA_BROKERS / AIOT_BENCH_KAFKA_BROKERS is set): KafkaEventLog.replay
 *   against a plain kafkajs consumer (fresh group, fromBeginning) reading the same topic once.
 */
import { DatabaseSync } from "node:sqlite";
import { Kafka, logLevel } from "kafkajs";
import type { EventLog } from "../core/log/event_log.ts";
import { createSqliteEventLog } from "../infra/sqlite/sqlite_event_log.ts";
import type { Comparison, Sample } from "./harness.ts";
import { rawKafkaConsume } from "./log_kafka.ts";
import { benchMessages } from "./log_sqlite.ts";

const BATCH = 1000;
const PARTITIONS = 4;
const TOPIC = "aiot.telemetry";

async function aiotReplay(log: EventLog, topic: string): Promise<Sample> {
  let units = 0;
  const started = performance.now();
  for await (const chunk of log.replay(topic)) units += chunk.length;
  return { units, ms: performance.now() - started };
}

function rawSqliteRead(path: string): Sample {
  const db = new DatabaseSync(path, { readOnly: true });
  const { id } = db.prepare("SELECT id FROM topics WHERE name = ?").get(TOPIC) as { id: number };
  const started = performance.now();
  let units = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const page = db.prepare(
      `SELECT offset, key, value, headers, ts FROM log_${id}_${p} WHERE offset >= ? ORDER BY offset LIMIT ?`,
    );
    let from = 0;
    for (;;) {
      const rows = page.all(from, BATCH) as { offset: number }[];
      if (rows.length === 0) break;
      units += rows.length;
      from = rows[rows.length - 1]!.offset + 1;
    }
  }
  const ms = performance.now() - started;
  db.close();
  return { units, ms };
}

export async function sqliteReplayComparisons(
  count: number,
  progress: (line: string) => void,
): Promise<Comparison> {
  const path = `${await Deno.makeTempDir({ prefix: "aiot-bench-replay-" })}/log.db`;
  const log = createSqliteEventLog({ path });
  await log.ensureTopics([{ name: TOPIC, partitions: PARTITIONS }]);
  const messages = benchMessages(count);
  const started = performance.now();
  for (let i = 0; i < count; i += 10 * BATCH) await log.append(TOPIC, messages.slice(i, i + 10 * BATCH));
  progress(`  replay: ${count} events written to ${path} in ${Math.round(performance.now() - started)} ms`);
  return {
    name: `replay ${count} events (SQLite, 4 partitions)`,
    unit: "events/s",
    baseline: { label: "node:sqlite paged SELECT", run: () => Promise.resolve(rawSqliteRead(path)) },
    aiot: { label: "SqliteEventLog.replay", run: () => aiotReplay(log, TOPIC) },
  };
}

export async function kafkaReplayComparisons(
  brokers: string[],
  count: number,
  progress: (line: string) => void,
): Promise<Comparison> {
  const { createKafkaEventLog } = await import("../infra/kafka/mod.ts");
  const kafka = new Kafka({ clientId: "bench-raw-replay", brokers, logLevel: logLevel.NOTHING });
  const log = await createKafkaEventLog({ brokers, clientId: "bench-aiot-replay", logLevel: "error" });
  const topic = `bench.replay.${crypto.randomUUID().slice(0, 8)}`;
  await log.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
  const messages = benchMessages(count);
  const started = performance.now();
  for (let i = 0; i < count; i += BATCH) await log.append(topic, messages.slice(i, i + BATCH));
  progress(
    `  replay: ${count} events written to Kafka ${topic} in ${Math.round(performance.now() - started)} ms`,
  );
  return {
    name: `replay ${count} events (Kafka, 4 partitions)`,
    unit: "events/s",
    baseline: {
      label: "kafkajs consumer, fresh group",
      run: () => rawKafkaConsume(kafka, topic, count, { commit: false }),
    },
    aiot: { label: "KafkaEventLog.replay", run: () => aiotReplay(log, topic) },
  };
}
