/**
 * Picks the EventLog engine from configuration: Kafka when brokers are set, else the embedded
 * SQLite log under the data directory.
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
    return {
      log: await createKafkaEventLog({ brokers: config.kafkaBrokers, clientId: "aiot" }),
      engine: "kafka",
    };
  }
  await Deno.mkdir(config.dataDir, { recursive: true });
  const log = createSqliteEventLog({
    path: `${config.dataDir}/log.db`,
    ...(config.logRetentionMs ? { retentionMaxAgeMs: config.logRetentionMs } : {}),
    ...(options.idleRecheckMs === undefined ? {} : { idleRecheckMs: options.idleRecheckMs }),
  });
  return { log, engine: "sqlite" };
}
