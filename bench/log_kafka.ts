/**
 * Bench `log` (Kafka): the Kafka EventLog against a plain kafkajs producer and consumer doing the
 * same work on the same broker — 1000-message sends with acks=all, and a group reading everything.
 */
import { Kafka, logLevel, Partitioners } from "kafkajs";
import type { EventLog, LogMessage } from "../core/log/event_log.ts";
import { createKafkaEventLog } from "../infra/kafka/mod.ts";
import type { Comparison, Sample } from "./harness.ts";
import { benchMessages } from "./log_sqlite.ts";

const BATCH = 1000;
const PARTITIONS = 4;

async function rawAppend(kafka: Kafka, topic: string, messages: LogMessage[]): Promise<Sample> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.slice(i, i + BATCH).map((m) => ({ key: m.key, value: m.value })),
    });
  }
  const ms = performance.now() - started;
  await producer.disconnect();
  return { units: messages.length, ms };
}

/**
 * A plain kafkajs consumer (fresh group, from the beginning) reading `expected` messages of
 * `topic`: the raw side of the consume and replay benches. With `commit`, offsets are committed per
 * batch, as a group consumer does; without, it only reads (replay).
 */
export async function rawKafkaConsume(
  kafka: Kafka,
  topic: string,
  expected: number,
  { commit }: { commit: boolean },
): Promise<Sample> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${crypto.randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let units = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const started = performance.now();
  await consumer.run({
    autoCommit: commit,
    eachBatch: async ({ batch, commitOffsetsIfNecessary }) => {
      units += batch.messages.length;
      if (commit) {
        await commitOffsetsIfNecessary({
          topics: [{
            topic,
            partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
          }],
        });
      }
      if (units >= expected) finished();
    },
  });
  await all;
  const ms = performance.now() - started;
  await consumer.disconnect();
  return { units, ms };
}

async function aiotConsume(log: EventLog, topic: string, expected: number): Promise<Sample> {
  let units = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const started = performance.now();
  const consumer = log.consume({
    group: `bench-aiot-${crypto.randomUUID()}`,
    topics: [topic],
    handleBatch: (batch) => {
      units += batch.records.length;
      if (units >= expected) finished();
      return Promise.resolve();
    },
  });
  await all;
  const ms = performance.now() - started;
  await consumer.stop();
  return { units, ms };
}

/** Comparisons on a live broker; each append round writes a fresh topic that the next consume reads. */
export async function kafkaLogComparisons(brokers: string[], count: number): Promise<Comparison[]> {
  const kafka = new Kafka({ clientId: "bench-raw", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const log = await createKafkaEventLog({ brokers, clientId: "bench-aiot", logLevel: "error" });
  const messages = benchMessages(count);
  const fresh = async () => {
    const topic = `bench.log.${crypto.randomUUID().slice(0, 8)}`;
    await log.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
    return topic;
  };
  let rawTopic = "";
  let aiotTopic = "";
  return [
    {
      name: "log append (Kafka, acks=all, 1000/send)",
      unit: "events/s",
      baseline: {
        label: "kafkajs producer.send",
        run: async () => rawAppend(kafka, rawTopic = await fresh(), messages),
      },
      aiot: {
        label: "KafkaEventLog.append",
        run: async () => {
          aiotTopic = await fresh();
          const started = performance.now();
          for (let i = 0; i < messages.length; i += BATCH) {
            await log.append(aiotTopic, messages.slice(i, i + BATCH));
          }
          return { units: messages.length, ms: performance.now() - started };
        },
      },
    },
    {
      name: "log consume (Kafka, group, commit per batch)",
      unit: "events/s",
      baseline: {
        label: "kafkajs consumer eachBatch",
        run: () => rawKafkaConsume(kafka, rawTopic, count, { commit: true }),
      },
      aiot: { label: "KafkaEventLog.consume", run: () => aiotConsume(log, aiotTopic, count) },
    },
  ];
}
