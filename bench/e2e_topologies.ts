/**
 * What the `e2e` bench runs on, per mode.
 * - Embedded: the all-in-one process with its default engines; the bench reads its SQLite files.
 * - Real engines: a Mosquitto of the run's own (dynamic security: an ingest service account and
 *   one account per device, provisioned like external_gateway_test), Kafka as the log under a
 *   fresh topic prefix, PostgreSQL read models and MongoDB (FerretDB here) time series in fresh
 *   databases. The platform runs split by role, as compose does: `gateway` processes (one ingest
 *   replica each, in one share group) and one `timeseries,readmodels,api` process. Everything
 *   the run created is dropped by `close()`.
 */
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { ADMIN, startMosquitto } from "../infra/mqtt_external/_mosquitto.ts";
import { connectDynsecProvisioner } from "../infra/mqtt_external/dynsec_provisioner.ts";
import type { Device } from "./e2e_load.ts";
import { embeddedStores, realStores, type StoreProbe } from "./e2e_stores.ts";
import { type PlatformChild, startPlatform } from "./platform_child.ts";
import { findPid, localEngines, type Tracked } from "./proc_stats.ts";
import { createScratchDatabase } from "../infra/postgres/scratch_database.ts";

export interface RealEngines {
  kafkaBrokers: string;
  postgresUrl: string;
  mongoUrl: string;
}

/** What a bench mode runs on; `e2e.ts` drives it the same way for every mode. */
export interface Topology {
  mode: string;
  /** Where the devices connect. */
  brokerUrl: string;
  devices: Device[];
  /** Processes whose `/metrics` count appended telemetry (`aiot_log_appended_events_total`). */
  gateways: PlatformChild[];
  /** The process whose `/metrics` has the projectors' `aiot_event_age_seconds`. */
  projectors: PlatformChild;
  telemetryTopic: string;
  stores: StoreProbe;
  processes: Tracked[];
  close(): Promise<void>;
}

const INGEST = { username: "aiot-ingest", password: "bench-ingest-secret" };

/** The engines' URLs from `AIOT_TEST_*` (infra/local/engines.sh env), or what is missing. */
export function realEnginesFromEnv(): RealEngines | string {
  const env = (name: string) => Deno.env.get(`AIOT_BENCH_${name}`) ?? Deno.env.get(`AIOT_TEST_${name}`);
  const [kafkaBrokers, postgresUrl, mongoUrl] = [env("KAFKA_BROKERS"), env("POSTGRES_URL"), env("MONGO_URL")];
  if (kafkaBrokers && postgresUrl && mongoUrl) return { kafkaBrokers, postgresUrl, mongoUrl };
  const missing = [
    kafkaBrokers ? "" : "AIOT_TEST_KAFKA_BROKERS",
    postgresUrl ? "" : "AIOT_TEST_POSTGRES_URL",
    mongoUrl ? "" : "AIOT_TEST_MONGO_URL",
  ];
  return missing.filter(Boolean).join(", ");
}

const withPath = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

/** Registers devices through the API, 10 at a time; `provision` sees each token. */
export async function registerDevices(
  api: PlatformChild,
  ids: string[],
  provision: (device: Device) => Promise<void> = () => Promise.resolve(),
): Promise<Device[]> {
  const devices: Device[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    devices.push(
      ...await Promise.all(
        ids.slice(i, i + 10).map(async (id) => {
          const device = { id, token: await api.register(id) };
          await provision(device);
          return device;
        }),
      ),
    );
  }
  return devices;
}

export async function embeddedTopology(devices: number, progress: (line: string) => void): Promise<Topology> {
  const platform = await startPlatform();
  try {
    const started = performance.now();
    const ids = Array.from({ length: devices }, (_, d) => `e2e-${d}`);
    const registered = await registerDevices(platform, ids);
    progress(
      `  e2e embedded: ${devices} devices registered in ${Math.round(performance.now() - started)} ms`,
    );
    const stores = embeddedStores(platform.dataDir, "aiot.telemetry");
    return {
      mode: "embedded: all-in-one (aedes, SQLite)",
      brokerUrl: `mqtt://127.0.0.1:${platform.mqttPort}`,
      devices: registered,
      gateways: [platform],
      projectors: platform,
      telemetryTopic: "aiot.telemetry",
      stores,
      processes: [
        { label: "all-in-one", pid: platform.pid, own: true, threads: true },
        { label: "bench (devices, probes)", pid: Deno.pid },
      ],
      close: async () => {
        await stores.close();
        await platform.stop();
      },
    };
  } catch (error) {
    await platform.stop();
    throw error;
  }
}

