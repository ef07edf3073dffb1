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
import type { AiotConfig } from "./config/config.ts";
import { createSqliteEventLog } from "./sqlite/sqlite_event_log.ts";

export async function openEventLog(
  config: AiotConfig,
  options: { idleRecheckMs?: number } = {},
): Promise<{ log: EventLog; engine: "kafka" | "sqlite" }> {
  if (config.kafkaBrokers) {
    // Loaded only when used, so the embedded default starts without kafkajs.
    const { createKafkaEventLog } = await import("./kafka/mod.ts");
    const log = await createKafkaEventLog({ brokers: config.kafkaBrokers, clientId: "aiot" });
    return { log: withGroupPrefix(log, config.kafkaGroupPrefix), engine: "kafka" };
  }
  await Deno.mkdir(config.dataDir, { recursive: true });
  const log = createSqliteEventLog({
    path: `${config.dataDir}/log.db`,
    ...(config.logRetentionMs ? { retentionMaxAgeMs: config.logRetentionMs } : {}),
    ...(options.idleRecheckMs === undefined ? {} : { idleRecheckMs: options.idleRecheckMs }),
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
