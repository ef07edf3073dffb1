/** Persistent sessions (clean=false) on the gateway: queue cap and per-device session cap. */
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import { until } from "./_raw_mqtt.ts";
import { endClient, type Gateway, startGateway, TOKEN } from "./_test_support.ts";
import type { BrokerLimits } from "./embedded_broker.ts";

async function withGateway(
  limits: Partial<BrokerLimits>,
  run: (gateway: Gateway) => Promise<void>,
): Promise<void> {
  const gateway = await startGateway({ limits });
  try {
    await run(gateway);
  } finally {
    await gateway.close();
  }
}

/** dev-1 with a persistent session under `clientId`; resolves with the CONNACK's sessionPresent. */
function connectPersistent(
  gateway: Gateway,
  clientId: string,
  onMessage: (topic: string) => void = () => {},
): Promise<[MqttClient, boolean]> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${gateway.broker.mqttPort}`, {
    clientId,
    username: "dev-1",
    password: TOKEN,
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 20_000,
  });
  // Queued messages may come in the same read as the CONNACK: listen before it.
  client.on("message", onMessage);
  return new Promise((resolve, reject) => {
    client.once("connect", (connack) => resolve([client, connack.sessionPresent]));
    client.once("error", reject);
  });
}

/** Ends `client` and waits until the gateway has seen the disconnect. */
async function leave(gateway: Gateway, client: MqttClient): Promise<void> {
  await endClient(client);
  await until(() => !gateway.broker.isConnected("dev-1"), "the disconnect");
}

Deno.test("a device's offline persistent sessions beyond the cap are forgotten, oldest first", () =>
  withGateway({ maxOfflineSessionsPerDevice: 1 }, async (gateway) => {
    for (const clientId of ["dev-1-a", "dev-1-b"]) {
      const [client] = await connectPersistent(gateway, clientId);
      await client.subscribeAsync("devices/dev-1/commands/+", { qos: 1 });
      await leave(gateway, client);
    }
    const [b, bPresent] = await connectPersistent(gateway, "dev-1-b");
    const [a, aPresent] = await connectPersistent(gateway, "dev-1-a");
    assert.deepEqual({ aPresent, bPresent }, { aPresent: false, bPresent: true });
    await endClient(a);
    await endClient(b);
  }));

Deno.test("an offline persistent session queues at most maxQueuedPerClient downlinks", () =>
  withGateway({ maxQueuedPerClient: 5 }, async (gateway) => {
    const [first] = await connectPersistent(gateway, "dev-1");
    await first.subscribeAsync("devices/dev-1/commands/+", { qos: 1 });
    await leave(gateway, first);
    for (let n = 0; n < 20; n++) await gateway.broker.publishToDevice("dev-1", `commands/c-${n}`, {}, 1);

    const received: string[] = [];
    const [device, present] = await connectPersistent(
      gateway,
      "dev-1",
      (topic) => received.push(topic.split("/").at(-1)!),
    );
    assert.equal(present, true);
    await until(() => received.length >= 5, "the queued commands");
    // Anything still queued would be on its way before a message published now; QoS 0, as the
    // queue may be full of unacknowledged messages.
    await gateway.broker.publishToDevice("dev-1", "commands/marker", {}, 0);
    await until(() => received.includes("marker"), "the marker");
    assert.deepEqual(received.filter((c) => c !== "marker"), ["c-0", "c-1", "c-2", "c-3", "c-4"]);
    await endClient(device);
  }));

Deno.test("a device's uplinks are neither queued for nor delivered to its own offline persistent sessions", () =>
  withGateway({ maxQueuedPerClient: 2 }, async (gateway) => {
    const [away] = await connectPersistent(gateway, "dev-1-away");
    await away.subscribeAsync("devices/dev-1/#", { qos: 1 });
    await leave(gateway, away);
    const [publisher] = await connectPersistent(gateway, "dev-1");
    for (let seq = 0; seq < 3; seq++) {
      await publisher.publishAsync("devices/dev-1/telemetry", JSON.stringify({ seq }), { qos: 1 });
    }
    await gateway.broker.publishToDevice("dev-1", "commands/c-1", {}, 1);
    const received: string[] = [];
    const [back] = await connectPersistent(gateway, "dev-1-away", (topic) => received.push(topic));
    await until(() => received.length > 0, "the queued command");
    assert.deepEqual(received, ["devices/dev-1/commands/c-1"]);
    await endClient(back);
    await endClient(publisher);
  }));
