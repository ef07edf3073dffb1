/**
 * The EventLog port on Apache Kafka through kafkajs: topics with partitions, an idempotent
 * producer with acks=all, group consumers with explicit commits, replay and lag.
 */
import { Kafka, type SASLOptions } from "kafkajs";
import type {
  EventLog,
  PartitionLag,
  PartitionOffset,
  PartitionOffsets,
  ReplayOptions,
  TopicSpec,
} from "../../core/log/event_log.ts";
import {
  type ConsumerSettings,
  type KafkaContext,
  kafkaFailure,
  kafkaLogCreator,
  kafkaLogLevels,
  type LogLevelName,
  partitionBounds,
  serializedAdmin,
  settling,
  startOffsets,
} from "./_kafka_client.ts";
import { startKafkaConsumer } from "./kafka_consumer.ts";
import { createKafkaAppender } from "./kafka_producer.ts";
import { replayKafkaTopic } from "./kafka_replay.ts";
import { alignRetention, retentionValue } from "./_kafka_topic_retention.ts";
import type { Logger } from "../../core/logging/mod.ts";
import { createLogger } from "../logging/mod.ts";

/** Attempts of `ensureTopics` while new topics settle, about 10 s in all. */
const TOPIC_ATTEMPTS = 14;
/** endOffsets tries this often (100 ms, 200 ms, … apart: about 3 s in all) while partitions settle. */
const OFFSET_ATTEMPTS = 8;

const MiB = 1024 * 1024;

export interface KafkaEventLogOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Default `"aiot"`. */
  clientId?: string;
  /** Replication factor of topics created by `ensureTopics`. Default 1. */
  defaultReplicationFactor?: number;
  /** kafkajs log lines at this level and above go to `logger`. Default `"warn"`. */
  logLevel?: LogLevelName;
  /** Where kafkajs' log lines go. Default: JSON lines on stderr. */
  logger?: Logger;
  /** TLS to the brokers (`true` for the system's CAs). Default off. */
  ssl?: boolean;
  /** SASL authentication; the credentials are never logged. */
  sasl?: SASLOptions;
  /** Default 3000 ms. */
  connectionTimeoutMs?: number;
  /** Also the broker's wait for the acks of all in-sync replicas. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** How often kafkajs retries a failed request (with backoff) before a call fails. Default 5. */
  retries?: number;
  /** Upper bound of record bytes per produce request; bigger appends are split. Default 4 MiB. */
  maxRequestBytes?: number;
  /** Largest message a created topic accepts (`max.message.bytes`), and the fetch size. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Consumer session timeout: how fast a dead member's partitions move. Default 10000 ms. */
  sessionTimeoutMs?: number;
  /** Longest wait of a consumer's fetch for new messages. Default 100 ms. */
  maxWaitTimeMs?: number;
  /** Clock for default message timestamps. Default `Date.now`. */
  now?: () => number;
  /**
   * `retention.ms` per topic name (`Infinity`: keep everything): set by `ensureTopics` on the
   * topics it creates, and altered on existing ones whose value differs. Topics not named keep
   * what they have (the broker's default when created here).
   */
  retentionByTopic?: Readonly<Record<string, number>>;
}

/**
 * Connects to Kafka and resolves once a broker answered a real request (kafkajs' `connect()`
 * alone succeeds even against a socket that never answers). Rejects with an
 * `InfrastructureError` whose `retriable` says whether trying again later may help.
 */
