/**
 * The all-in-one AIOT process: every part in one process with embedded engines by default
 * (SQLite files under AIOT_DATA_DIR), or production engines where their URLs are configured.
 */
import { createApp } from "../../api/app.ts";
import { loadConfig } from "../config/config.ts";
import { exitOnSignals } from "../lifecycle/shutdown.ts";
import { startPlatform } from "./platform.ts";

const started = performance.now();
const config = loadConfig(Deno.env.toObject());
const platform = await startPlatform(config);
const app = createApp({ readiness: platform.readiness });

const server = Deno.serve({
  hostname: config.http.host,
  port: config.http.port,
  onListen: ({ hostname, port }) => {
    const { engines } = platform;
    console.error(
      `AIOT ready in ${Math.round(performance.now() - started)} ms: http://${hostname}:${port} · ` +
        `log ${engines.log}, time series ${engines.timeseries}, read models ${engines.readModels}` +
        (engines.log === "sqlite" ? ` (data in ${config.dataDir})` : ""),
    );
  },
}, app.fetch);

exitOnSignals(async () => {
  await server.shutdown();
  await platform.stop();
});
