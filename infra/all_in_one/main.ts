/**
 * The all-in-one AIOT process: every part in one process with embedded engines by default
 * (SQLite files under AIOT_DATA_DIR), or production engines where their URLs are configured.
 * `--demo` adds a few emulated devices on the process's own broker.
 */
import { createApp } from "../../api/app.ts";
import { loadConfig } from "../config/config.ts";
import { type Emulator, startDemo } from "../emulator/mod.ts";
import { exitOnSignals } from "../lifecycle/shutdown.ts";
import { apiDeps, ensureAdminUser } from "./api_wiring.ts";
import { startPlatform } from "./platform.ts";
import { loadUi } from "./ui_static.ts";

const started = performance.now();
const config = loadConfig(Deno.env.toObject());
const platform = await startPlatform(config);
const running: { server?: Deno.HttpServer } = {};
let demo: Emulator | undefined;
// Installed as soon as there is something to stop, so a signal during the rest of start-up
// still shuts down cleanly (finish batches, commit, close).
exitOnSignals(async () => {
  await demo?.stop();
  await running.server?.shutdown();
  await platform.stop();
});
await ensureAdminUser(config, platform.users);
const broker = platform.broker;
const app = createApp(apiDeps(config, { ...platform, readiness: platform.readiness }));
// The dashboard comes with the API role; the other roles serve only health and metrics.
const ui = config.roles.includes("api") ? await loadUi() : () => undefined;

running.server = Deno.serve(
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
      : ui(request) ?? app.fetch(request, info),
);

if (Deno.args.includes("--demo")) {
  if (!broker) console.error("--demo needs the gateway role: no emulated devices started");
  else {
    const host = ["0.0.0.0", "::"].includes(config.mqtt.host) ? "127.0.0.1" : config.mqtt.host;
    demo = await startDemo({
      log: platform.log,
      readModels: platform.readModels,
      deviceTopic: platform.topics.device,
      brokerUrl: `mqtt://${host.includes(":") ? `[${host}]` : host}:${broker.mqttPort}`,
    }).catch((error) => {
      console.error(
        `--demo: cannot start the emulated devices: ${error instanceof Error ? error.message : error}`,
      );
      return undefined;
    });
    if (demo) console.error(`demo: ${demo.stats().devices} emulated devices (demo-*) sending 1 msg/s each`);
  }
}
