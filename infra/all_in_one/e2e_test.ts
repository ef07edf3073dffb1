// deno-lint-ignore-file no-explicit-any -- HTTP and SSE bodies are JSON checked field by field
/**
 * The platform end to end, as outside clients see it: a real MQTT device (npm:mqtt and
 * mosquitto_pub), plain HTTP and an SSE client against the all-in-one composition.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { eventually } from "../../core/testing/eventually.ts";

type Harness = InProcessPlatform;
const start = () => startInProcess();

async function api(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${h.base}/api/v1${path}`, {
    method,
    headers: h.headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Reads SSE frames from a stream until `count` events arrived; returns them with their ids. */
async function readEvents(
  response: Response,
  count: number,
): Promise<{ event: string; id: string; data: any }[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; id: string; data: any }[] = [];
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        frame.split("\n").filter((l) => !l.startsWith(":") && l.includes(": ")).map((l) => [
          l.slice(0, l.indexOf(": ")),
          l.slice(l.indexOf(": ") + 2),
        ]),
      );
      if (fields.data && fields.event) {
        events.push({ event: fields.event, id: fields.id ?? "", data: JSON.parse(fields.data) });
      }
    }
  }
  await reader.cancel();
  return events;
}

async function connectDevice(h: Harness, id: string, token: string): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(h.mqttUrl, {
    username: id,
    password: token,
    clientId: id,
    reconnectPeriod: 0,
  });
  return client;
}

/**
 * Connects as the device until a command arrives and returns its topic. The commands processor
 * re-sends pending commands on `device.connected`, which can beat the SUBSCRIBE of a fresh
 * session; each attempt stays open until the next one, and the whole wait is bounded (a hang
 * would hide the failure).
 */
async function commandOnReconnect(h: Harness, id: string, token: string, ms = 30_000): Promise<string> {
  const deadline = Date.now() + ms;
  const clients: mqtt.MqttClient[] = [];
  let received: string | undefined;
  try {
    while (received === undefined && Date.now() < deadline) {
      const client = await connectDevice(h, id, token);
      clients.push(client);
      client.on("message", (topic) => (received ??= topic));
      await client.subscribeAsync(`devices/${id}/commands/+`, { qos: 1 });
      for (let waited = 0; received === undefined && waited < 2_000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50));
      }
      if (received === undefined) client.end(true);
    }
  } finally {
    for (const client of clients) client.end(true);
  }
  if (received === undefined) throw new Error(`No command reached ${id} within ${ms} ms of reconnecting`);
  return received;
}

