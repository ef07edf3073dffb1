/**
 * The production topology of the fault suite, split by role as compose runs it, on the real
 * engines: devices → a Mosquitto of the suite's own (the shipped config, dynamic security) → one
 * `gateway` process (the ingest replica, persistent session) → Kafka → one
 * `timeseries,readmodels` projector process (time series in its SQLite file, read models in
 * PostgreSQL) and one `api` process (registration, `/dlq`).
 *
 * Every link the suite breaks goes through a TCP proxy it can cut: gateway → Mosquitto, every
 * client → Kafka (a private broker that advertises the proxy, see private_kafka.ts), every
 * process → PostgreSQL (the shared server, a fresh database). The shared engines are never stopped.
 * The probes read the stores directly (PostgreSQL without the proxy), so they work during a cut.
 */
import { DatabaseSync } from "node:sqlite";
import { Kafka, logLevel } from "kafkajs";
import postgres from "postgres";
import { startTcpProxy, type TcpProxy } from "../dev/tcp_proxy.ts";
import { ADMIN, type Mosquitto, startMosquitto } from "../mqtt_external/_mosquitto.ts";
import { connectDynsecProvisioner } from "../mqtt_external/dynsec_provisioner.ts";
import type { LoadDevice } from "./device_load.ts";
import { type PrivateKafka, startPrivateKafka } from "./private_kafka.ts";
import { type RoleProcess, roleProcess } from "./role_process.ts";
import { createScratchDatabase } from "../postgres/scratch_database.ts";

const INGEST = { username: "aiot-ingest", password: "faults-ingest-secret" };
const PASSWORD = "faults-admin-password";

export interface SplitTopology {
  kafka: PrivateKafka;
  postgresLink: TcpProxy;
  /** The gateway's connection to Mosquitto (devices connect directly). */
  brokerLink: TcpProxy;
  broker: Mosquitto;
  gateway: RoleProcess;
  projectors: RoleProcess;
  api: RoleProcess;
  devices: LoadDevice[];
  telemetryTopic: string;
  /** Bearer headers of the admin user, for the API. */
  headers: Record<string, string>;
  probe: StoreProbe;
  close(): Promise<void>;
}

export interface StoreProbe {
  /** Stored `seq` points (device id → the `t` of each), from the projector's SQLite time series. */
  seqPoints(): Map<string, number[]>;
  /** Stored `seq` points with `t < before`. */
  seqPointsBefore(before: number): number;
  /** Sum of the daily rollup counts of `seq` (each stored point must be counted once). */
  seqRollupCount(): number;
  /** `device_metrics.count` of `seq` per device (PostgreSQL read model). */
  deviceMetricCounts(): Promise<Map<string, number>>;
  /** Per device, the `seq` values of every telemetry event in the log (a value twice = a duplicate). */
  logSeqs(): Promise<Map<string, number[]>>;
}

