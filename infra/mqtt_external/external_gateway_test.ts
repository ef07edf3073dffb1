/**
 * External broker mode against a real Mosquitto 2.0 started by the test (dynamic security,
 * per-device ACL), with mosquitto_pub and npm:mqtt as devices and a SQLite log in a temp folder.
 */
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import type { EventLog } from "../../core/log/event_log.ts";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";
import { eventsIn, eventually, fakeIngest, topics } from "../mqtt/_test_support.ts";
import { ADMIN, type Mosquitto, run, startMosquitto } from "./_mosquitto.ts";
import { connectDynsecProvisioner, type DynsecProvisioner } from "./dynsec_provisioner.ts";
import { createExternalBrokerGateway, type ExternalBrokerGateway } from "./external_gateway.ts";

const TOKEN = "device-token-1";
const INGEST = { username: "aiot-ingest", password: "ingest-secret-1" };

interface Setup {
  broker: Mosquitto;
  provisioner: DynsecProvisioner;
  log: EventLog;
  gateway(clientId?: string, log?: EventLog): Promise<ExternalBrokerGateway>;
  device(id: string, token?: string): Promise<MqttClient>;
  close(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const broker = await startMosquitto();
  const closers: (() => Promise<void>)[] = [() => broker.stop()];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const provisioner = await connectDynsecProvisioner(broker.url, ADMIN);
    closers.push(() => provisioner.close());
    await provisioner.ensureRoles({ ingest: INGEST });
    await provisioner.provisionDevice("dev-1", TOKEN);
    await provisioner.provisionDevice("dev-2", TOKEN);
    const log = createSqliteEventLog({ path: `${broker.dir}/log.db` });
    closers.push(() => log.close());
    await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 4 })));
    return {
      broker,
      provisioner,
      log,
      async gateway(clientId = "ingest-a", gatewayLog = log) {
        const gateway = await createExternalBrokerGateway({
          url: broker.url,
          log: gatewayLog,
          topicPrefix: "aiot.",
          ingest: fakeIngest,
          clientId,
          ...INGEST,
          onError: () => {},
        });
        let closed = false;
        const original = gateway.close;
        gateway.close = () => closed ? Promise.resolve() : (closed = true, original());
        closers.push(() => gateway.close());
        return gateway;
      },
      async device(id, token = TOKEN) {
        const client = await mqtt.connectAsync(broker.url, {
          protocolVersion: 5,
          clientId: id,
          username: id,
          password: token,
          reconnectPeriod: 0,
          connectTimeout: 5_000,
        });
        closers.push(() => client.endAsync());
        return client;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const valueOf = (event: { data: unknown }) =>
  (event.data as { values: { value: number }[] }).values[0]?.value;

Deno.test("mosquitto_pub with the device token lands in the log; wrong token and cross-device topics are refused", async () => {
  const s = await setup();
  try {
    await s.gateway();
    const pub = (user: string, password: string, topic: string, message: string) =>
      run("mosquitto_pub", [
        ...["-h", "127.0.0.1", "-p", String(s.broker.port), "-V", "mqttv5", "-i", user],
        ...["-u", user, "-P", password, "-t", topic, "-q", "1", "-m", message],
      ]);
    const ok = await pub("dev-1", TOKEN, "devices/dev-1/telemetry", '{"temp":21.5}');
    assert.equal(ok.code, 0, ok.stderr);
    await eventually(async () => (await eventsIn(s.log, topics.telemetry)).length === 1, "the uplink");
    const [event] = await eventsIn(s.log, topics.telemetry);
    assert.equal(event?.key, "dev-1");
    assert.equal(valueOf(event!), 21.5);

    const refused = await pub("dev-1", "wrong-token", "devices/dev-1/telemetry", '{"temp":1}');
    assert.notEqual(refused.code, 0);

    // dev-1 writing under dev-2: Mosquitto's ACL drops it; a later own message is the sync point.
    await pub("dev-1", TOKEN, "devices/dev-2/telemetry", '{"temp":666}');
    assert.equal((await pub("dev-1", TOKEN, "devices/dev-1/telemetry", '{"temp":2}')).code, 0);
    await eventually(async () => (await eventsIn(s.log, topics.telemetry)).length === 2, "the second uplink");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const all = await eventsIn(s.log, topics.telemetry);
    assert.deepEqual(all.map((e) => [e.key, valueOf(e)]), [["dev-1", 21.5], ["dev-1", 2]]);

    // A decommissioned (disabled) device is refused.
    await s.provisioner.disableDevice("dev-2");
    const disabled = await pub("dev-2", TOKEN, "devices/dev-2/telemetry", '{"temp":3}');
    assert.notEqual(disabled.code, 0);
  } finally {
    await s.close();
  }
});

Deno.test("a malformed uplink is dead-lettered and the device gets the notice on devices/{id}/errors", async () => {
  const s = await setup();
  try {
    await s.gateway();
    const device = await s.device("dev-1");
    const notice = new Promise<{ topic: string; reason: string }>((resolve) =>
      device.on("message", (topic, payload) => {
        if (topic === "devices/dev-1/errors") resolve(JSON.parse(payload.toString()));
      })
    );
    await device.subscribeAsync("devices/dev-1/errors", { qos: 1 });
    await device.publishAsync("devices/dev-1/telemetry", '{"temp": tru', { qos: 1 });
    const received = await notice;
    assert.equal(received.topic, "devices/dev-1/telemetry");
    assert.ok(received.reason.length > 0);
    const [rejected, ...more] = await eventsIn(s.log, topics.dlq);
    assert.equal(more.length, 0);
    assert.equal(rejected?.type, "input.rejected");
    assert.equal((rejected?.data as { deviceId: string }).deviceId, "dev-1");
    assert.equal((await eventsIn(s.log, topics.telemetry)).length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("two replicas in one share group split the uplinks and append each exactly once", async () => {
  const s = await setup();
  try {
    const a = await s.gateway("ingest-a");
    const b = await s.gateway("ingest-b");
    const devices = [await s.device("dev-1"), await s.device("dev-2")];
    const n = 200;
    await Promise.all(devices.map((device, d) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          device.publishAsync(`devices/dev-${d + 1}/telemetry`, JSON.stringify({ seq: i }), { qos: 1 })),
      )
    ));
    await eventually(async () => (await eventsIn(s.log, topics.telemetry)).length >= 2 * n, "every uplink");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = await eventsIn(s.log, topics.telemetry);
    assert.equal(events.length, 2 * n);
    const seen = new Set(events.map((e) => `${e.key}/${valueOf(e)}`));
    assert.equal(seen.size, 2 * n, "no duplicates");
    assert.ok(a.handled > 0 && b.handled > 0, `both replicas took a share (${a.handled} / ${b.handled})`);
    assert.equal(a.handled + b.handled, 2 * n);
  } finally {
    await s.close();
  }
});

Deno.test("uplinks published while the ingest replica is away are appended after it reconnects", async () => {
  const s = await setup();
  try {
    const first = await s.gateway("ingest-a");
    await first.close(); // the persistent session (and its shared subscriptions) stays in the broker
    const device = await s.device("dev-1");
    for (let i = 0; i < 20; i++) {
      await device.publishAsync("devices/dev-1/telemetry", JSON.stringify({ seq: i }), { qos: 1 });
    }
    assert.equal((await eventsIn(s.log, topics.telemetry)).length, 0);
    await s.gateway("ingest-a");
    await eventually(
      async () => (await eventsIn(s.log, topics.telemetry)).length === 20,
      "the queued uplinks",
    );
    const events = await eventsIn(s.log, topics.telemetry);
    assert.deepEqual(events.map(valueOf), Array.from({ length: 20 }, (_, i) => i));
  } finally {
    await s.close();
  }
});

Deno.test("pipelined acknowledgements: a failed append is not acknowledged, redelivered, and nothing is lost", async () => {
  const s = await setup();
  try {
    let failures = 2;
    const flaky: EventLog = {
      ...s.log,
      append: (topic, messages) =>
        topic === topics.telemetry && failures-- > 0
          ? Promise.reject(new Error("disk full (test)"))
          : s.log.append(topic, messages),
    };
    const gateway = await s.gateway("ingest-a", flaky);
    const device = await s.device("dev-1");
    const n = 300;
    await Promise.all(
      Array.from(
        { length: n },
        (_, i) => device.publishAsync("devices/dev-1/telemetry", JSON.stringify({ seq: i }), { qos: 1 }),
      ),
    );
    await eventually(async () => {
      const seen = new Set((await eventsIn(s.log, topics.telemetry)).map(valueOf));
      return seen.size === n;
    }, "every uplink, after the redelivery");
    assert.ok(failures < 0, "the failing appends happened");
    assert.ok(gateway.handled >= n - 1, `acknowledged after the append (${gateway.handled})`);
  } finally {
    await s.close();
  }
});
