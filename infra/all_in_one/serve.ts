/**
 * Serves the platform from configuration: the processes' parts for its roles, one HTTP server for
 * the API, the dashboard and MQTT over WebSocket, and a clean shutdown on SIGINT/SIGTERM.
 * `infra/all_in_one/main.ts` serves every role; `api/main.ts` serves the `api` role alone.
 */
import { createApp } from "../../api/app.ts";
import { clientAddressResolver } from "../../api/auth/client_address.ts";
import { type AiotConfig, loadConfig, type Role, ROLES } from "../config/config.ts";
import { serviceNameFor, startTracing, type Tracing } from "../otel/mod.ts";
import type { Logger } from "../../core/logging/mod.ts";
import {
  configSecrets,
  createLogger,
  logProcessWarnings,
  type LogSettings,
  logSettingsFromEnv,
} from "../logging/mod.ts";
import { type Emulator, startDemo } from "../emulator/mod.ts";
import { exitOnSignals } from "../lifecycle/shutdown.ts";
import { apiDeps, ensureAdminUser } from "./api_wiring.ts";
import { startPlatform } from "./platform.ts";
import { loadUi } from "./ui_static.ts";

export interface ServePlatformOptions {
  /** The `AIOT_*` variables to configure from. Default: the process's environment. */
  env?: Record<string, string | undefined>;
  /** What this process runs, instead of `AIOT_ROLES`. Default: `AIOT_ROLES`, or every role. */
  roles?: Role[];
  /** Also start a few emulated devices on the process's own broker. Default: false. */
  demo?: boolean;
}

/**
 * Starts the platform and its server; resolves once it serves. Signals stop it and exit the process;
 * so does a failure to start (exit 1), logged as one line like every other (`AIOT_LOG_FORMAT`).
 */
export async function servePlatform(options: ServePlatformOptions = {}): Promise<void> {
  const started = performance.now();
  const env = options.env ?? Deno.env.toObject();
  const stderrIsTerminal = Deno.stderr.isTerminal();
  // Until the settings are read: what they default to.
  let logger = createLogger({ format: stderrIsTerminal ? "text" : "json" });
  try {
    const logging = logSettingsFromEnv(env, { stderrIsTerminal });
    const loaded = loadConfig(env);
    const config = options.roles ? { ...loaded, roles: options.roles } : loaded;
    logger = createLogger({ ...logging, secrets: configSecrets(config) });
    logProcessWarnings(logger.child("node"));
    // Spans only with OTEL_EXPORTER_OTLP_ENDPOINT set; otherwise the no-op API, at no cost.
    const tracing = startTracing({ env, serviceName: serviceNameFor(config.roles, ROLES) });
    await serve(config, { logging, logger, started, demo: options.demo ?? false, tracing });
  } catch (error) {
    logger.error("AIOT cannot start", { error });
    Deno.exit(1);
  }
}

async function serve(
  config: AiotConfig,
  { logging, logger, started, demo: withDemo, tracing }: {
    logging: LogSettings;
    logger: Logger;
    started: number;
    demo: boolean;
    tracing: Tracing | undefined;
  },
): Promise<void> {
  const platform = await startPlatform(config, { logging, logger });
  const running: { server?: Deno.HttpServer } = {};
  let demo: Emulator | undefined;
  // Installed as soon as there is something to stop, so a signal during the rest of start-up
  // still shuts down cleanly (finish batches, commit, close).
  exitOnSignals(async () => {
    await demo?.stop();
    await running.server?.shutdown();
    await platform.stop();
    await tracing?.shutdown(); // exports the spans still buffered
  }, { log: (line) => logger.child("server").info(line) });
  // Only the API bootstraps `admin` (it alone has AIOT_ADMIN_PASSWORD): a projector that reached
  // the user store first would create it with a random password printed in its own log.
  if (config.roles.includes("api")) await ensureAdminUser(config, platform.users, logger);
  const broker = platform.broker;
  // MQTT over WebSocket behind nginx: the connection caps and login throttles count the client,
  // not the proxy (the same rule as the API's login limiter, `AIOT_TRUST_PROXY`).
  const clientOf = clientAddressResolver(config.security.trustProxy);
  const behindProxy = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => ({
    remoteAddr: {
      ...info.remoteAddr,
      hostname: clientOf(info.remoteAddr.hostname, request.headers.get("x-forwarded-for") ?? undefined),
    },
  });
  const app = createApp(apiDeps(config, { ...platform, readiness: platform.readiness }));
  // The dashboard comes with the API role; the other roles serve only health and metrics.
  const ui = config.roles.includes("api") ? await loadUi() : () => undefined;

  running.server = Deno.serve(
    {
      hostname: config.http.host,
      port: config.http.port,
      onListen: ({ hostname, port }) => {
        const { engines } = platform;
        logger.child("server").info(
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
        ? broker.handleWebSocket(request, behindProxy(request, info))
        : ui(request) ?? app.fetch(request, info),
  );

  if (withDemo) {
    const demoLogger = logger.child("demo");
    if (!broker) demoLogger.warn("--demo needs the gateway role: no emulated devices started");
    else {
      const host = ["0.0.0.0", "::"].includes(config.mqtt.host) ? "127.0.0.1" : config.mqtt.host;
      demo = await startDemo({
        log: platform.log,
        readModels: platform.readModels,
        deviceTopic: platform.topics.device,
        alertTopic: platform.topics.alert,
        ...(platform.firmware
          ? { firmware: { store: platform.firmware.store, otaTopic: platform.topics.ota } }
          : {}),
        brokerUrl: `mqtt://${host.includes(":") ? `[${host}]` : host}:${broker.mqttPort}`,
        logger: demoLogger,
      }).catch((error) => {
        demoLogger.error("cannot start the emulated devices", { error });
        return undefined;
      });
      if (demo) demoLogger.info(`${demo.stats().devices} emulated devices (demo-*) sending 1 msg/s each`);
    }
  }
}
