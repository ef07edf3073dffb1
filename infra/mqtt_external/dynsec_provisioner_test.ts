/**
 * The dynamic-security provisioner against a real Mosquitto 2.0 started by the test (the shipped
 * config, with its certificate listener): the `BrokerAccounts` contract, probed with npm:mqtt
 * devices logging in by token and by certificate, and how it fails.
 */
import assert from "node:assert/strict";
import mqtt, { type IClientOptions } from "mqtt";
import { brokerAccountsContract } from "../../core/testing/broker_accounts_contract.ts";
import type { BrokerLogin } from "../../core/testing/in_memory_broker_accounts.ts";
import { issueDeviceCertificate } from "../certs/mod.ts";
import { ADMIN, type Mosquitto, run, startMosquitto } from "./_mosquitto.ts";
import { connectDynsecProvisioner } from "./dynsec_provisioner.ts";

/** Logs in as `deviceId` and publishes once at QoS 1: true only when the broker acknowledged it. */
async function canPublish(
  broker: Mosquitto,
  deviceId: string,
  login: BrokerLogin,
  topic = `devices/${deviceId}/telemetry`,
): Promise<boolean> {
  let options: IClientOptions;
  if (login === "certificate") {
    const { port, certsDir } = broker.tls!;
    const [key, cert] = await issueDeviceCertificate(certsDir, deviceId);
    options = {
      protocol: "mqtts",
      host: "127.0.0.1",
      port,
      ca: await Deno.readTextFile(`${certsDir}/ca.crt`),
      key: await Deno.readTextFile(key!),
      cert: await Deno.readTextFile(cert!),
      servername: "localhost",
    };
  } else {
    options = {
      protocol: "mqtt",
      host: "127.0.0.1",
      port: broker.port,
      username: deviceId,
      password: login.token,
    };
  }
  const client = await mqtt.connectAsync({
    ...options,
    protocolVersion: 5,
    // Token accounts are bound to the device id as client id (certificate logins get it anyway).
    clientId: deviceId,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  }).catch(() => undefined);
  if (!client) return false;
  try {
    // MQTT 5: a publish the ACL refuses gets PUBACK "Not authorized", which rejects.
    await client.publishAsync(topic, "{}", { qos: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.endAsync(true);
  }
}

for (const c of brokerAccountsContract) {
  Deno.test(`BrokerAccounts contract [mosquitto dynsec] › ${c.name}`, () =>
    c.run(async () => {
      const broker = await startMosquitto({ tls: true });
      const accounts = await connectDynsecProvisioner(broker.url, ADMIN).catch(async (error) => {
        await broker.stop();
        throw error;
      });
      return {
        accounts,
        canPublish: (...args) => canPublish(broker, ...args),
        close: async () => {
          await accounts.close();
          await broker.stop();
        },
      };
    }));
}

Deno.test("connectDynsecProvisioner() names the broker and the account, never the password, when refused", async () => {
  const broker = await startMosquitto();
  try {
    const started = Date.now();
    await assert.rejects(
      connectDynsecProvisioner(`mqtt://ingest:url-secret@127.0.0.1:${broker.port}`, {
        username: "admin",
        password: "wrong-admin-secret",
      }),
      (error: Error) => {
        assert.match(
          error.message,
          new RegExp(`^cannot connect to the MQTT broker at mqtt://127.0.0.1:${broker.port} as "admin": `),
        );
        assert.ok(!/wrong-admin-secret|url-secret/.test(error.message), error.message);
        return true;
      },
    );
    await assert.rejects(
      connectDynsecProvisioner(`mqtt://127.0.0.1:${broker.port + 1}`, ADMIN, { timeoutMs: 500 }),
      /cannot connect to the MQTT broker/,
    );
    assert.ok(Date.now() - started < 3_000, "refusals are not waited out");
  } finally {
    await broker.stop();
  }
});

Deno.test("provisioner commands fail at once while the broker is away", async () => {
  const broker = await startMosquitto();
  const accounts = await connectDynsecProvisioner(broker.url, ADMIN);
  try {
    await broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await assert.rejects(
      accounts.provisionDevice("pump-1", "token"),
      /not connected to the MQTT broker at mqtt:/,
    );
    assert.ok(Date.now() - started < 1_000);
  } finally {
    await accounts.close();
  }
});

Deno.test("ensureRoles() creates the ingest account and sets its password again on the next start", async () => {
  const broker = await startMosquitto();
  const accounts = await connectDynsecProvisioner(broker.url, ADMIN);
  const ingestCanSubscribe = async (password: string) => {
    const client = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      username: "aiot-ingest",
      password,
      reconnectPeriod: 0,
    }).catch(() => undefined);
    if (!client) return false;
    const [granted] = await client.subscribeAsync("$share/aiot-ingest/devices/+/telemetry", { qos: 1 });
    await client.endAsync(true);
    return granted!.qos === 1;
  };
  try {
    await accounts.ensureRoles({ ingest: { username: "aiot-ingest", password: "ingest-one" } });
    assert.equal(await ingestCanSubscribe("ingest-one"), true);
    await accounts.ensureRoles({ ingest: { username: "aiot-ingest", password: "ingest-two" } });
    assert.equal(await ingestCanSubscribe("ingest-one"), false);
    assert.equal(await ingestCanSubscribe("ingest-two"), true);
  } finally {
    await accounts.close();
    await broker.stop();
  }
});

