/**
 * What the shipped `infra/deploy/mosquitto/mosquitto.conf` (with the accounts the provisioner
 * makes) guarantees, against a real Mosquitto 2.0 started by the test: client ids bound to
 * accounts, the packet size limit, devices that cannot queue their own uplinks for themselves,
 * bursts for the ingest session that are never dropped, and acknowledged uplinks that survive a
 * broker crash. npm:mqtt clients play the devices and a bare ingest session.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { issueDeviceCertificate } from "../certs/mod.ts";
import { ADMIN, type Mosquitto, startMosquitto } from "./_mosquitto.ts";
import { connectDynsecProvisioner } from "./dynsec_provisioner.ts";
import { eventually } from "../../core/testing/eventually.ts";

const TOKEN = "device-token-1";
const INGEST = { username: "aiot-ingest", password: "ingest-secret-1" };
const UPLINKS = "$share/aiot-ingest/devices/+/telemetry";

async function withBroker(tls: boolean, fn: (broker: Mosquitto, clients: MqttClient[]) => Promise<void>) {
  const broker = await startMosquitto({ tls });
  const clients: MqttClient[] = [];
  try {
    const provisioner = await connectDynsecProvisioner(broker.url, ADMIN);
    try {
      await provisioner.ensureRoles({ ingest: INGEST });
      await provisioner.provisionDevice("dev-1", TOKEN);
      if (tls) await provisioner.provisionDevice("meter-1"); // certificate only
    } finally {
      await provisioner.close();
    }
    await fn(broker, clients);
  } finally {
    for (const client of clients) await client.endAsync(true);
    await broker.stop();
  }
}

/**
 * Connects, or undefined when the broker refuses. `onMessage` is attached before the CONNACK: a
 * resumed session's queued messages follow it at once.
 */
async function connect(
  broker: Mosquitto,
  clients: MqttClient[],
  options: IClientOptions,
  onMessage?: (topic: string, payload: Buffer) => void,
) {
  const client = mqtt.connect(broker.url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...options,
  });
  if (onMessage) client.on("message", onMessage);
  const connected = await new Promise<boolean>((resolve) => {
    client.once("connect", () => resolve(true));
    client.once("error", () => resolve(false));
    client.once("close", () => resolve(false));
  });
  if (!connected) {
    await client.endAsync(true);
    return undefined;
  }
  clients.push(client);
  return client;
}

/** Resolves true when the publish was acknowledged, false when the connection closed instead. */
function acknowledged(client: MqttClient, topic: string, payload: string | Buffer): Promise<boolean> {
  if (!client.connected) return Promise.resolve(false);
  return Promise.race([
    client.publishAsync(topic, payload, { qos: 1 }).then(() => true, () => false),
    new Promise<boolean>((resolve) => client.once("close", () => resolve(false))),
  ]);
}

/** The bare ingest session: persistent, subscribed to the shared uplinks, collecting payloads. */
async function ingestSession(broker: Mosquitto, clients: MqttClient[], received: string[]) {
  const client = await connect(broker, clients, {
    clientId: "ingest-a",
    ...INGEST,
    clean: false,
    properties: { sessionExpiryInterval: 3600, receiveMaximum: 4096 },
  }, (_topic, payload) => received.push(payload.toString()));
  assert.ok(client, "the ingest account logs in");
  await client.subscribeAsync(UPLINKS, { qos: 1 });
  return client;
}

Deno.test("mosquitto config: a device cannot take over another client id, by token or by certificate", async () => {
  await withBroker(true, async (broker, clients) => {
    const ingest = await ingestSession(broker, clients, []);
    let kicked = false;
    ingest.on("close", () => kicked = true);

    const byToken = await connect(broker, clients, {
      clientId: "ingest-a",
      username: "dev-1",
      password: TOKEN,
    });
    assert.equal(byToken, undefined, "a token device is refused under a client id other than its own");
    const own = await connect(broker, clients, { clientId: "dev-1", username: "dev-1", password: TOKEN });
    assert.ok(own && await acknowledged(own, "devices/dev-1/telemetry", "{}"), "its own id works");

    const { port, certsDir } = broker.tls!;
    const [key, cert] = await issueDeviceCertificate(certsDir, "meter-1");
    const byCertificate = await connect(broker, clients, {
      protocol: "mqtts",
      host: "127.0.0.1",
      port,
      servername: "localhost",
      ca: await Deno.readTextFile(`${certsDir}/ca.crt`),
      key: await Deno.readTextFile(key!),
      cert: await Deno.readTextFile(cert!),
      clientId: "ingest-a",
    });
    assert.ok(byCertificate, "a certificate device still logs in (its client id becomes its CN)");
    assert.ok(await acknowledged(byCertificate, "devices/meter-1/telemetry", "{}"));

    assert.ok(
      await acknowledged(ingest, "devices/dev-1/commands/c1", "{}"),
      "the ingest session is still up",
    );
    assert.equal(kicked, false);
  });
});