Deno.test({
  name:
    "e2e: device telemetry reaches the API and the SSE stream; a dropped stream resumes without gap or repeat",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await start();
    try {
      const created = await api(h, "POST", "/devices", { id: "dev-e2e", labels: { site: "lab" } });
      assert.equal(created.status, 201);
      const device = await connectDevice(h, "dev-e2e", created.json.token);
      const stream = await fetch(`${h.base}/api/v1/stream?types=telemetry.reported&device=dev-e2e`, {
        headers: h.headers,
      });
      assert.equal(stream.headers.get("content-type"), "text/event-stream");
      const first = readEvents(stream, 1);
      await device.publishAsync("devices/dev-e2e/telemetry", JSON.stringify({ temperature: 21.5 }), {
        qos: 1,
      });
      const [event] = await first;
      assert.equal(event!.event, "telemetry.reported");
      assert.equal(event!.data.key, "dev-e2e");
      assert.deepEqual(event!.data.data.values.map((v: { value: unknown }) => v.value), [21.5]);

      // Dropped after the first event: two more are published, then the client resumes.
      for (const t of [22, 23]) {
        await device.publishAsync("devices/dev-e2e/telemetry", JSON.stringify({ temperature: t }), {
          qos: 1,
        });
      }
      const resumed = await fetch(`${h.base}/api/v1/stream?types=telemetry.reported&device=dev-e2e`, {
        headers: { ...h.headers, "last-event-id": event!.id },
      });
      const missed = await readEvents(resumed, 2);
      assert.deepEqual(missed.map((e) => e.data.data.values[0].value), [22, 23], "no gap, no repeat");

      const points = await eventually("telemetry in the API", async () => {
        const r = await api(h, "GET", "/devices/dev-e2e/telemetry?metric=temperature&from=0");
        return r.json?.points?.length === 3 ? r.json.points : undefined;
      });
      assert.deepEqual(points.map((p: { v: number }) => p.v), [21.5, 22, 23]);

      // An independent client: mosquitto_pub with the same credentials.
      const pub = await new Deno.Command("mosquitto_pub", {
        args: [
          "-h",
          "127.0.0.1",
          "-p",
          String(h.platform.broker!.mqttPort),
          "-u",
          "dev-e2e",
          "-P",
          created.json.token,
          "-i",
          "dev-e2e-cli",
          "-q",
          "1",
          "-t",
          "devices/dev-e2e/telemetry",
          "-m",
          '{"humidity": 40}',
        ],
      }).output();
      assert.equal(pub.code, 0, new TextDecoder().decode(pub.stderr));
      await eventually("humidity via mosquitto_pub", async () => {
        const r = await api(h, "GET", "/devices/dev-e2e/metrics");
        return r.json?.items?.some((m: { metric: string }) => m.metric === "humidity") ? true : undefined;
      });

      const metrics = await (await fetch(`${h.base}/metrics`)).text();
      assert.match(metrics, /aiot_ingest_messages_total\{result="accepted"\} [1-9]/);
      assert.match(metrics, /aiot_log_appended_events_total\{topic="aiot.telemetry"\} [1-9]/);
      assert.match(
        metrics,
        /aiot_http_request_duration_seconds_count\{method="GET",route="[^"]+",status="200"\} [1-9]/,
      );
      assert.match(metrics, /aiot_connected_devices 1/);
      assert.match(metrics, /aiot_sse_clients \d/);
      await device.endAsync();
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "e2e: commands round-trip to an online device, reach an offline one on reconnect, or expire",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await start();
    try {
      const { json: { token } } = await api(h, "POST", "/devices", { id: "dev-cmd" });
      const device = await connectDevice(h, "dev-cmd", token);
      await device.subscribeAsync("devices/dev-cmd/commands/+", { qos: 1 });
      device.on("message", (topic, payload) => {
        const id = topic.split("/")[3];
        if (topic.split("/")[2] === "commands" && topic.split("/").length === 4) {
          const { name } = JSON.parse(new TextDecoder().decode(payload));
          device.publish(
            `devices/dev-cmd/commands/${id}/ack`,
            JSON.stringify({ status: "ok", result: { did: name } }),
            {
              qos: 1,
            },
          );
        }
      });
      const sent = await api(h, "POST", "/devices/dev-cmd/commands", { name: "reboot", timeoutSeconds: 30 });
      assert.equal(sent.status, 202);
      assert.equal(sent.json.status, "requested");
      const acked = await eventually("command acked", async () => {
        const r = await api(h, "GET", `/commands/${sent.json.commandId}`);
        return r.json?.status === "acked" ? r.json : undefined;
      });
      assert.deepEqual(acked.result, { did: "reboot" });
      await device.endAsync();

      // Offline: one command expires, the other is delivered when the device is back.
      const doomed = await api(h, "POST", "/devices/dev-cmd/commands", { name: "blink", timeoutSeconds: 1 });
      await eventually("command expired", async () => {
        const r = await api(h, "GET", `/commands/${doomed.json.commandId}`);
        return r.json?.status === "expired" ? true : undefined;
      });
      const later = await api(h, "POST", "/devices/dev-cmd/commands", { name: "update", timeoutSeconds: 60 });
      const topic = await commandOnReconnect(h, "dev-cmd", token);
      assert.equal(topic, `devices/dev-cmd/commands/${later.json.commandId}`);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "e2e: a malformed uplink is listed in /dlq with its reason and the device gets the notice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await start();
    try {
      const { json: { token } } = await api(h, "POST", "/devices", { id: "dev-bad" });
      const device = await connectDevice(h, "dev-bad", token);
      await device.subscribeAsync("devices/dev-bad/errors", { qos: 1 });
      const notice = new Promise<any>((resolve) =>
        device.on("message", (_t, p) => resolve(JSON.parse(String(p))))
      );
      await device.publishAsync("devices/dev-bad/telemetry", '{"temperature": "hot", "x": null}', { qos: 1 });
      const got = await notice;
      assert.equal(got.topic, "devices/dev-bad/telemetry");
      assert.match(got.reason, /x: value must be a number, boolean or string, got null/);
      const listed = await eventually("dlq entry", async () => {
        const r = await api(h, "GET", "/dlq?device=dev-bad");
        return r.json?.items?.length ? r.json.items[0] : undefined;
      });
      assert.equal(listed.reason, got.reason);
      assert.equal(atob(listed.payload), '{"temperature": "hot", "x": null}');
      await device.endAsync();
    } finally {
      await h.close();
    }
  },
});