Deno.test("a device named like the broker's admin or ingest account cannot take that account over", async () => {
  const broker = await startMosquitto();
  const accounts = await connectDynsecProvisioner(broker.url, ADMIN);
  const ingest = { username: "aiot-ingest", password: "ingest-one" };
  const canLogIn = async (login: { username: string; password: string }) => {
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, ...login, reconnectPeriod: 0 })
      .catch(() => undefined);
    await client?.endAsync(true);
    return client !== undefined;
  };
  try {
    await accounts.ensureRoles({ ingest });
    for (const name of [ADMIN.username, ingest.username]) {
      await assert.rejects(
        accounts.provisionDevice(name, "device-token"),
        new RegExp(`the broker account "${name}" is not a device account`),
      );
      await assert.rejects(accounts.disableDevice(name), /is not a device account/);
    }
    assert.equal(await canLogIn(ingest), true, "the ingest account is intact");
    assert.equal(await canLogIn(ADMIN), true, "the admin account is intact");
    // The admin still holds its role: it can still provision.
    await accounts.provisionDevice("pump-1", "token-one");
  } finally {
    await accounts.close();
    await broker.stop();
  }
});

Deno.test("provisioning again narrows a device role made before: it no longer receives its own uplinks", async () => {
  const broker = await startMosquitto();
  const accounts = await connectDynsecProvisioner(broker.url, ADMIN);
  const ctrl = (...args: string[]) =>
    run("mosquitto_ctrl", [
      ...["-h", "127.0.0.1", "-p", String(broker.port), "-u", ADMIN.username, "-P", ADMIN.password],
      ...["dynsec", ...args],
    ]);
  try {
    // The role as earlier versions made it: receive anything under devices/pump-1/.
    assert.equal((await ctrl("createRole", "aiot-device-pump-1")).code, 0);
    const old = await ctrl(
      "addRoleACL",
      "aiot-device-pump-1",
      "publishClientReceive",
      "devices/pump-1/#",
      "allow",
    );
    assert.equal(old.code, 0, old.stderr);
    await accounts.provisionDevice("pump-1", "token-one");
    const device = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: "pump-1",
      username: "pump-1",
      password: "token-one",
      reconnectPeriod: 0,
    });
    try {
      const topics: string[] = [];
      device.on("message", (topic) => topics.push(topic));
      await device.subscribeAsync("devices/pump-1/#", { qos: 1 });
      await device.publishAsync("devices/pump-1/telemetry", "{}", { qos: 1 });
      await device.publishAsync("devices/pump-1/errors", "{}", { qos: 1 }); // allowed to receive: the sync point
      for (let i = 0; topics.length === 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(topics, ["devices/pump-1/errors"]);
    } finally {
      await device.endAsync(true);
    }
  } finally {
    await accounts.close();
    await broker.stop();
  }
});
