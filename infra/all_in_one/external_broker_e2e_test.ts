// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * External broker mode end to end: the all-in-one in this process pointed at a real Mosquitto
 * (the shipped config, dynamic security, certificate listener) with an admin account, devices
 * managed over HTTP and by the CLI, and mosquitto_pub as the device. What is checked is what an
 * operator sees: the registry drives the broker's accounts.
 */
import assert from "node:assert/strict";
import { issueDeviceCertificate } from "../certs/mod.ts";
import { ADMIN, type Mosquitto, run, startMosquitto } from "../mqtt_external/_mosquitto.ts";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";

function externalEnv(broker: Mosquitto): Record<string, string> {
  return {
    // The platform creates this ingest account itself, with the admin account.
    AIOT_MQTT_URL: `mqtt://aiot-ingest:ingest-secret-1@127.0.0.1:${broker.port}`,
    AIOT_MQTT_CLIENT_ID: "aiot-e2e",
    AIOT_MQTT_ADMIN_USERNAME: ADMIN.username,
    AIOT_MQTT_ADMIN_PASSWORD: ADMIN.password,
  };
}

async function api(
  h: InProcessPlatform,
  method: string,
  path: string,
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${h.base}/api/v1${path}`, { method, headers: h.headers });
  return { status: response.status, json: await response.json() };
}

/** mosquitto_pub as the device: by token on the plain listener, or by certificate on the TLS one. */
function publish(broker: Mosquitto, id: string, login: { token: string } | "certificate", value: number) {
  const { port, certsDir } = broker.tls!;
  return run("mosquitto_pub", [
    ...(login === "certificate"
      ? ["-h", "localhost", "-p", String(port), "--cafile", `${certsDir}/ca.crt`]
        .concat(["--cert", `${certsDir}/devices/${id}.crt`, "--key", `${certsDir}/devices/${id}.key`])
      : ["-h", "127.0.0.1", "-p", String(broker.port), "-u", id, "-P", login.token]),
    ...[
      "-V",
      "mqttv5",
      "-q",
      "1",
      "-i",
      id,
      "-t",
      `devices/${id}/telemetry`,
      "-m",
      `{"temperature": ${value}}`,
    ],
  ]);
}

/** Accepted = exit 0 and no refused publish (MQTT 5 reports an ACL refusal only on stderr). */
const accepted = (result: { code: number; stderr: string }) => result.code === 0 && result.stderr === "";

async function temperatures(h: InProcessPlatform, id: string, count: number): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { json } = await api(h, "GET", `/devices/${id}/telemetry?metric=temperature&from=0`);
    const values = (json.points ?? []).map((p: { v: number }) => p.v);
    if (values.length >= count || Date.now() > deadline) return values;
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("devices created, rotated and decommissioned over HTTP get, change and lose their Mosquitto account", async () => {
  const broker = await startMosquitto({ tls: true });
  const h = await startInProcess({ env: externalEnv(broker) });
  try {
    assert.equal(h.platform.broker, undefined, "no embedded broker in external mode");
    const created = await fetch(`${h.base}/api/v1/devices`, {
      method: "POST",
      headers: h.headers,
      body: JSON.stringify({ id: "pump-1" }),
    });
    assert.equal(created.status, 201);
    const { token } = await created.json();

    const first = await publish(broker, "pump-1", { token }, 21.5);
    assert.ok(accepted(first), first.stderr);
    assert.deepEqual(await temperatures(h, "pump-1", 1), [21.5], "appended by the ingest replica, projected");
    assert.notEqual((await publish(broker, "pump-1", { token: "not-the-token" }, 0)).code, 0);
    await issueDeviceCertificate(broker.tls!.certsDir, "pump-1");
    assert.ok(accepted(await publish(broker, "pump-1", "certificate", 22)), "its certificate works too");

    const rotated = await api(h, "POST", "/devices/pump-1/token");
    assert.equal(rotated.status, 200);
    assert.notEqual((await publish(broker, "pump-1", { token }, 0)).code, 0, "the old token is refused");
    assert.ok(accepted(await publish(broker, "pump-1", { token: rotated.json.token }, 23)));
    assert.deepEqual(await temperatures(h, "pump-1", 3), [21.5, 22, 23]);

    assert.equal((await api(h, "DELETE", "/devices/pump-1")).status, 200);
    assert.notEqual((await publish(broker, "pump-1", { token: rotated.json.token }, 0)).code, 0);
    assert.ok(!accepted(await publish(broker, "pump-1", "certificate", 0)), "nor by certificate");

    // The broker is gone: registering fails with a 503 naming it, and registers nothing.
    await broker.stop();
    const refused = await fetch(`${h.base}/api/v1/devices`, {
      method: "POST",
      headers: h.headers,
      body: JSON.stringify({ id: "pump-2" }),
    });
    assert.equal(refused.status, 503);
    const { error } = await refused.json();
    assert.equal(error.code, "infrastructure_failed");
    assert.match(error.message, /^Cannot create the account of device "pump-2" in the MQTT broker: /);
    assert.equal((await api(h, "GET", "/devices/pump-2")).status, 404);
    assert.deepEqual(await temperatures(h, "pump-1", 3), [21.5, 22, 23], "nothing refused was appended");
  } finally {
    await h.close();
    await broker.stop().catch(() => {});
  }
});

Deno.test("`deno task aiot devices create|rotate|decommission` drive the Mosquitto account too", async () => {
  const broker = await startMosquitto({ tls: true });
  const h = await startInProcess({ env: externalEnv(broker) });
  const cli = async (...args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", new URL("../cli/main.ts", import.meta.url).pathname, "devices", ...args],
      env: { AIOT_DATA_DIR: h.dataDir, ...externalEnv(broker) },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    return stdout.match(/^token (\S+)$/m)?.[1];
  };
  try {
    const token = (await cli("create", "--id", "valve-1"))!;
    assert.ok(accepted(await publish(broker, "valve-1", { token }, 1)));
    const next = (await cli("rotate", "valve-1"))!;
    assert.notEqual((await publish(broker, "valve-1", { token }, 0)).code, 0);
    assert.ok(accepted(await publish(broker, "valve-1", { token: next }, 2)));
    await cli("decommission", "valve-1");
    assert.notEqual((await publish(broker, "valve-1", { token: next }, 0)).code, 0);
    assert.deepEqual(await temperatures(h, "valve-1", 2), [1, 2]);
  } finally {
    await h.close();
    await broker.stop();
  }
});
