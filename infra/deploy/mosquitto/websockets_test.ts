/**
 * The shipped Mosquitto config's WebSocket listeners, on a real Mosquitto 2.0 (the shipped file with
 * the test's ports, as infra/mqtt_external/_mosquitto.ts runs it): a device account made by the
 * provisioner publishes over plain WebSocket (9001, what nginx serves as wss://…/mqtt) and over
 * WebSocket with TLS (8884, verified against the AIOT CA), and the ingest session receives both.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { ADMIN, startMosquitto } from "../../mqtt_external/_mosquitto.ts";
import { connectDynsecProvisioner } from "../../mqtt_external/dynsec_provisioner.ts";
import { eventually } from "../../../core/testing/eventually.ts";

const INGEST = { username: "aiot-ingest", password: "ws-ingest-secret" };

Deno.test("mosquitto config: devices publish over ws:// (9001) and wss:// (8884) like over 1883", async () => {
  const broker = await startMosquitto({ tls: true, websockets: true });
  const clients: mqtt.MqttClient[] = [];
  try {
    const provisioner = await connectDynsecProvisioner(broker.url, ADMIN);
    try {
      await provisioner.ensureRoles({ ingest: INGEST });
      await provisioner.provisionDevice("dev-ws", "token-ws");
    } finally {
      await provisioner.close();
    }
    const received: string[] = [];
    const ingest = await mqtt.connectAsync(broker.url, {
      ...INGEST,
      clientId: "ingest-ws",
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    clients.push(ingest);
    ingest.on("message", (_topic, payload) => received.push(String(payload)));
    await ingest.subscribeAsync("$share/aiot-ingest/devices/+/telemetry", { qos: 1 });

    const ca = await Deno.readTextFile(`${broker.tls!.certsDir}/ca.crt`);
    const urls = [
      `ws://127.0.0.1:${broker.websocketPort}/mqtt`,
      `wss://localhost:${broker.secureWebsocketPort}/mqtt`,
    ];
    for (const url of urls) {
      const device = await mqtt.connectAsync(url, {
        clientId: "dev-ws",
        username: "dev-ws",
        password: "token-ws",
        reconnectPeriod: 0,
        ...(url.startsWith("wss:") ? { ca, rejectUnauthorized: true } : {}),
      });
      clients.push(device);
      await device.publishAsync("devices/dev-ws/telemetry", JSON.stringify({ via: url }), { qos: 1 });
      await device.endAsync();
    }
    await eventually("both uplinks at the ingest session", () => received.length === 2);
    assert.deepEqual(received.map((r) => JSON.parse(r).via), urls);

    // The TLS listener is verified against the AIOT CA: without it, the handshake fails.
    await assert.rejects(
      mqtt.connectAsync(urls[1]!, {
        clientId: "dev-ws",
        username: "dev-ws",
        password: "token-ws",
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      }),
    );
  } finally {
    for (const client of clients) await client.endAsync(true).catch(() => {});
    await broker.stop();
  }
});
