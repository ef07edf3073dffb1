/**
 * The composition of the whole platform in one process: the event log, the projection stores and
 * the processors on the generic runner, from configuration. `main.ts` serves it; tests start it
 * in-process. Everything started here is stopped by `stop()` in reverse order.
 */
import { type TopicNames, topicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { RunningProcessor } from "../../core/processing/runner.ts";
import type { TimeSeriesStore } from "../../core/timeseries/time_series_store.ts";
import type { ReadinessCheck } from "../../api/deps.ts";
import type { BrokerAccounts } from "../../core/devices/broker_accounts.ts";
import type { DeviceIdClaims } from "../../core/devices/device_id_claims.ts";
import { createLiveHub, type LiveHub } from "../../api/live/live_hub.ts";
import { commandsProcessor } from "../../processors/commands/mod.ts";
import { gatewayControl } from "../../processors/gateway_control/mod.ts";
import { ingestUplink } from "../../processors/ingest/uplink.ts";
import { createMetricNameCap } from "../../processors/ingest/metric_name_cap.ts";
import type { AiotConfig, Role } from "../config/config.ts";
import { openEventLog } from "../event_log_from_config.ts";
import { instrument, type Instrumentation } from "./instrumentation.ts";
import { startProjectionThreads } from "./projection_thread.ts";
import { type HeapUsage, registerMemoryMetrics } from "./memory_metrics.ts";
import { runProjectors } from "./projectors.ts";
import { lagCheck, probe, processorsCheck } from "./readiness.ts";
import { runSupervised } from "./supervised.ts";
import { rebuildStaleReadModels } from "./stale_read_models.ts";
import { startNotify } from "./notify_role.ts";
import { startRules } from "./rules_role.ts";
import { startOta } from "./ota_role.ts";
import { startCamerasRole } from "./cameras_role.ts";
import { type Cameras, camerasFromEnv, type CameraSupervisor, openCameras } from "../cameras/mod.ts";
import { startRetentionSweeps } from "./retention_role.ts";
import { openWebhooks, type Webhooks } from "../webhooks/mod.ts";
import { type Firmware, openFirmware } from "../firmware/mod.ts";
import type { Logger } from "../../core/logging/mod.ts";
import { configSecrets, createLogger, type LogSettings } from "../logging/mod.ts";
import { createEmbeddedBroker, type EmbeddedBroker } from "../mqtt/mod.ts";
import {
  createExternalBrokerGateway,
  type ExternalBrokerGateway,
} from "../mqtt_external/external_gateway.ts";
import {
  openDeviceIdClaims,
  openProcessorStateStore,
  openReadModels,
  openTimeSeriesStore,
  openUserStore,
  storeEngines,
} from "../stores_from_config.ts";
import { openBrokerAccounts } from "../broker_accounts_from_config.ts";
import type { UserStore } from "../../core/users/user_store.ts";
import {
  getDevice,
  getDeviceState,
  listDeviceMetrics,
  listOpenCommands,
  type ReadModelStore,
} from "../../core/readmodels/mod.ts";

export interface Platform {
  config: AiotConfig;
  /** The process's logger (see infra/logging): every part logs through a child of it. */
  logger: Logger;
  topics: TopicNames;
  log: EventLog;
  engines: { log: string; timeseries: string; readModels: string };
  timeseries: TimeSeriesStore;
  readModels: ReadModelStore;
  users: UserStore;
  instrumentation: Instrumentation;
  /** The MQTT gateway, in processes with the `gateway` role. */
  broker?: EmbeddedBroker;
  /** The ingest replica of external broker mode (`AIOT_MQTT_URL`), instead of `broker`. */
  externalGateway?: ExternalBrokerGateway;
  /** External broker mode with an admin account: the broker's device accounts, for the registry. */
  brokerAccounts?: BrokerAccounts;
  /** The SSE hub, in processes with the `api` role. */
  live?: LiveHub;
  /** Leases on device ids being registered, in processes with the `api` role. */
  deviceIdClaims?: DeviceIdClaims;
  /** Webhook endpoints and deliveries, in processes with the `api` or `notify` role. */
  webhooks?: Webhooks;
  /** The firmware store and signed download URLs (`downloadUrlFor`), in processes with the `api` role. */
  firmware?: Firmware;
  /** Camera adapters (issue 19), in processes with the `api` or `cameras` role. */
  cameras?: Cameras;
  /** The camera supervisor, in processes with the `cameras` role. */
  cameraSupervisor?: CameraSupervisor;
  processors: RunningProcessor[];
  readiness(): Promise<ReadinessCheck[]>;
  stop(): Promise<void>;
}

/** MQTTS with device certificates when `certs/` under the data dir holds server and CA files. */
async function tlsFiles(
  config: AiotConfig,
): Promise<{ tls?: { port: number; key: string; cert: string; ca: string } }> {
  const dir = `${config.dataDir}/certs`;
  try {
    const [key, cert, ca] = await Promise.all(
      ["server.key", "server.crt", "ca.crt"].map((name) => Deno.readTextFile(`${dir}/${name}`)),
    );
    return { tls: { port: config.mqtt.tlsPort, key: key!, cert: cert!, ca: ca! } };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

/**
 * The MQTT gateway with the processors that act on device connections: `commands` (delivery,
 * expiry, desired state) and `gateway-control` (drops rotated and decommissioned devices).
 */
async function startGateway(
  config: AiotConfig,
  { log, topics, readModels, instrumentation, brokerAccounts }: {
    log: EventLog;
    topics: TopicNames;
    readModels: ReadModelStore;
    instrumentation: Instrumentation;
    brokerAccounts: BrokerAccounts | undefined;
  },
  processors: RunningProcessor[],
): Promise<EmbeddedBroker | ExternalBrokerGateway> {
  // Each device's metric names, for the per-device cap: loaded while the device authenticates
  // (embedded broker), else on its first uplink (see `MetricNameCap`).
  const metricNames = createMetricNameCap({
    knownMetrics: async (id) => (await listDeviceMetrics(readModels, id)).map((row) => row.metric),
  });
  const ingest = (uplink: Parameters<typeof ingestUplink>[0]) => {
    const result = ingestUplink(uplink, { metricNames });
    instrumentation.countIngest(result.ok);
    return result;
  };
  // External broker mode: devices connect to Mosquitto (infra/deploy/mosquitto), this process
  // is one ingest replica in the `aiot-ingest` share group; no embedded broker is started.
  const broker = config.mqtt.url
    ? await createExternalBrokerGateway({
      url: config.mqtt.url,
      log,
      topicPrefix: config.topicPrefix,
      ingest,
      clientId: config.mqtt.clientId,
      logger: instrumentation.logger.child("mqtt-external"),
      // Decommissioning also reaches the broker through gateway-control, so a device decommissioned
      // by a process without the admin account (a CLI without it) is still refused.
      ...(brokerAccounts ? { provisioner: brokerAccounts } : {}),
    })
    : await createEmbeddedBroker({
      log,
      logger: instrumentation.logger.child("mqtt"),
      topicPrefix: config.topicPrefix,
      directory: {
        // Primed only for devices that exist: failed logins must not churn the held devices.
        findDevice: async (id) => {
          const device = await getDevice(readModels, id);
          if (device) await metricNames.prime(id);
          return device;
        },
      },
      ingest,
      mqttPort: config.mqtt.port,
      host: config.mqtt.host,
      limits: config.mqtt.connectionCaps,
      ...(await tlsFiles(config)),
    });
  if ("connectedDevices" in broker) {
    const embedded = broker;
    instrumentation.metrics.gauge("aiot_connected_devices", "Devices with a live MQTT connection.", () => [
      { labels: {}, value: embedded.connectedDevices() },
    ]);
  }
  const commands = commandsProcessor({
    gateway: broker,
    topics,
    loadOpenCommands: async () =>
      (await listOpenCommands(readModels)).map((c) => ({
        id: c.id,
        deviceId: c.deviceId,
        name: c.name,
        expiresAt: c.expiresAt,
        dispatched: c.status === "dispatched",
        ...(c.params ? { params: c.params } : {}),
      })),
    desiredDelta: async (id) => (await getDeviceState(readModels, id))?.delta,
  });
  // Its health counts for readiness like any processor's; its lag (a group per instance) does not.
  const { onLag: _lag, ...gatewayControlHooks } = instrumentation.hooks;
  processors.push(
    runSupervised(commands, {
      log,
      hooks: instrumentation.hooks,
      logger: instrumentation.logger,
      dlqTopic: topics.dlq,
    }),
    // Each gateway instance controls its own connections: a group of its own, from "latest".
    runSupervised(gatewayControl(broker, topics.device, crypto.randomUUID().slice(0, 8)), {
      hooks: gatewayControlHooks,
      logger: instrumentation.logger,
      log,
      dlqTopic: topics.dlq,
      from: "latest",
    }),
  );
  return broker;
}

export interface StartPlatformOptions {
  /** How the process logs (`AIOT_LOG_FORMAT`, `AIOT_LOG_LEVEL`). Default JSON at `info`. */
  logging?: LogSettings;
  /** The process's logger. Default: one from `logging`, redacting the configuration's secrets. */
  logger?: Logger;
}

export async function startPlatform(
  config: AiotConfig,
  options: StartPlatformOptions = {},
): Promise<Platform> {
  const logging = options.logging ?? { format: "json", level: "info" };
  const logger = options.logger ?? createLogger({ ...logging, secrets: configSecrets(config) });
  const topics = topicNames(config.topicPrefix);
  const opened = await openEventLog(config, { logger });
  const engine = opened.engine;
  const instrumentation = instrument(opened.log, logger);
  const threadMemory = new Map<string, HeapUsage>();
  registerMemoryMetrics(instrumentation.metrics, threadMemory);
  const { log, hooks } = instrumentation;
  await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: config.partitions })));
  const timeseries = await openTimeSeriesStore(config);
  const readModels = await openReadModels(config);
  // Retention sweeps of the stores, in the processes that project into them.
  const retentionSweeps = startRetentionSweeps(config.retention, {
    timeseries: config.roles.includes("timeseries") ? timeseries : undefined,
    readModels: config.roles.includes("readmodels") ? readModels : undefined,
  }, { logger: instrumentation.logger.child("retention") });
  const users = await openUserStore(config);
  const engines = { log: engine, ...storeEngines(config) };

  const has = (role: Role) => config.roles.includes(role);
  // The registry (api role) provisions device accounts; the gateway ensures its own ingest account.
  const brokerAccounts = has("gateway") || has("api")
    ? await openBrokerAccounts(config, {
      ensureIngestAccount: has("gateway"),
      warn: (line) => logger.child("mqtt-accounts").warn(line),
    })
    : undefined;
  const processors: RunningProcessor[] = [];
  if (config.projectionThread && (has("timeseries") || has("readmodels"))) {
    processors.push(...startProjectionThreads(config, hooks, { logger, logging, memory: threadMemory }));
  } else {
    if (has("readmodels")) {
      const rebuildLog = logger.child("readmodels");
      await rebuildStaleReadModels({
        log,
        topics,
        store: readModels,
        progress: (line) => rebuildLog.info(line),
      });
    }
    processors.push(...runProjectors({
      log,
      topics,
      hooks,
      logger,
      ...(has("timeseries") ? { timeseries } : {}),
      ...(has("readmodels") ? { readModels } : {}),
    }));
  }
  const gateway = has("gateway")
    ? await startGateway(config, { log, topics, readModels, instrumentation, brokerAccounts }, processors)
    : undefined;
  const broker = gateway && "connectedDevices" in gateway ? gateway : undefined;
  const processorState = has("rules") || has("ota") ? await openProcessorStateStore(config) : undefined;
  if (processorState && has("rules")) {
    processors.push(startRules({ log, topics, state: processorState, instrumentation }));
  }
  const ota = processorState && has("ota")
    ? await startOta({
      log,
      topics,
      state: processorState,
      instrumentation,
      gateway,
      mqttUrl: config.mqtt.url,
      clientId: config.mqtt.clientId,
      downloadUrlFor: (await openFirmware(config)).downloadUrlFor,
    })
    : undefined;
  if (ota) processors.push(ota.processor);
  const webhooks = has("api") || has("notify") ? await openWebhooks(config) : undefined;
  if (webhooks && has("notify")) processors.push(startNotify({ log, topics, webhooks, instrumentation }));
  const externalGateway = gateway && !("connectedDevices" in gateway) ? gateway : undefined;
  await Promise.all(processors.map((p) => p.ready));
  const live = has("api")
    ? createLiveHub({ log, topics: Object.values(topics), ...config.sse, logger: logger.child("live") })
    : undefined;
  await live?.ready;
  const deviceIdClaims = has("api") ? await openDeviceIdClaims(config) : undefined;
  const firmware = has("api") ? await openFirmware(config) : undefined;
  const cameras = has("api") || has("cameras")
    ? await openCameras({
      dataDir: config.dataDir,
      secretKey: config.webhooks.secretKey,
      cameras: config.cameras ?? camerasFromEnv({}),
    })
    : undefined;
  const cameraLog = logger.child("cameras");
  const cameraSupervisor = cameras && has("cameras")
    ? startCamerasRole({
      log,
      topics,
      readModels,
      cameras,
      instrumentation,
      warn: (line) => cameraLog.warn(line),
    })
    : undefined;
  await cameraSupervisor?.ready;

  return {
    config,
    logger,
    topics,
    log,
    engines,
    timeseries,
    readModels,
    users,
    instrumentation,
    ...(broker ? { broker } : {}),
    ...(externalGateway ? { externalGateway } : {}),
    ...(brokerAccounts ? { brokerAccounts } : {}),
    ...(live ? { live } : {}),
    ...(deviceIdClaims ? { deviceIdClaims } : {}),
    ...(webhooks ? { webhooks } : {}),
    ...(firmware ? { firmware } : {}),
    ...(cameras ? { cameras } : {}),
    ...(cameraSupervisor ? { cameraSupervisor } : {}),
    processors,
    readiness: () =>
      Promise.all([
        probe(`log (${engines.log})`, () => log.endOffsets(topics.telemetry)),
        probe(`timeseries (${engines.timeseries})`, () => timeseries.latest("readiness-probe")),
        probe(`readmodels (${engines.readModels})`, () =>
          readModels.checkpoint("readiness-probe", topics.device, 0)),
        lagCheck(instrumentation.lagOf(), config.readyMaxLag),
        processorsCheck(instrumentation.healthOf()),
      ]),
    async stop() {
      await cameraSupervisor?.stop();
      await cameras?.close();
      await live?.stop();
      await gateway?.close();
      await Promise.all(processors.map((p) => p.stop()));
      await retentionSweeps?.stop();
      await ota?.close();
      await brokerAccounts?.close();
      await Promise.all([
        timeseries.close(),
        readModels.close(),
        users.close(),
        deviceIdClaims?.close(),
        webhooks?.close(),
        processorState?.close(),
      ]);
      await log.close();
    },
  };
}
