/**
 * The gateway's resource limits on TCP: packet size before and after CONNECT, connection caps,
 * CONNECT timeout. Waits that must end are bounded generously and never measure speed; the
 * bound only has to be shorter than the CONNECT timeout the test sets, so a close can only come
 * from the limit under test.
 */
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import { connectPacket, fixedHeader, RawMqttConnection, within } from "./_raw_mqtt.ts";
import {
  connectDevice,
  endClient,
  eventsIn,
  eventually,
  type Gateway,
  startGateway,
  TOKEN,
  topics,
} from "./_test_support.ts";
import type { EmbeddedBrokerOptions } from "./embedded_broker.ts";

const CLOSE_BOUND_MS = 20_000;
/** Far longer than CLOSE_BOUND_MS: a close within the bound is never the CONNECT timeout. */
const SLOW_CONNECT_TIMEOUT_MS = 120_000;

async function withGateway(
  limits: EmbeddedBrokerOptions["limits"],
  run: (gateway: Gateway) => Promise<void>,
): Promise<void> {
  const gateway = await startGateway({ limits: { connectTimeoutMs: SLOW_CONNECT_TIMEOUT_MS, ...limits } });
  try {
    await run(gateway);
  } finally {
    await gateway.close();
  }
}

/** "connected", or "refused" when the server closes the connection before CONNACK. */
function tryConnect(gateway: Gateway, deviceId: string, clientId: string): Promise<[string, MqttClient?]> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${gateway.broker.mqttPort}`, {
    clientId,
    username: deviceId,
    password: TOKEN,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: CLOSE_BOUND_MS,
  });
  return new Promise((resolve) => {
    client.once("connect", () => resolve(["connected", client]));
    client.once("close", () => {
      client.end(true);
      resolve(["refused"]);
    });
    client.on("error", () => {});
  });
}

Deno.test("a connection declaring a 200 MB CONNECT is closed on its header, before 1 MB is sent", () =>
  withGateway({}, async (gateway) => {
    const attackers = await Promise.all(
      Array.from({ length: 10 }, () => RawMqttConnection.open(gateway.broker.mqttPort!)),
    );
    const filler = new Uint8Array(64 * 1024).fill(0x41);
    try {
      await Promise.all(attackers.map(async (attacker) => {
        let sent = 0;
        if (await attacker.send(fixedHeader(0x10, 200 * 1024 * 1024))) {
          while (sent < 1024 * 1024 && !attacker.isClosed && await attacker.send(filler)) {
            sent += filler.length;
          }
        }
        await within(attacker.closed, CLOSE_BOUND_MS, "the gateway to close the connection");
      }));
    } finally {
      for (const attacker of attackers) attacker.close();
    }
    // The gateway still serves devices.
    const device = await connectDevice(gateway);
    await device.publishAsync("devices/dev-1/telemetry", '{"t":1}', { qos: 1 });
    await endClient(device);
  }));

Deno.test("a device publishing a packet over the limit is disconnected; another device keeps publishing", () =>
  withGateway({ maxPacketBytes: 300 * 1024 }, async (gateway) => {
    const big = await connectDevice(gateway, "dev-1");
    const other = await connectDevice(gateway, "dev-2");
    await other.publishAsync("devices/dev-2/telemetry", '{"seq":1}', { qos: 1 });
    const closed = new Promise<string>((resolve) => big.once("close", () => resolve("closed")));
    const acked = big.publishAsync("devices/dev-1/telemetry", "x".repeat(1024 * 1024), { qos: 1 })
      .then(() => "acknowledged", () => "failed");
    // npm:mqtt fails the pending publish as the connection closes, sometimes before "close".
    assert.notEqual(await Promise.race([closed, acked]), "acknowledged");
    await within(closed, CLOSE_BOUND_MS, "the close");
    big.end(true);
    await other.publishAsync("devices/dev-2/telemetry", '{"seq":2}', { qos: 1 });
    const disconnected = async () =>
      (await eventsIn(gateway.log, topics.device)).filter((e) => e.type === "device.disconnected");
    await eventually(async () => (await disconnected()).length === 1, "device.disconnected");
    const [event] = await disconnected();
    assert.equal(event?.key, "dev-1");
    assert.match(String((event?.data as { reason: string }).reason), /1048\d+ bytes declared, limit 307200/);
    const telemetry = await eventsIn(gateway.log, topics.telemetry);
    assert.deepEqual(telemetry.map((e) => e.key), ["dev-2", "dev-2"]);
    assert.deepEqual(
      await eventsIn(gateway.log, topics.dlq),
      [],
      "the packet was never read, so not dead-lettered",
    );
    await endClient(other);
  }));

Deno.test("the connection over the per-address cap is refused; a slot frees when a connection closes", () =>
  withGateway({ maxConnectionsPerAddress: 2 }, async (gateway) => {
    const [first, one] = await tryConnect(gateway, "dev-1", "dev-1");
    const [second, two] = await tryConnect(gateway, "dev-2", "dev-2");
    assert.deepEqual([first, second], ["connected", "connected"]);
    const [third, extra] = await tryConnect(gateway, "dev-1", "dev-1-ota");
    extra?.end(true);
    assert.equal(third, "refused");
    await endClient(two!);
    // The slot is released when the server sees the close, shortly after the client's.
    let again: [string, MqttClient?] = ["refused"];
    for (let attempt = 0; attempt < 100 && again[0] === "refused"; attempt++) {
      again = await tryConnect(gateway, "dev-1", "dev-1-ota");
      if (again[0] === "refused") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(again[0], "connected");
    await endClient(again[1]!);
    await endClient(one!);
  }));

Deno.test("a connection that sends no CONNECT is closed after the CONNECT timeout", () =>
  withGateway({ connectTimeoutMs: 200 }, async (gateway) => {
    const silent = await RawMqttConnection.open(gateway.broker.mqttPort!);
    try {
      await within(silent.closed, CLOSE_BOUND_MS, "the CONNECT timeout");
    } finally {
      silent.close();
    }
  }));

Deno.test("a CONNECT over the pre-authentication limit is refused without CONNACK, one under it accepted", () =>
  withGateway({ maxConnectPacketBytes: 1024 }, async (gateway) => {
    // Valid credentials: only the size (a 2 KB client id) can refuse it.
    const large = await RawMqttConnection.open(gateway.broker.mqttPort!);
    try {
      await large.send(connectPacket(`dev-1-${"x".repeat(2000)}`, "dev-1", TOKEN));
      await assert.rejects(
        within(large.next(), CLOSE_BOUND_MS, "a packet"),
        /closed before the expected packet/,
      );
    } finally {
      large.close();
    }
    const device = await connectDevice(gateway);
    await endClient(device);
  }));

Deno.test("a device asking for no keepalive is held to the maximum: closed once silent that long", () =>
  withGateway({ maxKeepaliveSeconds: 0.2 }, async (gateway) => {
    const device = await connectDevice(gateway, "dev-1", { keepalive: 0 });
    const closed = new Promise<void>((resolve) => device.once("close", () => resolve()));
    try {
      await within(closed, CLOSE_BOUND_MS, "the gateway to close the silent connection");
    } finally {
      device.end(true);
    }
    await eventually(
      async () => (await eventsIn(gateway.log, topics.device)).some((e) => e.type === "device.disconnected"),
      "the disconnect event",
    );
    const disconnected = (await eventsIn(gateway.log, topics.device)).find((e) =>
      e.type === "device.disconnected"
    );
    assert.equal((disconnected?.data as { reason?: string }).reason, "keepalive_timeout");
  }));
