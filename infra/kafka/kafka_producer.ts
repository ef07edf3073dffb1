/**
 * Appends to Kafka with an idempotent producer (acks=all): key partitioning with kafkajs'
 * Java-compatible murmur2 partitioner, big appends split into produce requests well below the
 * broker's size limits, and acks computed from each request's base offsets.
 */
import { Buffer } from "node:buffer";
import {
  CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type PartitionMetadata,
  type Producer,
} from "kafkajs";
import type { AppendAck, LogMessage } from "../../core/log/event_log.ts";
import { kafkaFailure } from "./_kafka_client.ts";

/** Bytes a record costs beyond its key, value and headers (varints, attributes, deltas). */
const RECORD_OVERHEAD_BYTES = 32;

export interface KafkaProducerOptions {
  partitionCount(topic: string): Promise<number>;
  now(): number;
  /** Upper bound of record bytes in one produce request. */
  maxRequestBytes: number;
  /** Broker-side wait for the acks of all in-sync replicas. */
  ackTimeoutMs: number;
  retries: number;
}

/** One produce request: the messages (with their partition set) and their index in the append. */
export interface ProduceRequest {
  messages: Message[];
  indexes: number[];
}

export interface KafkaAppender {
  /** Connects the producer (a real request: it fetches an idempotent producer id). */
  connect(): Promise<void>;
  append(topic: string, messages: LogMessage[]): Promise<AppendAck[]>;
  close(): Promise<void>;
}

const defaultPartitioner = Partitioners.DefaultPartitioner();
const metadataByCount = new Map<number, PartitionMetadata[]>();

/** The partition of `key` in a topic of `partitions` partitions, as Kafka's Java clients pick it. */
export function kafkaPartitionForKey(key: string, partitions: number): number {
  let partitionMetadata = metadataByCount.get(partitions);
  if (!partitionMetadata) {
    partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataByCount.set(partitions, partitionMetadata);
  }
  return defaultPartitioner({ topic: "", partitionMetadata, message: { key, value: null } });
}

/**
 * Splits an append into produce requests of at most `maxRequestBytes` record bytes (a single
 * bigger message travels alone), keeping the input order inside each request.
 */
export function planProduceRequests(messages: LogMessage[], options: {
  partitionOf: (key: string) => number;
  /** Timestamp of messages without one. */
  defaultTimestamp: number;
  maxRequestBytes: number;
}): ProduceRequest[] {
  const { partitionOf, defaultTimestamp, maxRequestBytes } = options;
  const requests: ProduceRequest[] = [];
  let current: ProduceRequest = { messages: [], indexes: [] };
  let bytes = 0;
  messages.forEach((m, index) => {
    let size = RECORD_OVERHEAD_BYTES + Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
    for (const name in m.headers) size += Buffer.byteLength(name) + Buffer.byteLength(m.headers[name]!) + 2;
    if (bytes + size > maxRequestBytes && current.messages.length > 0) {
      requests.push(current);
      current = { messages: [], indexes: [] };
      bytes = 0;
    }
    const message: Message = {
      key: m.key,
      value: m.value,
      partition: partitionOf(m.key),
      timestamp: String(m.timestamp ?? defaultTimestamp),
    };
    if (m.headers) message.headers = m.headers;
    current.messages.push(message);
    current.indexes.push(index);
    bytes += size;
  });
  if (current.messages.length > 0) requests.push(current);
  return requests;
}

export function createKafkaAppender(kafka: Kafka, options: KafkaProducerOptions): KafkaAppender {
  let producer: Promise<Producer> | undefined;
  // Sends go one at a time: the idempotent producer numbers its batches in send order, and a
  // failed send must not be overtaken by the next one before the producer is replaced.
  let queue: Promise<unknown> = Promise.resolve();

  function connected(): Promise<Producer> {
    producer ??= (async () => {
      const created = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: Math.max(1, options.retries) },
      });
      await created.connect();
      return created;
    })();
    const current = producer;
    current.catch(() => {
      if (producer === current) producer = undefined;
    });
    return current;
  }

  /**
   * After a failed send the producer's sequence numbers may not match what the broker stored;
   * a fresh producer (new producer id) makes the caller's retry safe.
   */
  async function replaceProducer(): Promise<void> {
    const failed = producer;
    producer = undefined;
    await (await failed?.catch(() => undefined))?.disconnect().catch(() => {});
  }

  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => {});
    return result;
  }

  async function send(topic: string, request: ProduceRequest, acks: AppendAck[]): Promise<void> {
    const metadata = await exclusive(async () => {
      try {
        return await (await connected()).send({
          topic,
          messages: request.messages,
          acks: -1,
          timeout: options.ackTimeoutMs,
          compression: CompressionTypes.None,
        });
      } catch (error) {
        await replaceProducer();
        throw kafkaFailure(`append ${request.messages.length} messages to "${topic}"`, error);
      }
    });
    const nextOffset = new Map(metadata.map((m) => [m.partition, Number(m.baseOffset ?? m.offset)]));
    request.messages.forEach((message, i) => {
      const partition = message.partition!;
      const offset = nextOffset.get(partition);
      if (offset === undefined || Number.isNaN(offset)) {
        throw kafkaFailure(`append to "${topic}"`, new Error(`no base offset for partition ${partition}`));
      }
      nextOffset.set(partition, offset + 1);
      acks[request.indexes[i]!] = { partition, offset };
    });
  }

  return {
    async connect() {
      try {
        await connected();
      } catch (error) {
        throw kafkaFailure("start the producer", error);
      }
    },

    async append(topic, messages) {
      if (messages.length === 0) return [];
      const partitions = await options.partitionCount(topic);
      const requests = planProduceRequests(messages, {
        partitionOf: (key) => kafkaPartitionForKey(key, partitions),
        defaultTimestamp: options.now(),
        maxRequestBytes: options.maxRequestBytes,
      });
      const acks: AppendAck[] = new Array(messages.length);
      // One request after the other, so one key's messages land in the order given.
      for (const request of requests) await send(topic, request, acks);
      return acks;
    },

    async close() {
      await queue;
      const current = producer;
      producer = undefined;
      await (await current?.catch(() => undefined))?.disconnect();
    },
  };
}