export async function startRealTopology(
  engines: RealEngines,
  options: {
    devices: number;
    gateways: number;
    progress: (line: string) => void;
    /** Where the time series go: MongoDB (FerretDB here, the default) or the projectors' SQLite file. */
    timeseries?: "mongo" | "sqlite";
  },
): Promise<Topology> {
  const inMongo = (options.timeseries ?? "mongo") === "mongo";
  const run = `aiot_e2e_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
  const prefix = `${run}.`;
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((e) => options.progress(`  e2e cleanup: ${e}`));
  };
  try {
    const scratch = await createScratchDatabase(engines.postgresUrl, run);
    closers.push(() => scratch.drop());
    const mongoUrl = withPath(engines.mongoUrl, run);
    closers.push(async () => {
      const mongo = new MongoClient(engines.mongoUrl);
      await mongo.db(run).dropDatabase().finally(() => mongo.close());
    });
    closers.push(() => deleteTopics(engines.kafkaBrokers, prefix));

    const broker = await startMosquitto();
    closers.push(() => broker.stop());
    const provisioner = await connectDynsecProvisioner(broker.url, ADMIN);
    closers.push(() => provisioner.close());
    await provisioner.ensureRoles({ ingest: INGEST });

    const postgresUrl = withPath(engines.postgresUrl, run);
    const common = {
      AIOT_KAFKA_BROKERS: engines.kafkaBrokers,
      AIOT_TOPIC_PREFIX: prefix,
      AIOT_POSTGRES_URL: postgresUrl,
      ...(inMongo ? { AIOT_MONGO_URL: mongoUrl } : {}),
    };
    const projectors = await startPlatform({ ...common, AIOT_ROLES: "timeseries,readmodels,api" });
    closers.push(() => projectors.stop());
    const gateways: PlatformChild[] = [];
    for (let i = 0; i < options.gateways; i++) {
      const gateway = await startPlatform({
        ...common,
        AIOT_ROLES: "gateway",
        AIOT_MQTT_URL: `mqtt://${INGEST.username}:${INGEST.password}@127.0.0.1:${broker.port}`,
        AIOT_MQTT_CLIENT_ID: `${run}-gw${i}`,
      });
      closers.push(() => gateway.stop());
      gateways.push(gateway);
    }

    const started = performance.now();
    const ids = Array.from({ length: options.devices }, (_, d) => `e2e-${d}`);
    const devices = await registerDevices(
      projectors,
      ids,
      ({ id, token }) => provisioner.provisionDevice(id, token),
    );
    options.progress(
      `  e2e real engines: ${devices.length} devices registered + provisioned in Mosquitto in ${
        Math.round(performance.now() - started)
      } ms`,
    );

    const telemetryTopic = `${prefix}telemetry`;
    const stores = realStores(
      postgresUrl,
      inMongo ? { mongoUrl } : { dataDir: projectors.dataDir },
      telemetryTopic,
    );
    closers.push(() => stores.close());
    const mosquittoPid = findPid(`${broker.dir}/mosquitto.conf`);
    return {
      mode: `real: Mosquitto, ${options.gateways} gateway process(es), Kafka, PostgreSQL, ${
        inMongo ? "FerretDB" : "time series in SQLite"
      }`,
      brokerUrl: broker.url,
      devices,
      gateways,
      projectors,
      telemetryTopic,
      stores,
      processes: [
        ...gateways.map((g, i) => ({
          label: `gateway ${i + 1} (AIOT_ROLES=gateway)`,
          pid: g.pid,
          own: true,
        })),
        { label: "projectors + API (AIOT_ROLES=timeseries,readmodels,api)", pid: projectors.pid, own: true },
        ...(mosquittoPid ? [{ label: "Mosquitto", pid: mosquittoPid, own: true }] : []),
        ...localEngines(),
        { label: "bench (devices, probes)", pid: Deno.pid },
      ],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function deleteTopics(brokers: string, prefix: string): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(","), clientId: "aiot-bench", logLevel: logLevel.NOTHING })
    .admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
