/**
 * Picks the EventLog engine from configuration: Kafka when brokers are set, else the embedded
 * SQLite log under the data directory.
 *
 * On Kafka, consumer groups live beside every installation sharing the cluster: two installations
 * whose `readmodels` groups read different topics would rebalance each other for ever. So groups
 * get `config.kafkaGroupPrefix` (by default the topic prefix, unless that is the default `aiot.`,
 * which keeps the group names of existing deployments).
 */
import type { EventLog } from "../core/log/event_log.ts";
import type { Logger } from "../core/logging/mod.ts";
import type { AiotConfig } from "./config/config.ts";
import { createSqliteEventLog } from "./sqlite/sqlite_event_log.ts";
import { topicNames } from "../core/events/topics.ts";
import type { TopicFamily } from "../core/events/topic_families.ts";

/**
 * `config.retention.log` by topic name; `Infinity` (forever) only where the engine is told so
 * (Kafka: `retention.ms=-1`), else left out (kept forever anyway).
 */
function retentionByTopic(config: AiotConfig, keepInfinite: boolean): Record<string, number> {
  const names = topicNames(config.topicPrefix);
  const out: Record<string, number> = {};
  for (const [family, ms] of Object.entries(config.retention?.log ?? {}) as [TopicFamily, number][]) {
    if (keepInfinite || Number.isFinite(ms)) out[names[family]] = ms;
  }
  return out;
}

export async function openEventLog(
  config: AiotConfig,
  options: {
    idleRecheckMs?: number;
    logger?: Logger;
  } = {},
): Promise<{ log: EventLog; engine: "kafka" | "sqlite" }> {
  if (config.kafkaBrokers) {
    // Loaded only when used, so the embedded default starts without kafkajs.
    const { createKafkaEventLog } = await import("./kafka/mod.ts");
    const log = await createKafkaEventLog({
      brokers: config.kafkaBrokers,
      clientId: "aiot",
      retentionByTopic: retentionByTopic(config, true),
      ...(options.logger ? { logger: options.logger.child("kafkajs") } : {}),
    });
    return { log: withGroupPrefix(log, config.kafkaGroupPrefix), engine: "kafka" };
  }
  await Deno.mkdir(config.dataDir, { recursive: true });
  const log = createSqliteEventLog({
    path: `${config.dataDir}/log.db`,
    ...(config.logRetentionMs ? { retentionMaxAgeMs: config.logRetentionMs } : {}),
    retentionByTopic: retentionByTopic(config, false),
    tailRecords: config.logTailRecords,
    ...(config.retention ? { retentionIntervalMs: config.retention.sweepIntervalMs } : {}),
    ...(options.idleRecheckMs === undefined ? {} : { idleRecheckMs: options.idleRecheckMs }),
    ...(options.logger
      ? {
        onRetentionError: (error: unknown) => options.logger!.error("log retention failed", { error }),
        onCommitError: (error: unknown) =>
          options.logger!.warn("committing consumer offsets failed, retrying in 1 s", { error }),
      }
      : {}),
  });
  return { log, engine: "sqlite" };
}

/** `log` with every consumer group name prefixed (`consume`, `lag`). */
export function withGroupPrefix(log: EventLog, prefix: string): EventLog {
  if (prefix === "") return log;
  return {
    ensureTopics: (topics) => log.ensureTopics(topics),
    append: (topic, messages) => log.append(topic, messages),
    consume: (options) => log.consume({ ...options, group: prefix + options.group }),
    replay: (topic, options) => log.replay(topic, options),
    endOffsets: (topic) => log.endOffsets(topic),
    offsetsForTimestamp: (topic, timestamp) => log.offsetsForTimestamp(topic, timestamp),
    lag: (group, topic) => log.lag(prefix + group, topic),
    close: () => log.close(),
  };
}
