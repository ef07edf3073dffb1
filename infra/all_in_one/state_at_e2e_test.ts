// deno-lint-ignore-file no-explicit-any -- HTTP bodies are JSON checked field by field
/**
 * Time travel end to end (design §11): `GET /devices/{id}/state?at=` against the all-in-one with
 * a real MQTT device, on the embedded log and on Kafka. At the time of the device's last event it
 * equals the live shadow; at a time between two events it is the shadow of the events before it.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { withKafkaPlatform } from "./_kafka_platform.ts";

async function api(h: InProcessPlatform, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.base}/api/v1${path}`, {
    method,
    headers: h.headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined as any };
}

/** The append time of the device's last record on the device and telemetry topics. */
async function lastAppendOf(h: InProcessPlatform, device: string): Promise<number> {
  let last = 0;
  for (const topic of [h.platform.topics.device, h.platform.topics.telemetry]) {
    for await (const chunk of h.platform.log.replay(topic, { key: device })) {
      for (const record of chunk) last = Math.max(last, record.timestamp);
    }
  }
  return last;
}

async function timeTravelFlow(h: InProcessPlatform): Promise<void> {
  const created = await api(h, "POST", "/devices", { id: "pump-7" });
  assert.equal(created.status, 201);
  const device = await mqtt.connectAsync(h.mqttUrl, {
    username: "pump-7",
    password: created.json.token,
    clientId: "pump-7",
    reconnectPeriod: 0,
  });
  const live = async () => (await api(h, "GET", "/devices/pump-7/state")).json;
  const stateAt = async (at: number) => {
    const response = await api(h, "GET", `/devices/pump-7/state?at=${new Date(at).toISOString()}`);
    assert.equal(response.status, 200, JSON.stringify(response.json));
    return response.json;
  };
  try {
    await device.publishAsync("devices/pump-7/state/reported", JSON.stringify({ fw: "1.0", mode: "eco" }), {
      qos: 1,
    });
    await eventually("the first report projected", async () => (await live()).reported.fw === "1.0");
    const between = await lastAppendOf(h, "pump-7");
    await new Promise((resolve) => setTimeout(resolve, 5)); // the next appends are stamped later

    await device.publishAsync("devices/pump-7/telemetry", JSON.stringify({ values: { rpm: 1200 } }), {
      qos: 1,
    });
    await device.publishAsync("devices/pump-7/state/reported", JSON.stringify({ fw: "1.1" }), { qos: 1 });
    assert.equal((await api(h, "PATCH", "/devices/pump-7/state/desired", { mode: "boost" })).status, 202);
    await device.endAsync();
    await eventually("the disconnect projected", async () => {
      const s = await live();
      return s.connected === false && s.reported.fw === "1.1" && s.desired.mode === "boost";
    });

    // At the last event's time: the live shadow, once the projector has every event (it may
    // still be folding the telemetry topic, which moves lastSeen).
    const last = await lastAppendOf(h, "pump-7");
    const then = await stateAt(last);
    await eventually("the live shadow equals the one folded from the log", async () => {
      const now = await live();
      return JSON.stringify(now) === JSON.stringify(then) || undefined;
    }, { timeoutMs: 15_000 });
    assert.deepEqual(then.reported, { fw: "1.1", mode: "eco" });
    assert.equal(then.version, 3);
    assert.ok(then.lastSeen, "telemetry and connection events moved lastSeen");

    // Between the first report and the rest: only what came before.
    const earlier = await stateAt(between);
    assert.deepEqual(earlier.reported, { fw: "1.0", mode: "eco" });
    assert.deepEqual(earlier.desired, {});
    assert.equal(earlier.version, 1);
    assert.equal(earlier.connected, true);
    assert.ok(earlier.lastSeen < then.lastSeen);
  } finally {
    await device.endAsync().catch(() => {});
  }
}

const options = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name:
    "state?at= e2e [embedded]: the last event's time equals the live shadow, earlier folds what came before",
  ...options,
  async fn() {
    const h = await startInProcess();
    try {
      await timeTravelFlow(h);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "state?at= e2e [Kafka]: the last event's time equals the live shadow, earlier folds what came before",
  ...options,
  fn: () => withKafkaPlatform("stateat", timeTravelFlow),
});
