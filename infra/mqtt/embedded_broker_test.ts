import assert from "node:assert/strict";
import type { EventLog } from "../../core/log/event_log.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
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
import { connectPacket, publishPacket, pubrelPacket, RawMqttConnection } from "./_raw_mqtt.ts";

async function withGateway(run: (gateway: Gateway) => Promise<void>, log?: EventLog): Promise<void> {
  const gateway = await startGateway(log ? { log, onError: () => {} } : {});
  try {
    await run(gateway);
  } finally {
    await gateway.close();
  }
}

const deviceEvents = async (gateway: Gateway, type: string) =>
  (await eventsIn(gateway.log, topics.device)).filter((e) => e.type === type)
    .map((e) => ({ key: e.key, data: e.data as Record<string, unknown> }));

Deno.test("a device with the right token connects; connect and disconnect are appended", () =>
  withGateway(async (gateway) => {
    const client = await connectDevice(gateway);
    assert.equal(gateway.broker.connectedDevices(), 1);
    await endClient(client);
    await eventually(() => gateway.broker.connectedDevices() === 0, "the disconnect");
    await eventually(async () => (await deviceEvents(gateway, "device.disconnected")).length === 1, "event");
    const [connected] = await deviceEvents(gateway, "device.connected");
    assert.equal(connected?.key, "dev-1");
    assert.deepEqual({ ...connected?.data, remoteAddress: undefined }, {
      clientId: "dev-1",
      protocol: "mqtt",
      certificate: false,
      remoteAddress: undefined,
    });
    const [disconnected] = await deviceEvents(gateway, "device.disconnected");
    assert.deepEqual(disconnected?.data, { clientId: "dev-1", reason: "client_disconnect" });
  }));

Deno.test("wrong token and unknown device get CONNACK 4, a decommissioned device 5", () =>
  withGateway(async (gateway) => {
    const cases = [["dev-1", "wrong", 4], ["ghost", TOKEN, 4], ["dev-old", TOKEN, 5], [
      "dev-1",
      "",
      4,
    ]] as const;
    for (const [username, password, code] of cases) {
      await assert.rejects(
        connectDevice(gateway, username, { password }),
        (error: { code?: number }) => error.code === code,
        `${username}/${password}`,
      );
    }
    assert.equal(gateway.broker.connectedDevices(), 0);
    assert.equal((await deviceEvents(gateway, "device.connected")).length, 0);
  }));

Deno.test("a publish to another device's topic closes the connection and appends nothing", () =>
  withGateway(async (gateway) => {
    const client = await connectDevice(gateway);
    const closed = new Promise((resolve) => client.once("close", () => resolve(null)));
    client.publish("devices/dev-2/telemetry", '{"t":1}', { qos: 1 });
    await closed;
    client.end(true);
    await eventually(async () => (await deviceEvents(gateway, "device.disconnected")).length === 1, "event");
    assert.deepEqual(await eventsIn(gateway.log, topics.telemetry), []);
    const [disconnected] = await deviceEvents(gateway, "device.disconnected");
    assert.match(
      String(disconnected?.data.reason),
      /^not_authorized: publish to "devices\/dev-2\/telemetry"/,
    );
  }));

Deno.test("subscriptions outside the device's topics get SUBACK 128, its own are granted", () =>
  withGateway(async (gateway) => {
    const client = await connectDevice(gateway);
    // npm:mqtt turns a SUBACK with a 128 into an error; read the SUBACK packet itself.
    const suback = new Promise<number[]>((resolve) =>
      client.on("packetreceive", (packet) => {
        if (packet.cmd === "suback") resolve(packet.granted as number[]);
      })
    );
    client.subscribe(["devices/dev-2/#", "devices/+/commands/+", "#", "$SYS/#", "devices/dev-1/#"], {
      qos: 1,
    }, () => {});
    assert.deepEqual(await suback, [128, 128, 128, 128, 1]);
    await endClient(client);
  }));

Deno.test("a malformed uplink is dead-lettered and the device gets the notice on its errors topic", () =>
  withGateway(async (gateway) => {
    const client = await connectDevice(gateway);
    await client.subscribeAsync("devices/dev-1/errors", { qos: 1 });
    const notice = new Promise<string>((resolve) =>
      client.once("message", (_t, payload) => resolve(String(payload)))
    );
    await client.publishAsync("devices/dev-1/telemetry", "{not json", { qos: 1 });
    const body = JSON.parse(await notice);
    assert.equal(body.topic, "devices/dev-1/telemetry");
    assert.match(body.reason, /JSON/);
    const [rejected, ...more] = await eventsIn(gateway.log, topics.dlq);
    assert.equal(more.length, 0);
    assert.equal(rejected?.type, "input.rejected");
    assert.equal(rejected?.data.payloadBase64, btoa("{not json"));
    assert.deepEqual(await eventsIn(gateway.log, topics.telemetry), []);
    await endClient(client);
  }));

