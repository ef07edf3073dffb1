/**
 * What the Kafka producer, consumers and replays share: the kafkajs client and admin, tuned
 * settings, the mapping of kafkajs errors and log lines, record decoding and start positions.
 */
import { type Admin, type Kafka, type KafkaMessage, type logCreator, logLevel } from "kafkajs";
import { AiotError, InfrastructureError } from "../../core/errors.ts";
import type { LogRecord, StartPosition } from "../../core/log/event_log.ts";
import type { Logger, LogLevel } from "../../core/logging/mod.ts";

/** Consumer tuning shared by group consumers and replays. */
export interface ConsumerSettings {
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  maxWaitTimeInMs: number;
  /** Fetch limits of group consumers; replays fetch more at once. */
  maxBytesPerPartition: number;
  maxBytes: number;
  retries: number;
}

export interface KafkaContext {
  kafka: Kafka;
  admin: Admin;
  consumer: ConsumerSettings;
  /** Partition count of a topic (cached); a `RangeError` for a topic that does not exist. */
  partitionCount(topic: string): Promise<number>;
  /** Runs `stop` when the log closes; returns the function that unregisters it. */
  onClose(stop: () => Promise<void>): () => void;
}

/** Admin calls that stay as they are: synchronous, or the connection's own lifecycle. */
const UNQUEUED_ADMIN_CALLS = new Set<PropertyKey>(["on", "logger", "connect", "disconnect"]);

/**
 * The admin with its requests run one at a time. kafkajs keeps one metadata cache per admin, and
 * `fetchTopicMetadata({ topics })` replaces it with just those topics: an offsets lookup of another
 * topic running meanwhile then finds no partitions and fails inside kafkajs ("Cannot destructure
 * property 'partitions' of 'high.pop(...)'"). Seen when two consumers of one log were positioned at
 * once. Admin requests are rare (positioning, lag, topic setup), so queueing them costs nothing.
 */
export function serializedAdmin(admin: Admin): Admin {
  let queue: Promise<unknown> = Promise.resolve();
  return new Proxy(admin, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || UNQUEUED_ADMIN_CALLS.has(property)) return value;
      return (...args: unknown[]) => {
        const call = queue.then(() => value.apply(target, args));
        queue = call.catch(() => {});
        return call;
      };
    },
  });
}

/** Attempts of an offsets lookup while a topic's partitions settle (100 ms, 200 ms, … apart: ~3 s). */
const BOUNDS_ATTEMPTS = 8;

/** Broker answers that mean "not ready yet", wherever kafkajs nests them (retries, causes). */
export function settling(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  const e = error as { retriable?: unknown; type?: unknown; cause?: unknown; originalError?: unknown };
  if (e.retriable === true) return true;
  if (e.type === "UNKNOWN_TOPIC_OR_PARTITION" || e.type === "LEADER_NOT_AVAILABLE") return true;
  return settling(e.cause, depth + 1) || settling(e.originalError, depth + 1);
}

/**
 * Runs an offsets lookup of kafkajs again while the topic settles: fresh partitions answer "not
 * the leader" for a moment after creation (kafkajs retries only unknown topics there), and kafkajs
 * answers a TypeError when its metadata lacks the topic's partitions.
 */
async function whileSettling<T>(lookup: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await lookup();
    } catch (error) {
      if (!(error instanceof TypeError || settling(error)) || attempt >= BOUNDS_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Low and high watermark (next offset to be written) of each partition. */
export async function partitionBounds(
  admin: Admin,
  topic: string,
): Promise<Map<number, { low: number; high: number }>> {
  const offsets = await whileSettling(() => admin.fetchTopicOffsets(topic));
  return new Map(offsets.map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
}

/** The offset each partition of `topic` starts at for `from`, kept within the partition's bounds. */
export async function startOffsets(
  admin: Admin,
  topic: string,
  from: StartPosition,
): Promise<Map<number, number>> {
  const bounds = await partitionBounds(admin, topic);
  const clamp = (partition: number, offset: number | undefined): number => {
    const { low, high } = bounds.get(partition) ?? { low: 0, high: 0 };
    return Math.min(Math.max(offset ?? low, low), high);
  };
  const starts = new Map<number, number>();
  if (typeof from === "object" && "timestamp" in from) {
    // kafkajs answers the high watermark for partitions without a message at or after the time.
    for (const p of await whileSettling(() => admin.fetchTopicOffsetsByTimestamp(topic, from.timestamp))) {
      starts.set(p.partition, clamp(p.partition, Number(p.offset)));
    }
    return starts;
  }
  for (const [partition, { low, high }] of bounds) {
    if (from === "earliest") starts.set(partition, low);
    else if (from === "latest") starts.set(partition, high);
    else starts.set(partition, clamp(partition, from.offsets[partition]));
  }
  return starts;
}

export function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  const headers: Record<string, string> = {};
  if (message.headers) {
    for (const [name, value] of Object.entries(message.headers)) {
      // Kafka allows repeated header names; the port has one value per name, the last one wins.
      const last = Array.isArray(value) ? value[value.length - 1] : value;
      if (last !== undefined) headers[name] = last.toString();
    }
  }
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? "",
    value: message.value?.toString() ?? "",
    headers,
    timestamp: Number(message.timestamp),
  };
}

/**
 * Wraps a kafkajs failure as an `InfrastructureError`. Our own errors pass through unchanged.
 * kafkajs marks its errors `retriable`; after exhausted retries it wraps the last one, which then
 * decides (a refused connection stays retriable, a rejected configuration does not).
 */
export function kafkaFailure(action: string, error: unknown): Error {
  if (error instanceof AiotError || error instanceof RangeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InfrastructureError(`Kafka could not ${action}: ${message}`, {
    cause: error,
    retriable: isRetriableKafkaError(error),
  });
}

function isRetriableKafkaError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const { name, retriable, cause } = current as { name?: unknown; retriable?: unknown; cause?: unknown };
    if (retriable === true) return true;
    if (name !== "KafkaJSNumberOfRetriesExceeded" && retriable === false) return false;
    current = cause;
  }
  // No verdict anywhere in the chain: a plain socket or timeout error, which a retry may fix.
  return true;
}

export type LogLevelName = "nothing" | "error" | "warn" | "info" | "debug";

export const kafkaLogLevels: Record<LogLevelName, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** Fields of a kafkajs log entry worth printing; everything else (configs, stacks) is left out. */
const PRINTED_FIELDS = ["error", "groupId", "topic", "partition", "broker", "retryCount"] as const;

const LEVEL_OF: Partial<Record<number, LogLevel>> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * Routes kafkajs log lines (already filtered by the configured level) to `logger`, one line each.
 * Two kinds are dropped. The connection's "Response <api> (error=…)" lines: kafkajs logs every
 * error answer there, including the expected ones of a rebalance, and then either handles it or
 * hands it to the caller, who gets it as an `InfrastructureError`. And the producer's warning
 * about limited retries: the limit is deliberate, and a failed send replaces the producer (see
 * `kafka_producer.ts`), which keeps the idempotence guarantees.
 */
export const kafkaLogCreator = (logger: Logger): logCreator => () => ({ namespace, level, log }) => {
  if (namespace === "Connection" && log.message.startsWith("Response ")) return;
  if (log.message.startsWith("Limiting retries for the idempotent producer")) return;
  const entry = log as unknown as Record<string, unknown>;
  const fields = Object.fromEntries(
    PRINTED_FIELDS.filter((field) => entry[field] !== undefined).map((field) => [field, entry[field]]),
  );
  logger[LEVEL_OF[level] ?? "info"](log.message, { namespace, ...fields });
};