export async function startSplitTopology(
  postgresUrl: string,
  options: { devices: number; progress: (line: string) => void },
): Promise<SplitTopology> {
  const run = `aiot_faults_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
  const prefix = `${run}.`;
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((e) => options.progress(`cleanup: ${e}`));
    closers.length = 0;
  };
  try {
    const scratch = await createScratchDatabase(postgresUrl, run);
    closers.push(() => scratch.drop());
    const direct = new URL(scratch.url);
    const postgresLink = startTcpProxy({ hostname: direct.hostname, port: Number(direct.port) });
    closers.push(() => Promise.resolve(postgresLink.close()));
    const proxied = new URL(direct);
    proxied.port = String(postgresLink.port);

    const kafka = await startPrivateKafka();
    closers.push(() => kafka.stop());
    options.progress(`private Kafka ready at ${kafka.brokers}`);

    const broker = await startMosquitto();
    closers.push(() => broker.stop());
    const brokerLink = startTcpProxy({ hostname: "127.0.0.1", port: broker.port });
    closers.push(() => Promise.resolve(brokerLink.close()));
    const provisioner = await connectDynsecProvisioner(broker.url, ADMIN);
    closers.push(() => provisioner.close());
    await provisioner.ensureRoles({ ingest: INGEST });

    const common = {
      AIOT_KAFKA_BROKERS: kafka.brokers,
      AIOT_TOPIC_PREFIX: prefix,
      AIOT_POSTGRES_URL: proxied.href,
      AIOT_ADMIN_PASSWORD: PASSWORD,
    };
    const projectors = await roleProcess("projectors", { ...common, AIOT_ROLES: "timeseries,readmodels" });
    const api = await roleProcess("api", { ...common, AIOT_ROLES: "api" });
    const gateway = await roleProcess("gateway", {
      ...common,
      AIOT_ROLES: "gateway",
      AIOT_MQTT_URL: `mqtt://${INGEST.username}:${INGEST.password}@127.0.0.1:${brokerLink.port}`,
      // Stable across restarts: the persistent session, and what waits in it, belongs to this id.
      AIOT_MQTT_CLIENT_ID: `${run}-gw`,
    });
    const roles = [projectors, api, gateway];
    for (const role of roles) {
      closers.push(async () => {
        await role.stop();
        await Deno.remove(role.dataDir, { recursive: true });
        await Deno.remove(role.logFile).catch(() => {}); // absent when it never started
      });
    }
    for (const role of roles) {
      await role.start();
      options.progress(`${role.name} ready (pid ${role.pid}, stderr in ${role.logFile})`);
    }

    const login = await fetch(`${api.base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    }).then((r) => r.json());
    const headers = { authorization: `Bearer ${login.token}`, "content-type": "application/json" };
    const devices: LoadDevice[] = [];
    for (let d = 0; d < options.devices; d += 10) {
      const ids = Array.from({ length: Math.min(10, options.devices - d) }, (_, i) => `fault-dev-${d + i}`);
      devices.push(
        ...await Promise.all(ids.map(async (id) => {
          const response = await fetch(`${api.base}/api/v1/devices`, {
            method: "POST",
            headers,
            body: JSON.stringify({ id }),
          });
          const body = await response.json();
          if (!response.ok) throw new Error(`register ${id}: ${response.status} ${JSON.stringify(body)}`);
          await provisioner.provisionDevice(id, body.token);
          return { id, token: body.token as string };
        })),
      );
    }
    options.progress(`${devices.length} devices registered and provisioned in Mosquitto`);

    const probe = storeProbe({
      timeseriesFile: `${projectors.dataDir}/timeseries.db`,
      postgresUrl: direct.href,
      kafkaBrokers: kafka.brokers,
      telemetryTopic: `${prefix}telemetry`,
    });
    return {
      kafka,
      postgresLink,
      brokerLink,
      broker,
      gateway,
      projectors,
      api,
      devices,
      telemetryTopic: `${prefix}telemetry`,
      headers,
      probe,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function storeProbe(
  where: { timeseriesFile: string; postgresUrl: string; kafkaBrokers: string; telemetryTopic: string },
): StoreProbe {
  // Opened per query: the projector process is killed and restarted under it.
  const withTimeseries = <T>(read: (db: DatabaseSync) => T): T => {
    const db = new DatabaseSync(where.timeseriesFile, { readOnly: true });
    try {
      db.exec("PRAGMA busy_timeout = 10000");
      return read(db);
    } finally {
      db.close();
    }
  };
  const SEQ_POINTS = "FROM ts_series s JOIN ts_points p ON p.series = s.id WHERE s.metric = 'seq'";
  return {
    seqPoints: () =>
      withTimeseries((db) => {
        const points = new Map<string, number[]>();
        for (const row of db.prepare(`SELECT s.device_id AS d, p.t AS t ${SEQ_POINTS}`).all()) {
          const { d, t } = row as { d: string; t: number };
          const list = points.get(d) ?? points.set(d, []).get(d)!;
          list.push(Number(t));
        }
        return points;
      }),
    seqPointsBefore: (before) =>
      withTimeseries((db) =>
        Number((db.prepare(`SELECT count(*) AS n ${SEQ_POINTS} AND p.t < ?`).get(before) as { n: number }).n)
      ),
    seqRollupCount: () =>
      withTimeseries((db) =>
        Number(
          (db.prepare(
            "SELECT coalesce(sum(r.count), 0) AS n FROM ts_series s JOIN ts_rollups r ON r.series = s.id " +
              "WHERE s.metric = 'seq' AND r.level = (SELECT max(level) FROM ts_rollups)",
          ).get() as { n: number }).n,
        )
      ),
    async deviceMetricCounts() {
      const sql = postgres(where.postgresUrl, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql`SELECT device_id, count FROM device_metrics WHERE metric = 'seq'`;
        return new Map(rows.map((row) => [String(row.device_id), Number(row.count)]));
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
    logSeqs: () => readLogSeqs(where.kafkaBrokers, where.telemetryTopic),
  };
}

/** Reads the telemetry topic from the start to its end offsets with a throw-away consumer group. */
async function readLogSeqs(brokers: string, topic: string): Promise<Map<string, number[]>> {
  const kafka = new Kafka({ brokers: [brokers], clientId: "aiot-faults-reader", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]),
  );
  await admin.disconnect();
  const seqs = new Map<string, number[]>();
  const remaining = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  if (remaining.size === 0) return seqs;
  const consumer = kafka.consumer({ groupId: `aiot-faults-reader-${crypto.randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const event = JSON.parse(new TextDecoder().decode(message.value!)) as {
          key: string;
          data: { values: { name: string; value: unknown }[] };
        };
        for (const value of event.data.values) {
          if (value.name !== "seq") continue;
          (seqs.get(event.key) ?? seqs.set(event.key, []).get(event.key)!).push(Number(value.value));
        }
        if (Number(message.offset) + 1 >= ends.get(batch.partition)!) remaining.delete(batch.partition);
      }
      if (remaining.size === 0) done();
      await Promise.resolve();
    },
  });
  const timeout = setTimeout(() => done(), 120_000);
  await finished;
  clearTimeout(timeout);
  await consumer.disconnect();
  if (remaining.size > 0) throw new Error(`the telemetry topic was not read to its end within 120 s`);
  return seqs;
}