export async function createKafkaEventLog(options: KafkaEventLogOptions): Promise<EventLog> {
  if (options.brokers.length === 0) throw new TypeError("Cannot connect to Kafka: no brokers given");
  const retries = options.retries ?? 5;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const maxMessageBytes = options.maxMessageBytes ?? 16 * MiB;
  const replicationFactor = options.defaultReplicationFactor ?? 1;
  const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
  const kafka = new Kafka({
    clientId: options.clientId ?? "aiot",
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout,
    retry: { retries },
    logLevel: kafkaLogLevels[options.logLevel ?? "warn"],
    logCreator: kafkaLogCreator(options.logger ?? createLogger().child("kafkajs")),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
  });
  const consumerSettings: ConsumerSettings = {
    sessionTimeout,
    rebalanceTimeout: sessionTimeout,
    heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 10)),
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
    maxBytesPerPartition: maxMessageBytes,
    maxBytes: maxMessageBytes,
    retries,
  };

  const admin = serializedAdmin(kafka.admin());
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    await admin.disconnect().catch(() => {});
    throw kafkaFailure(`connect to ${options.brokers.join(",")}`, error);
  }

  const partitionCounts = new Map<string, number>();
  async function loadPartitionCounts(topics: string[]): Promise<void> {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    for (const t of metadata) partitionCounts.set(t.name, t.partitions.length);
  }
  async function partitionCount(topic: string): Promise<number> {
    const known = partitionCounts.get(topic);
    if (known !== undefined) return known;
    try {
      // listTopics first: metadata for a missing topic is retried by kafkajs before it fails.
      if ((await admin.listTopics()).includes(topic)) await loadPartitionCounts([topic]);
    } catch (error) {
      throw kafkaFailure(`read the metadata of "${topic}"`, error);
    }
    const count = partitionCounts.get(topic);
    if (count === undefined) {
      throw new RangeError(`Unknown topic "${topic}": create it with ensureTopics() first`);
    }
    return count;
  }

  const closers = new Set<() => Promise<void>>();
  const ctx: KafkaContext = {
    kafka,
    admin,
    consumer: consumerSettings,
    partitionCount,
    onClose(stop) {
      closers.add(stop);
      return () => closers.delete(stop);
    },
  };

  const appender = createKafkaAppender(kafka, {
    partitionCount,
    now: options.now ?? Date.now,
    maxRequestBytes: options.maxRequestBytes ?? 4 * MiB,
    ackTimeoutMs: requestTimeout,
    retries,
  });
  try {
    await appender.connect();
  } catch (error) {
    await admin.disconnect().catch(() => {});
    throw error;
  }

  /**
   * A few quick retries while fresh partitions settle ("not the leader for that topic-partition"
   * right after they were created, seen at the start of every process of a new installation);
   * anything longer is the caller's outage to handle.
   */
  async function endOffsets(topic: string): Promise<PartitionOffsets[]> {
    await partitionCount(topic);
    for (let attempt = 1;; attempt++) {
      try {
        const bounds = await partitionBounds(admin, topic);
        return [...bounds].map(([partition, { low, high }]) => ({ partition, start: low, end: high }))
          .sort((a, b) => a.partition - b.partition);
      } catch (error) {
        if (attempt < OFFSET_ATTEMPTS && settling(error)) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw kafkaFailure(`read the offsets of "${topic}"`, error);
      }
    }
  }

  let closing: Promise<void> | undefined;
  const retentionOf = (topic: string): number | undefined => options.retentionByTopic?.[topic];

  return {
    async ensureTopics(topics: TopicSpec[]) {
      for (const { name, partitions } of topics) {
        if (!Number.isInteger(partitions) || partitions < 1) {
          throw new RangeError(`Cannot create topic "${name}": partitions must be a positive integer`);
        }
      }
      if (topics.length === 0) return;
      for (let attempt = 1;; attempt++) {
        try {
          // Existing topics are left as they are. Asking first keeps kafkajs from logging the
          // broker's TOPIC_ALREADY_EXISTS answer as an error on every start of every process.
          const existing = new Set(await admin.listTopics());
          const missing = topics.filter((t) => !existing.has(t.name));
          if (missing.length > 0) {
            await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map(({ name, partitions }) => ({
                topic: name,
                numPartitions: partitions,
                replicationFactor,
                configEntries: [
                  { name: "max.message.bytes", value: String(maxMessageBytes) },
                  // Kafka 4 refuses timestamps more than an hour ahead by default; the port takes any
                  // timestamp (devices may run a day ahead), like the embedded logs.
                  { name: "message.timestamp.after.max.ms", value: "9223372036854775807" },
                  ...(retentionOf(name) === undefined
                    ? []
                    : [{ name: "retention.ms", value: retentionValue(retentionOf(name)!) }]),
                ],
              })),
            });
          }
          await loadPartitionCounts(topics.map((t) => t.name));
          // A changed retention of an existing topic (created ones already have theirs).
          const created = new Set(missing.map((t) => t.name));
          await alignRetention(
            admin,
            new Map(
              topics.filter((t) => !created.has(t.name) && retentionOf(t.name) !== undefined)
                .map((t) => [t.name, retentionOf(t.name)!]),
            ),
          );
          return;
        } catch (error) {
          // Right after createTopics a busy broker may answer UNKNOWN_TOPIC_OR_PARTITION ("does not
          // host this topic-partition") while new partitions settle: retriable, so try again.
          if (attempt < TOPIC_ATTEMPTS && settling(error)) {
            await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** attempt)));
            continue;
          }
          throw kafkaFailure(`create topics ${topics.map((t) => `"${t.name}"`).join(", ")}`, error);
        }
      }
    },

    append: (topic, messages) => appender.append(topic, messages),

    consume: (consumeOptions) => startKafkaConsumer(ctx, consumeOptions),

    replay: (topic: string, replayOptions?: ReplayOptions) => replayKafkaTopic(ctx, topic, replayOptions),

    endOffsets,

    async offsetsForTimestamp(topic: string, timestamp: number): Promise<PartitionOffset[]> {
      await partitionCount(topic);
      try {
        const starts = await startOffsets(admin, topic, { timestamp });
        return [...starts].map(([partition, offset]) => ({ partition, offset }))
          .sort((a, b) => a.partition - b.partition);
      } catch (error) {
        throw kafkaFailure(`find the offsets of "${topic}" at ${new Date(timestamp).toISOString()}`, error);
      }
    },

    async lag(group: string, topic: string): Promise<PartitionLag[]> {
      const ends = await endOffsets(topic);
      let committed: Map<number, number>;
      try {
        const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        committed = new Map(offsets?.partitions.map((p) => [p.partition, Number(p.offset)]));
      } catch (error) {
        throw kafkaFailure(`read the offsets of group "${group}"`, error);
      }
      return ends.map((p) => {
        // "-1": nothing committed yet, the group would start at the earliest offset.
        const position = Math.max(committed.get(p.partition) ?? -1, p.start);
        return { ...p, committed: position, lag: Math.max(0, p.end - position) };
      });
    },

    close() {
      closing ??= (async () => {
        await Promise.all([...closers].map((stop) => stop()));
        await appender.close().catch(() => {});
        await admin.disconnect().catch(() => {});
      })();
      return closing;
    },
  };
}
