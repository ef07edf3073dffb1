// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * The per-device metric-name cap as the platform wires it: the names a device already has come
 * from the device_metrics read model when it authenticates, so the cap holds across a restart.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { eventually } from "../../core/testing/eventually.ts";

async function api(h: InProcessPlatform, path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${h.base}/api/v1${path}`, {
    method: init.method ?? "GET",
    headers: h.headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, json: await response.json() as any };
}

/** A platform restart sits inside these waits: twice the default bound. */
const slowly = <T>(what: string, probe: () => Promise<T | undefined | false>) =>
  eventually(what, probe, { timeoutMs: 20_000 });

const connect = (h: InProcessPlatform, id: string, token: string) =>
  mqtt.connectAsync(h.mqttUrl, { username: id, password: token, clientId: id, reconnectPeriod: 0 });

Deno.test({
  name: "a device's 1,001st metric is refused to the DLQ with its reason and a notice, also after a restart",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const first = await startInProcess();
    const created = await api(first, "/devices", { method: "POST", body: { id: "dev-cap" } });
    assert.equal(created.status, 201);
    const values = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`m${i}`, i]));
    const device = await connect(first, "dev-cap", created.json.token);
    await device.publishAsync("devices/dev-cap/telemetry", JSON.stringify({ values }), { qos: 1 });
    await device.endAsync();
    await slowly("1,000 metrics in the read model", async () => {
      const { json } = await api(first, "/devices/dev-cap/metrics");
      return json.items?.length === 1000 ? true : undefined;
    });
    await first.close();

    // A new process on the same data: its cap starts from the read model, not from nothing.
    const second = await startInProcess({
      env: { AIOT_DATA_DIR: first.dataDir, AIOT_ADMIN_PASSWORD: first.adminPassword },
    });
    try {
      const again = await connect(second, "dev-cap", created.json.token);
      const notices: any[] = [];
      again.on("message", (_topic, payload) => notices.push(JSON.parse(payload.toString())));
      await again.subscribeAsync("devices/dev-cap/errors", { qos: 1 });
      const reason = 'telemetry: metric "extra" would be the device\'s 1001st distinct metric, limit 1000';
      await again.publishAsync("devices/dev-cap/telemetry", JSON.stringify({ m0: 1, extra: 2 }), { qos: 1 });
      await slowly("the error notice", () => Promise.resolve(notices.length > 0 ? true : undefined));
      assert.equal(notices[0].reason, reason);
      const dlq = await slowly("the dead letter", async () => {
        const { json } = await api(second, "/dlq?device=dev-cap");
        return json.items?.length ? json.items : undefined;
      });
      assert.equal(dlq[0].reason, reason);
      await again.publishAsync("devices/dev-cap/telemetry", JSON.stringify({ m999: 5 }), { qos: 1 });
      await slowly("a known metric still accepted", async () => {
        const { json } = await api(second, "/devices/dev-cap/telemetry?metric=m999&from=0");
        return json.points?.length === 2 ? true : undefined;
      });
      await again.endAsync();
    } finally {
      await second.close();
    }
  },
});
