/**
 * The compose topology run natively: this test reads compose.yaml, and starts exactly its AIOT
 * services (each its own `deno` process with the service's command, permissions included, and
 * its environment) against the local engines (Kafka, PostgreSQL, FerretDB from `engines.sh`), a
 * Mosquitto of its own with the shipped config (dynamic security, the WebSocket listener), and
 * the shipped nginx with the nginx service's settings in front. Then the device → API → SSE →
 * command flow runs through nginx, the device on MQTT over WSS. A change to compose.yaml that
 * breaks the topology (a missing role, a permission too narrow, a wrong variable) breaks this.
 *
 * What differs from compose, and why: host names become the local engines' addresses and the
 * container paths local folders (the map below); each run gets its own topic prefix and
 * PostgreSQL and Mongo databases, so it shares the engines with other tests without collisions;
 * FerretDB is no replica set, so `replicaSet=` is dropped from the Mongo URL. Like compose's
 * `restart: unless-stopped`, a service that exits while starting is started again (each such
 * exit is printed: fresh topics can make the first consumer fail with "not the leader"); once
 * all are ready, any exit fails the test.
 */
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { createCertificateAuthority, issueServerCertificate } from "../certs/mod.ts";
import { type RoleProcess, roleProcess } from "../faults/role_process.ts";
import { ADMIN, type Mosquitto, startMosquitto } from "../mqtt_external/_mosquitto.ts";
import { testPostgresUrl } from "../postgres/_test_postgres.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { aiotServices, type ComposeService, environmentOf, loadCompose, REPO_ROOT } from "./_compose.ts";
import { adminHeaders, deviceFlowThroughEdge, edgeFetch } from "./_edge_flow.ts";
import { startNginx, type TestNginx } from "./nginx/_test_nginx.ts";
import { settingsFromEnv } from "./nginx/render.ts";
import { createScratchDatabase } from "../postgres/scratch_database.ts";

const SECRETS = {
  AIOT_ADMIN_PASSWORD: "topology-admin-password",
  AIOT_MQTT_ADMIN_USERNAME: ADMIN.username,
  AIOT_MQTT_ADMIN_PASSWORD: ADMIN.password,
  AIOT_MQTT_INGEST_PASSWORD: "topology-ingest-password",
  AIOT_POSTGRES_PASSWORD: new URL(testPostgresUrl).password,
};

const kafkaBrokers = Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092";
/** The DNS server of this machine, standing in for Docker's (127.0.0.11:53). */
const nameserver = /^nameserver\s+(\S+)/m.exec(await Deno.readTextFile("/etc/resolv.conf").catch(() => ""))
  ?.[1];
const mongoUrl = new URL(Deno.env.get("AIOT_TEST_MONGO_URL") ?? "mongodb://127.0.0.1:17017/");
const postgresUrl = new URL(testPostgresUrl);

/** The image's build step: the dashboard bundle, so the api service (no write access) never builds it. */
async function buildUi(): Promise<void> {
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["task", "ui:build"],
    cwd: REPO_ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!built.success) throw new Error(`deno task ui:build failed: ${new TextDecoder().decode(built.stderr)}`);
}

/** Whether a UI source is newer than the bundle (what makes the api service want to rebuild it). */
async function uiStale(): Promise<boolean> {
  const built = await Deno.stat(`${REPO_ROOT}/ui/dist/index.html`).then((s) => s.mtime, () => null);
  if (!built) return true;
  const newer = async (path: string): Promise<boolean> => {
    const info = await Deno.stat(path).catch(() => undefined);
    if (!info) return false;
    if (info.isFile) return (info.mtime ?? built) > built;
    for await (const entry of Deno.readDir(path)) if (await newer(`${path}/${entry.name}`)) return true;
    return false;
  };
  for (const path of ["src", "app.css", "index.html"]) {
    if (await newer(`${REPO_ROOT}/ui/${path}`)) return true;
  }
  return false;
}

/**
 * Keeps the bundle built until `done` resolves. The image has it built once; in a working tree
 * its sources may change while the services start, and the api service (read-only code) then exits
 * instead of serving a stale bundle.
 */
