/**
 * "A message acknowledged to a device is durably in the log": QoS 1 messages are published to the
 * all-in-one process, which is killed with SIGKILL right after the last PUBACK; every acknowledged
 * message must then be found in the log on disk.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { decodeEvent } from "../../core/events/codec.ts";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";
import { freePort } from "../dev/free_port.ts";

Deno.test({
  name: "QoS 1 messages acknowledged to the device survive kill -9 of the all-in-one right after",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "aiot-kill9-" });
    const http = freePort();
    const mqttPort = freePort();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", new URL("./main.ts", import.meta.url).pathname],
      env: {
        AIOT_DATA_DIR: dataDir,
        AIOT_HTTP_PORT: String(http),
        AIOT_HTTP_HOST: "127.0.0.1",
        AIOT_MQTT_PORT: String(mqttPort),
        AIOT_MQTT_HOST: "127.0.0.1",
        AIOT_ADMIN_PASSWORD: "kill-nine-password",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    let acked = 0;
    try {
      const base = `http://127.0.0.1:${http}`;
      let login: Response | undefined;
      for (let i = 0; i < 100 && !login?.ok; i++) {
        await new Promise((r) => setTimeout(r, 100));
        login = await fetch(`${base}/api/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "admin", password: "kill-nine-password" }),
        }).catch(() => undefined);
      }
      const { token: session } = await login!.json();
      const created = await fetch(`${base}/api/v1/devices`, {
        method: "POST",
        headers: { authorization: `Bearer ${session}`, "content-type": "application/json" },
        body: JSON.stringify({ id: "durable-1" }),
      }).then((r) => r.json());
      const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        username: "durable-1",
        password: created.token,
        reconnectPeriod: 0,
      });
      // 3,000 messages in flight together; each resolves on its PUBACK.
      await Promise.all(
        Array.from(
          { length: 3000 },
          (_, i) =>
            device.publishAsync("devices/durable-1/telemetry", JSON.stringify({ n: i }), { qos: 1 }).then(
              () => acked++,
            ),
        ),
      );
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
    assert.equal(acked, 3000);

    const log = createSqliteEventLog({ path: `${dataDir}/log.db` });
    const seen = new Set<number>();
    for await (const chunk of log.replay("aiot.telemetry")) {
      for (const record of chunk) {
        const decoded = decodeEvent(record.value);
        if (decoded.ok && decoded.event.type === "telemetry.reported" && decoded.event.key === "durable-1") {
          for (const v of decoded.event.data.values) seen.add(v.value as number);
        }
      }
    }
    await log.close();
    assert.equal(seen.size, 3000, "every acknowledged message is in the log");
  },
});