Deno.test("mosquitto config: packets above the 256 KiB uplink limit plus headroom are refused", async () => {
  await withBroker(false, async (broker, clients) => {
    // MQTT 3.1.1: the client is not told the limit, so the broker itself must refuse.
    const options = { protocolVersion: 4 as const, clientId: "dev-1", username: "dev-1", password: TOKEN };
    const device = await connect(broker, clients, options);
    assert.ok(device);
    const topic = "devices/dev-1/telemetry";
    assert.equal(await acknowledged(device, topic, Buffer.alloc(256 * 1024, "1")), true, "at the limit");
    assert.equal(await acknowledged(device, topic, Buffer.alloc(512 * 1024, "1")), false, "twice the limit");
  });
});

Deno.test("mosquitto config: a device receives its downlinks but never its own uplinks", async () => {
  await withBroker(false, async (broker, clients) => {
    const ingest = await ingestSession(broker, clients, []);
    const device = await connect(broker, clients, { clientId: "dev-1", username: "dev-1", password: TOKEN });
    assert.ok(device);
    const topics: string[] = [];
    device.on("message", (topic) => topics.push(topic));
    const [granted] = await device.subscribeAsync("devices/dev-1/#", { qos: 1 });
    assert.equal(granted?.qos, 1, "subscribing to its whole subtree is still allowed");
    assert.ok(await acknowledged(device, "devices/dev-1/telemetry", '{"t":1}'));
    // Published after the uplink was acknowledged: were the uplink queued for the device, it would come first.
    assert.ok(await acknowledged(ingest, "devices/dev-1/commands/c1", '{"name":"reboot"}'));
    await eventually("the command", () => topics.length > 0, { timeoutMs: 30_000, intervalMs: 50 });
    assert.deepEqual(topics, ["devices/dev-1/commands/c1"]);
  });
});

Deno.test("mosquitto config: a burst queued for the ingest session while it is away arrives whole", async () => {
  await withBroker(false, async (broker, clients) => {
    const received: string[] = [];
    const ingest = await ingestSession(broker, clients, received);
    await ingest.endAsync(); // the session and its shared subscription stay in the broker
    const device = await connect(broker, clients, { clientId: "dev-1", username: "dev-1", password: TOKEN });
    assert.ok(device);
    // Five times Mosquitto's default max_queued_messages (1000), each one acknowledged to the device.
    const n = 5_000;
    await Promise.all(
      Array.from({ length: n }, (_, i) => device.publishAsync("devices/dev-1/telemetry", `${i}`, { qos: 1 })),
    );
    await ingestSession(broker, clients, received);
    await eventually(`${n} uplinks`, () => new Set(received).size === n, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
  });
});

Deno.test("mosquitto config: acknowledged uplinks queued for the ingest session survive a broker crash", async () => {
  await withBroker(false, async (broker, clients) => {
    const received: string[] = [];
    const ingest = await ingestSession(broker, clients, received);
    await ingest.endAsync();
    const device = await connect(broker, clients, { clientId: "dev-1", username: "dev-1", password: TOKEN });
    assert.ok(device);
    const n = 50;
    for (let i = 0; i < n; i++) await device.publishAsync("devices/dev-1/telemetry", `${i}`, { qos: 1 });
    // Mosquitto logs "Saving in-memory database" when a snapshot starts; once a second one
    // started after the last acknowledgement, the first (which holds every uplink) is on disk.
    const saves = () => broker.log().split("Saving in-memory database").length - 1;
    const acknowledgedAt = saves();
    await eventually("a snapshot with every acknowledged uplink", () => saves() >= acknowledgedAt + 2, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    await broker.crash();
    await device.endAsync(true);
    await broker.restart();
    await ingestSession(broker, clients, received);
    await eventually(`${n} uplinks after the crash`, () => new Set(received).size === n, {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
  });
});
