/**
 * The single executable of `deno task compile` runs where Deno is not installed: started with a
 * bare environment (PATH=/usr/bin:/bin, an empty HOME and data directory), it serves the
 * dashboard, accepts a device and stores its telemetry. The file is built into
 * `.tmp/single-binary/` and reused while its stamp matches the sources (building takes a while).
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import { freePort } from "../dev/free_port.ts";
import { compileAllInOne } from "./compile.ts";

const OUT = new URL("../../.tmp/single-binary/aiot", import.meta.url).pathname;
const PASSWORD = "single-binary-admin";

Deno.test({
  name: "the compiled all-in-one serves the UI and stores a device's telemetry without Deno installed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const binary = await compileAllInOne({ out: OUT, ifStale: true, log: () => {} });
    const scratch = await Deno.makeTempDir({ prefix: "aiot-single-binary-" });
    await Deno.mkdir(`${scratch}/home`);
    await Deno.mkdir(`${scratch}/data`);
    const [http, mqttPort] = [freePort(), freePort()];
    const started = performance.now();
    const child = new Deno.Command(binary.path, {
      clearEnv: true,
      env: {
        PATH: "/usr/bin:/bin",
        HOME: `${scratch}/home`,
        AIOT_DATA_DIR: `${scratch}/data`,
        AIOT_HTTP_HOST: "127.0.0.1",
        AIOT_HTTP_PORT: String(http),
        AIOT_MQTT_HOST: "127.0.0.1",
        AIOT_MQTT_PORT: String(mqttPort),
        AIOT_MQTTS_PORT: "0",
        AIOT_ADMIN_PASSWORD: PASSWORD,
      },
      cwd: scratch,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = collect(child.stderr);
    const base = `http://127.0.0.1:${http}`;
    try {
      await eventually("/readyz of the compiled binary", async () => {
        const ready = await fetch(`${base}/readyz`).catch(() => undefined);
        await ready?.body?.cancel();
        return ready?.status === 200;
      }, { timeoutMs: 90_000, intervalMs: 50 });
      console.error(
        `${binary.form} binary, ${(binary.bytes / 1024 / 1024).toFixed(1)} MiB: ready in ` +
          `${Math.round(performance.now() - started)} ms` +
          (binary.form === "packed" ? " (a first run of this build: includes unpacking)" : ""),
      );

      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type") ?? "", /text\/html/);
      const html = await page.text();
      assert.match(html, /<script type="module" src="\/app\.js">/);
      const script = await fetch(`${base}/app.js`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get("content-type") ?? "", /javascript/);
      assert.ok((await script.text()).length > 10_000, "the bundled dashboard, not a stub");

      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: PASSWORD }),
      });
      assert.equal(login.status, 200);
      const auth = { authorization: `Bearer ${(await login.json()).token}` };
      const created = await fetch(`${base}/api/v1/devices`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ id: "packed-1" }),
      });
      assert.equal(created.status, 201);
      const { token } = await created.json();

      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        username: "packed-1",
        password: token,
        reconnectPeriod: 0,
      });
      const ts = Date.now();
      try {
        await device.publishAsync(
          "devices/packed-1/telemetry",
          JSON.stringify({ ts, temperature: 21.5 }),
          { qos: 1 },
        );
      } finally {
        await device.endAsync();
      }
      const points = await eventually("the telemetry point through the API", async () => {
        const response = await fetch(
          `${base}/api/v1/devices/packed-1/telemetry?metric=temperature&from=${ts - 1000}`,
          { headers: auth },
        );
        const body = await response.json();
        return body.points?.length > 0 ? body.points : undefined;
      }, { timeoutMs: 20_000 });
      assert.deepEqual(points, [{ t: ts, v: 21.5 }]);
    } finally {
      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 0, await stderr);
      await Deno.remove(scratch, { recursive: true });
    }
  },
});

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  return text;
}