Deno.test("2,000 QoS 1 publishes: every PUBACKed message is in the log, in order", () =>
  withGateway(async (gateway) => {
    const client = await connectDevice(gateway);
    const acked: number[] = [];
    await Promise.all(
      Array.from(
        { length: 2000 },
        (_, seq) =>
          client.publishAsync("devices/dev-1/telemetry", JSON.stringify({ seq }), { qos: 1 }).then(() =>
            acked.push(seq)
          ),
      ),
    );
    // Read before the device disconnects: an acknowledged message must already be durable.
    const logged = (await eventsIn(gateway.log, topics.telemetry)).map((e) =>
      (e.data as { values: { value: number }[] }).values[0]!.value
    );
    assert.equal(acked.length, 2000);
    assert.deepEqual(logged, Array.from({ length: 2000 }, (_, seq) => seq));
    await endClient(client);
  }));

Deno.test("downlinks reach the device; its own uplinks are not echoed back", () =>
  withGateway(async (gateway) => {
    const client = await connectDevice(gateway);
    await client.subscribeAsync("devices/dev-1/#", { qos: 1 });
    const received: string[] = [];
    client.on("message", (topic) => received.push(topic));
    await client.publishAsync("devices/dev-1/telemetry", '{"t":1}', { qos: 1 });
    await gateway.broker.publishToDevice("dev-1", "commands/c-1", { name: "reboot" }, 1);
    await eventually(() => received.length > 0, "the command");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(received, ["devices/dev-1/commands/c-1"]);
    await endClient(client);
  }));

Deno.test("disconnectDevice() closes every connection of the device with the given reason", () =>
  withGateway(async (gateway) => {
    const main = await connectDevice(gateway);
    const ota = await connectDevice(gateway, "dev-1", { clientId: "dev-1-ota" });
    const other = await connectDevice(gateway, "dev-2");
    assert.equal(gateway.broker.disconnectDevice("dev-1", "decommissioned"), 2);
    await eventually(() => gateway.broker.connectedDevices() === 1, "the disconnects");
    await eventually(async () => (await deviceEvents(gateway, "device.disconnected")).length === 2, "events");
    const reasons = (await deviceEvents(gateway, "device.disconnected")).map((e) => e.data.reason);
    assert.deepEqual(reasons, ["decommissioned", "decommissioned"]);
    main.end(true);
    ota.end(true);
    await endClient(other);
  }));

Deno.test("a device using another device's client id does not take over its session", () =>
  withGateway(async (gateway) => {
    const victim = await connectDevice(gateway, "dev-1");
    const intruder = await connectDevice(gateway, "dev-2", { clientId: "dev-1" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(victim.connected, true);
    assert.equal(gateway.broker.connectedDevices(), 2);
    // The same device reusing its own client id does take over (MQTT-3.1.4-2).
    const again = await connectDevice(gateway, "dev-1");
    await eventually(
      async () => (await deviceEvents(gateway, "device.disconnected")).length === 1,
      "takeover",
    );
    const [takenOver] = await deviceEvents(gateway, "device.disconnected");
    assert.equal(takenOver?.data.reason, "taken_over");
    victim.end(true);
    await endClient(intruder);
    await endClient(again);
  }));

Deno.test("when the log cannot append, a QoS 1 publish is not acknowledged and the connection closes", async () => {
  const healthy = createInMemoryEventLog();
  let failing = false;
  const flaky: EventLog = {
    ...healthy,
    append: (topic, messages) =>
      failing ? Promise.reject(new Error("disk full")) : healthy.append(topic, messages),
  };
  await withGateway(async (gateway) => {
    const client = await connectDevice(gateway);
    failing = true;
    const closed = new Promise((resolve) => client.once("close", () => resolve(null)));
    let acked = false;
    client.publishAsync("devices/dev-1/telemetry", '{"t":1}', { qos: 1 }).then(() => acked = true, () => {});
    await closed;
    client.end(true);
    assert.equal(acked, false);
    failing = false;
    assert.deepEqual(await eventsIn(healthy, topics.telemetry), []);
  }, flaky);
});

Deno.test("a QoS 2 PUBLISH resent with DUP before PUBREL is ingested once; the id is reused after PUBCOMP", () =>
  withGateway(async (gateway) => {
    const device = await RawMqttConnection.open(gateway.broker.mqttPort!);
    await device.send(connectPacket("dev-1", "dev-1", TOKEN));
    assert.deepEqual([...(await device.next()).body], [0, 0], "CONNACK accepted");
    const expect = async (type: number, what: string) => assert.equal((await device.next()).type, type, what);
    const publish = (seq: number, dup: boolean) =>
      publishPacket("devices/dev-1/telemetry", JSON.stringify({ seq }), { qos: 2, messageId: 7, dup });
    // The copy in the same write (aedes handles both at once) and one after the first PUBREC.
    await device.send(new Uint8Array([...publish(1, false), ...publish(1, true)]));
    await expect(5, "PUBREC");
    await expect(5, "PUBREC of the copy");
    await device.send(publish(1, true));
    await expect(5, "PUBREC of the late copy");
    await device.send(pubrelPacket(7));
    await expect(7, "PUBCOMP");
    await device.send(publish(2, false));
    await expect(5, "PUBREC of the next message");
    await device.send(pubrelPacket(7));
    await expect(7, "PUBCOMP");
    // A PUBREC means "in the log": no waiting needed.
    const logged = (await eventsIn(gateway.log, topics.telemetry)).map((e) =>
      (e.data as { values: { value: number }[] }).values[0]!.value
    );
    assert.deepEqual(logged, [1, 2]);
    device.close();
    await device.closed;
  }));
