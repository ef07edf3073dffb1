/**
 * The all-in-one AIOT process: every part in one process with embedded engines by default
 * (SQLite files under AIOT_DATA_DIR), or production engines where their URLs are configured.
 */
import { createApp } from "../../api/app.ts";
import { loadConfig } from "../config/config.ts";
import { exitOnSignals } from "../lifecycle/shutdown.ts";
import { apiDeps, ensureAdminUser } from "./api_wiring.ts";
import { startPlatform } from "./platform.ts";

const started = performance.now();
const config = loadConfig(Deno.env.toObject());
const platform = await startPlatform(config);
await ensureAdminUser(config, platform.users);
const broker = platform.broker;
const app = createApp(apiDeps(config, { ...platform, readiness: platform.readiness }));

const server = Deno.serve(
  {
    hostname: config.http.host,
    port: config.http.port,
    onListen: ({ hostname, port }) => {
      const { engines } = platform;
      console.error(
        `AIOT ready in ${Math.round(performance.now() - started)} ms: http://${hostname}:${port} · ` +
          (broker
            ? `MQTT ${config.mqtt.host}:${broker.mqttPort}` +
              (broker.tlsPort ? `, MQTTS :${broker.tlsPort}` : "") +
              `, MQTT/WebSocket /mqtt · `
            : "") +
          `roles ${config.roles.join(",")} · ` +
          `log ${engines.log}, time series ${engines.timeseries}, read models ${engines.readModels}` +
          (engines.log === "sqlite" ? ` (data in ${config.dataDir})` : ""),
      );
    },
  },
  (request, info) =>
    broker && new URL(request.url).pathname === "/mqtt"
      ? broker.handleWebSocket(request, info)
      : app.fetch(request, info),
);

exitOnSignals(async () => {
  await server.shutdown();
  await platform.stop();
});
