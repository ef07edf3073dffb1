/**
 * The API as its own service (compose scales it separately): the log and stores from
 * configuration, the user store beside the read models (PostgreSQL when `AIOT_POSTGRES_URL` is
 * set, else `users.db` under the data directory), and the app on `AIOT_HTTP_PORT`. It runs no
 * projector: writes wait (up to 2 s) for the `readmodels` service to project them.
 */
import { topicNames } from "../core/events/topics.ts";
import { loadConfig } from "../infra/config/config.ts";
import { openEventLog } from "../infra/event_log_from_config.ts";
import { apiDeps, ensureAdminUser } from "../infra/all_in_one/api_wiring.ts";
import { exitOnSignals } from "../infra/lifecycle/shutdown.ts";
import { openReadModels, openTimeSeriesStore, openUserStore } from "../infra/stores_from_config.ts";
import { createApp } from "./app.ts";

const config = loadConfig(Deno.env.toObject());
const topics = topicNames(config.topicPrefix);
const { log } = await openEventLog(config);
await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: config.partitions })));
const [timeseries, readModels, users] = await Promise.all([
  openTimeSeriesStore(config),
  openReadModels(config),
  openUserStore(config),
]);
await ensureAdminUser(config, users);

async function probe(name: string, check: () => Promise<unknown>) {
  try {
    await check();
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

const app = createApp(apiDeps(config, {
  log,
  topics,
  timeseries,
  readModels,
  users,
  readiness: () =>
    Promise.all([
      probe("log", () => log.endOffsets(topics.device)),
      probe("timeseries", () => timeseries.latest("readiness-probe")),
      probe("readmodels", () => readModels.checkpoint("readiness-probe", topics.device, 0)),
      probe("users", () => users.getUser("readiness-probe")),
    ]),
}));

const server = Deno.serve({
  hostname: config.http.host,
  port: config.http.port,
  onListen: ({ hostname, port }) => console.error(`AIOT API on http://${hostname}:${port}`),
}, app.fetch);

exitOnSignals(async () => {
  await server.shutdown();
  await Promise.all([timeseries.close(), readModels.close(), users.close()]);
  await log.close();
});
