/**
 * `GET /stream?from=` on the engines that hold real logs: the embedded SQLite log and Kafka
 * (AIOT_TEST_KAFKA_BROKERS; a missing broker fails the test). The cases are the hub's own
 * (api/live/_stream_from_case.ts): no gap or repeat at the replay→live seam, tokens as usual, and
 * a `from` further back than the resume limit refused.
 */
import { Kafka, logLevel } from "kafkajs";
import type { EventLog } from "../../core/log/event_log.ts";
import { streamFromSeamCase, streamFromTooOldCase } from "../../api/live/_stream_from_case.ts";
import { createKafkaEventLog } from "../kafka/mod.ts";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";

const KAFKA = (Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092").split(",");

type Case = (log: EventLog, topics: { telemetry: string; device: string }) => Promise<void>;

async function onSqlite(run: Case): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-stream-from-" });
  const log = createSqliteEventLog({ path: `${dir}/log.db` });
  try {
    await run(log, { telemetry: "aiot.telemetry", device: "aiot.device" });
  } finally {
    await log.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function onKafka(run: Case): Promise<void> {
  const prefix = `test.from.${crypto.randomUUID().slice(0, 8)}.`;
  const topics = { telemetry: `${prefix}telemetry`, device: `${prefix}device` };
  const log = await createKafkaEventLog({ brokers: KAFKA, clientId: "aiot-test", logLevel: "error" });
  try {
    await run(log, topics);
  } finally {
    await log.close();
    const admin = new Kafka({ brokers: KAFKA, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
    await admin.disconnect();
  }
}

const options = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "stream from= [sqlite]: replay then live, no gap, no repeat",
  ...options,
  fn: () => onSqlite(streamFromSeamCase),
});
Deno.test({
  name: "stream from= [sqlite]: too far back is resume_too_old",
  ...options,
  fn: () => onSqlite(streamFromTooOldCase),
});
Deno.test({
  name: "stream from= [kafka]: replay then live, no gap, no repeat",
  ...options,
  fn: () => onKafka(streamFromSeamCase),
});
Deno.test({
  name: "stream from= [kafka]: too far back is resume_too_old",
  ...options,
  fn: () => onKafka(streamFromTooOldCase),
});
