// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * Rule state across kill -9 of the all-in-one: a violation pending for ten minutes (of event
 * time) is still pending after the restart and raises at the point where it lasted that long;
 * a violation being processed when the process dies raises one alert, not two.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import { freePort } from "../dev/free_port.ts";
import { roleProcess } from "../faults/role_process.ts";
import { createSqliteSqlDriver } from "../sqlite/sqlite_sql_driver.ts";

const PASSWORD = "kill-nine-rules";

Deno.test({
  name: "rules survive kill -9: a pending violation keeps counting, a redelivered violation raises once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const mqttPort = freePort();
    const aio = await roleProcess("rules-kill9", {
      AIOT_ADMIN_PASSWORD: PASSWORD,
      AIOT_MQTT_PORT: String(mqttPort),
    });
    await aio.start();
    const devices: mqtt.MqttClient[] = [];
    try {
      const login = await fetch(`${aio.base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: PASSWORD }),
      }).then((r) => r.json());
      const headers = { authorization: `Bearer ${login.token}`, "content-type": "application/json" };
      const api = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`${aio.base}/api/v1${path}`, {
          method,
          headers,
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: r.status, json: await r.json().catch(() => undefined) as any };
      };
      const tokens: Record<string, string> = {};
      for (const id of ["slow-1", "fast-1"]) tokens[id] = (await api("POST", "/devices", { id })).json.token;
      const connect = async (id: string) => {
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
          username: id,
          password: tokens[id]!,
          reconnectPeriod: 0,
        });
        devices.push(client);
        return client;
      };
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 20 * 60_000;
      const reading = (client: mqtt.MqttClient, id: string, t: number, temperature: number) =>
        client.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ ts: t, values: { temperature } }), {
          qos: 1,
        });

      let slow = await connect("slow-1");
      await reading(slow, "slow-1", t0 - 1000, 20);
      await eventually(
        "the metric",
        async () => (await api("GET", "/devices/slow-1/metrics")).json.items?.length,
      );
      // The metric check of POST /rules refused this once under a loaded suite right after the
      // metric was listed (not understood yet; see the README's known limits): retried, bounded.
      const rule = await eventually("the rule accepted", async () => {
        const answer = await api("POST", "/rules", {
          id: "hot-10min",
          name: "Hot for ten minutes",
          severity: "critical",
          condition: { kind: "threshold", metric: "temperature", op: ">", value: 30, forSeconds: 600 },
        });
        return answer.status !== 400 && answer;
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.json));

      // Pending since t0, saved with the positions: then the process dies.
      await reading(slow, "slow-1", t0, 31);
      const state = createSqliteSqlDriver({ path: `${aio.dataDir}/processors.db` });
      await eventually("the pending state saved", async () => {
        const rows = await state.query<{ value: string }>(
          "SELECT value FROM processor_state WHERE processor = 'rules' AND key = 'device:slow-1'",
        ).catch(() => []);
        return rows.length > 0 && JSON.parse(rows[0]!.value).rules?.["hot-10min"]?.phase === "pending";
      });
      await state.close();
      await aio.kill9();
      await aio.start();
      slow = await connect("slow-1");
      await reading(slow, "slow-1", t0 + 300_000, 33);
      await reading(slow, "slow-1", t0 + 600_000, 34);
      await reading(slow, "slow-1", t0 + 600_000, 35); // the same millisecond again
      const [raised] = await eventually("the alert after ten minutes of event time", async () => {
        const items = (await api("GET", "/alerts?device=slow-1")).json.items;
        return items?.length > 0 && items;
      });
      assert.equal(raised.raisedAt, new Date(t0 + 600_000).toISOString());
      assert.equal(raised.value, 34);

      // A violation in flight when the process dies: delivered again after the restart, raised once.
      const fast = await connect("fast-1");
      await reading(fast, "fast-1", t0 + 599_000, 50);
      await reading(fast, "fast-1", t0 + 1_199_000, 51);
      await aio.kill9();
      await aio.start();
      await eventually(
        "fast-1's alert",
        async () => (await api("GET", "/alerts?device=fast-1")).json.items?.length,
      );
      // Let the restarted processors settle, then count: a repeat would show as a second alert.
      await reading(await connect("slow-1"), "slow-1", t0 + 1_200_000, 36);
      await eventually("slow-1's later reading evaluated", async () => {
        const [alert] = (await api("GET", "/alerts?device=slow-1")).json.items;
        return alert?.lastValue === 36 || alert?.lastValue === 35;
      });
      assert.equal((await api("GET", "/alerts?device=fast-1")).json.items.length, 1);
      assert.equal((await api("GET", "/alerts?device=slow-1")).json.items.length, 1);
    } finally {
      for (const d of devices) d.end(true);
      await aio.stop();
    }
  },
});