async function keepUiBuilt(done: Promise<unknown>): Promise<void> {
  let finished = false;
  done.finally(() => (finished = true)).catch(() => {});
  while (!finished) {
    if (await uiStale()) await buildUi();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Rewrites compose's places in `text` with the local ones, in one pass (longest names first). */
function mapPlaces(text: string, places: Map<string, string>): string {
  const names = [...places.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "g");
  return text.replace(pattern, (name) => places.get(name)!);
}

/** The service's environment for a native run: places mapped, this run's isolation added. */
function nativeEnv(
  service: ComposeService,
  places: Map<string, string>,
  run: string,
): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(environmentOf(service)).map(([k, v]) => [k, mapPlaces(v, places)]),
  );
  if (env.AIOT_MONGO_URL) {
    const url = new URL(env.AIOT_MONGO_URL);
    url.searchParams.delete("replicaSet");
    url.pathname = `/${run}`;
    env.AIOT_MONGO_URL = url.href;
  }
  if (env.AIOT_POSTGRES_URL) {
    const url = new URL(env.AIOT_POSTGRES_URL);
    url.pathname = `/${run}`;
    env.AIOT_POSTGRES_URL = url.href;
  }
  return { ...env, AIOT_TOPIC_PREFIX: `${run}.` };
}

Deno.test({
  name:
    "compose topology, run natively: every AIOT service of compose.yaml, nginx in front, device to command",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const compose = await loadCompose(SECRETS);
    const services = aiotServices(compose);
    assert.ok(services.length >= 4, "compose.yaml has the AIOT services");
    const run = `aiot_topology_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
    const closers: (() => Promise<unknown>)[] = [];
    const processes: RoleProcess[] = [];
    let broker: Mosquitto | undefined;
    let nginx: TestNginx | undefined;
    try {
      const scratch = await createScratchDatabase(testPostgresUrl, run);
      closers.push(() => scratch.drop());
      closers.push(async () => {
        const mongo = new MongoClient(mongoUrl.href, { serverSelectionTimeoutMS: 5_000 });
        try {
          await mongo.db(run).dropDatabase();
        } finally {
          await mongo.close();
        }
      });
      closers.push(async () => {
        const admin = new Kafka({ brokers: kafkaBrokers.split(","), logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        try {
          const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${run}.`));
          if (topics.length) await admin.deleteTopics({ topics });
        } finally {
          await admin.disconnect();
        }
      });
      broker = await startMosquitto({ websockets: true });
      const started = broker;
      closers.push(() => started.stop());
      const certs = await Deno.makeTempDir({ prefix: "aiot-topology-certs-" });
      closers.push(() => Deno.remove(certs, { recursive: true }));
      await createCertificateAuthority(certs);
      await issueServerCertificate(certs, { hosts: ["localhost"], ips: ["127.0.0.1"] });

      const nginxService = compose.services.nginx;
      assert.ok(nginxService, "compose.yaml has the nginx service");
      const nginxNetworks = nginxService.networks;
      const nginxAddress = nginxNetworks && !Array.isArray(nginxNetworks)
        ? Object.values(nginxNetworks).find((n) => n?.ipv4_address)?.ipv4_address
        : undefined;
      const places = new Map<string, string>([
        ["kafka:9092", kafkaBrokers],
        ["mongo:27017", mongoUrl.host],
        ["postgres:5432", postgresUrl.host],
        ["mosquitto:1883", `127.0.0.1:${broker.port}`],
        ["mosquitto:9001", `127.0.0.1:${broker.websocketPort}`],
        ["127.0.0.11:53", `${nameserver?.includes(":") ? `[${nameserver}]` : nameserver ?? "127.0.0.53"}:53`],
        ["/app", REPO_ROOT],
        // nginx reaches the API from loopback here.
        ...(nginxAddress ? [[nginxAddress, "127.0.0.1"] as [string, string]] : []),
      ]);

      // Every AIOT service at once, as compose starts them once the engines are healthy.
      await buildUi();
      const startup = Promise.all(services.map(async ([name, service]) => {
        const command = service.command ?? [];
        assert.equal(command[0], "deno", `${name}: the command runs deno`);
        const process = await roleProcess(name, nativeEnv(service, places, run), {
          cwd: REPO_ROOT,
          readyTimeoutMs: 60_000,
          denoArgs: ({ dataDir, port }) =>
            command.slice(1).map((arg) =>
              mapPlaces(arg, new Map([...places, ["0.0.0.0:8080", `127.0.0.1:${port}`], ["/data", dataDir]]))
            ),
        });
        processes.push(process);
        await process.start();
      }));
      await Promise.all([startup, keepUiBuilt(startup)]);
      // compose's healthcheck: /readyz (engines answer, processors run and keep up).
      for (const process of processes) {
        await eventually(`${process.name} ready`, async () => {
          const response = await fetch(`${process.base}/readyz`).catch(() => undefined);
          await response?.body?.cancel();
          return response?.ok;
        }, { timeoutMs: 30_000, intervalMs: 250 });
      }

      const startupExits = processes.map((p) => p.unexpectedExits.length);
      for (const p of processes) {
        if (p.unexpectedExits.length) {
          console.error(`note: ${p.name} exited ${p.unexpectedExits.length}× while starting:\n${p.output()}`);
        }
      }

      assert.ok(processes.some((p) => p.name === "api"), "compose.yaml has the api service");
      // nginx with the nginx service's settings; `api:8080` is the api process now.
      for (const p of processes) places.set(`${p.name}:8080`, p.base.replace("http://", ""));
      const settings = settingsFromEnv(
        Object.fromEntries(
          Object.entries(environmentOf(nginxService)).map(([k, v]) => [k, mapPlaces(v, places)]),
        ),
      );
      assert.ok(settings.API && settings.MQTT_WS, "the nginx service names the API and MQTT over WebSocket");
      nginx = await startNginx({
        ...settings,
        API: settings.API,
        MQTT_WS: settings.MQTT_WS,
        CERT: `${certs}/server.crt`,
        KEY: `${certs}/server.key`,
      });
      const caPem = await Deno.readTextFile(`${certs}/ca.crt`);
      const client = Deno.createHttpClient({ caCerts: [caPem] });
      closers.push(() => Promise.resolve(client.close()));

      const edge = { https: nginx.https, client, caPem };
      await deviceFlowThroughEdge(edge, {
        adminPassword: SECRETS.AIOT_ADMIN_PASSWORD,
        deviceId: "dev-topology",
        deviceMqttUrl: `wss://127.0.0.1:${nginx.httpsPort}/mqtt`,
        timeoutMs: 30_000,
      });

      // The api service resolves webhook host names (its SSRF guard) with the DNS server it may reach.
      // Whatever the verdict on the address (this machine's DNS answers documentation ranges), the
      // name must have resolved: "does not resolve" is what a missing permission looks like.
      const hook = await edgeFetch(edge, "/api/v1/webhooks", {
        method: "POST",
        headers: await adminHeaders(edge, SECRETS.AIOT_ADMIN_PASSWORD),
        body: JSON.stringify({
          url: "https://registry.npmjs.org/aiot-topology-hook",
          types: ["alert.raised"],
        }),
      });
      const hookBody = await hook.text();
      assert.ok(
        hook.status === 201 || /resolves to/.test(hookBody),
        `webhook host resolved: ${hook.status} ${hookBody}`,
      );

      // Only the API bootstrapped admin: no other service made one with a password of its own.
      for (const process of processes) {
        assert.doesNotMatch(process.output(), /Created user "admin"/, `${process.name} created no user`);
        assert.equal(
          process.unexpectedExits.length,
          startupExits[processes.indexOf(process)],
          `${process.name} never exited on its own once ready`,
        );
      }
    } catch (error) {
      for (const process of processes) console.error(`----- ${process.name}:\n${process.output()}`);
      if (nginx) console.error(`----- nginx:\n${await nginx.errorLog()}`);
      if (broker) console.error(`----- mosquitto:\n${broker.log().slice(-3000)}`);
      throw error;
    } finally {
      await nginx?.stop();
      await Promise.all(processes.map((p) => p.stop()));
      for (const process of processes) {
        await Deno.remove(process.dataDir, { recursive: true }).catch(() => {});
        await Deno.remove(process.logFile).catch(() => {});
      }
      for (const close of closers.reverse()) await close().catch((e) => console.error(`cleanup: ${e}`));
    }
  },
});
