/**
 * The all-in-one AIOT process: every part in one process with embedded engines by default
 * (SQLite under AIOT_DATA_DIR), or production engines where their URLs are configured.
 */
import { topicNames } from "../../core/events/topics.ts";
import { createApp, type ReadinessCheck } from "../../api/app.ts";
import { loadConfig } from "../config/config.ts";
import { openEventLog } from "../event_log_from_config.ts";
import { exitOnSignals } from "../lifecycle/shutdown.ts";

const started = performance.now();
const config = loadConfig(Deno.env.toObject());
const topics = topicNames(config.topicPrefix);
const { log, engine } = await openEventLog(config);
await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: config.partitions })));

async function readiness(): Promise<ReadinessCheck[]> {
  try {
    await log.endOffsets(topics.telemetry);
    return [{ name: `log (${engine})`, ok: true }];
  } catch (error) {
    return [{
      name: `log (${engine})`,
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    }];
  }
}

const app = createApp({ readiness });
const server = Deno.serve({
  hostname: config.http.host,
  port: config.http.port,
  onListen: ({ hostname, port }) =>
    console.error(
      `AIOT ready in ${
        Math.round(performance.now() - started)
      } ms: http://${hostname}:${port} · log: ${engine}` +
        (engine === "sqlite" ? ` (${config.dataDir}/log.db)` : ""),
    ),
}, app.fetch);

exitOnSignals(async () => {
  await server.shutdown();
  await log.close();
});
