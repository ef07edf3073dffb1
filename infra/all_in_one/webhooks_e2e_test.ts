// deno-lint-ignore-file no-explicit-any -- webhook bodies and API answers are JSON checked field by field
/**
 * Webhooks end to end: the all-in-one in process (its `notify` role; embedded engines, then Kafka
 * and PostgreSQL with a private database and topic prefix) delivering to two real local HTTP receivers, one healthy and one answering 500
 * to everything, for events caused through the API (`device.registered`) and MQTT
 * (`telemetry.reported`). Signatures are checked by a verifier written here from the Standard
 * Webhooks algorithm, not by the platform's own code.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { withKafkaPostgresPlatform } from "./_kafka_platform.ts";

interface Received {
  seq: number;
  headers: Record<string, string>;
  body: string;
}

let seq = 0;

/** A receiver on a free loopback port answering every POST with `status`. */
function receiver(status: number) {
  const got: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    got.push({ seq: ++seq, headers: Object.fromEntries(request.headers), body: await request.text() });
    return new Response(status === 200 ? "ok" : "boom", { status });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/hook`, got, close: () => server.shutdown() };
}

/** Standard Webhooks verification, from the spec: HMAC-SHA256 of `id.timestamp.body`, keyed by the decoded secret. */
async function verifies(secret: string, r: Received): Promise<boolean> {
  const raw = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const signed = new TextEncoder().encode(
    `${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`,
  );
  for (const signature of (r.headers["webhook-signature"] ?? "").split(" ")) {
    const [version, mac] = signature.split(",");
    if (version !== "v1" || !mac) continue;
    if (await crypto.subtle.verify("HMAC", key, Uint8Array.from(atob(mac), (c) => c.charCodeAt(0)), signed)) {
      return true;
    }
  }
  return false;
}

/**
 * The whole flow against a started platform: two endpoints registered through the API, three
 * devices registered (one publishes telemetry over MQTT), then the deliveries and the log checked.
 */
async function webhooksFlow(h: InProcessPlatform): Promise<void> {
  const healthy = receiver(200);
  const down = receiver(500);
  let device: mqtt.MqttClient | undefined;
  try {
    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${h.base}/api/v1${path}`, {
        method,
        headers: h.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    };
    const types = ["device.registered", "telemetry.reported"];
    const ok = await api("POST", "/webhooks", { url: healthy.url, types, description: "healthy" });
    const bad = await api("POST", "/webhooks", { url: down.url, types });
    assert.equal(ok.status, 201);
    assert.equal(bad.status, 201);
    const listed = JSON.stringify((await api("GET", "/webhooks")).json);
    assert.ok(!listed.includes(ok.json.secret.slice(6)) && !listed.includes("secret"));

    const ids = ["wh-1", "wh-2", "wh-3"];
    const tokens: string[] = [];
    for (const id of ids) {
      const created = await api("POST", "/devices", { id });
      assert.equal(created.status, 201);
      tokens.push(created.json.token);
    }
    // The broker looks the device up in the read models when it logs in; on Kafka + PostgreSQL
    // the projection may lag the API's bounded wait, and failed logins are throttled: wait first.
    await eventually(
      "the registry to know wh-1",
      async () => (await api("GET", "/devices/wh-1")).status === 200,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    device = await mqtt.connectAsync(h.mqttUrl, {
      username: "wh-1",
      password: tokens[0]!,
      clientId: "wh-1",
      reconnectPeriod: 0,
    });
    await device.publishAsync("devices/wh-1/telemetry", JSON.stringify({ temperature: 21.5 }), { qos: 1 });

    // The healthy receiver gets all four events (three registrations, one telemetry) …
    await eventually("the healthy receiver's four deliveries", () => healthy.got.length >= 4, {
      timeoutMs: 20_000,
    });
    const bodies = healthy.got.map((r) => JSON.parse(r.body));
    assert.deepEqual(
      bodies.filter((b) => b.type === "device.registered").map((b) => b.data.key).sort(),
      ids,
    );
    const telemetry = bodies.find((b) => b.type === "telemetry.reported");
    assert.equal(telemetry?.data.key, "wh-1");
    assert.deepEqual(telemetry?.data.data.values.map((v: any) => v.value), [21.5]);
    for (const b of bodies) {
      assert.equal(b.timestamp, b.data.time);
      assert.equal(b.data.data.credential, undefined, "credential hashes never leave");
    }
    for (const r of healthy.got) {
      assert.ok(await verifies(ok.json.secret, r), "signed with the healthy endpoint's secret");
      assert.ok(!await verifies(bad.json.secret, r), "and not with another endpoint's");
      assert.equal(r.headers["webhook-id"], JSON.parse(r.body).data.id);
    }

    // … and the 500-ing one gets three attempts per event (schedule 1,1), then each delivery fails.
    await eventually("three attempts per event at the 500-ing receiver", () => down.got.length >= 12, {
      timeoutMs: 30_000,
    });
    const failed = await eventually("the 500-ing endpoint's deliveries to fail", async () => {
      const { json } = await api("GET", `/webhooks/${bad.json.id}/deliveries`);
      return json.items.length === 4 && json.items.every((d: any) => d.status === "failed") && json.items;
    }, { timeoutMs: 30_000 });
    for (const d of failed) {
      assert.equal(d.attempts, 3);
      assert.equal(d.lastStatus, 500);
      assert.equal(d.nextAttemptAt, undefined);
    }
    const attemptsByEvent = Map.groupBy(down.got, (r) => r.headers["webhook-id"]);
    assert.equal(attemptsByEvent.size, 4);
    for (const [eventId, attempts] of attemptsByEvent) {
      assert.equal(attempts.length, 3, `attempts of ${eventId}`);
      for (const r of attempts) assert.ok(await verifies(bad.json.secret, r));
      assert.equal(new Set(attempts.map((r) => r.body)).size, 1, "every attempt sends the same body");
      // The healthy endpoint had this event before the failing one was even retried.
      const delivered = healthy.got.find((r) => r.headers["webhook-id"] === eventId);
      assert.ok(delivered && delivered.seq < attempts[1]!.seq, `healthy delivery of ${eventId} came first`);
    }
    assert.equal(down.got.length, 12, "nothing after the schedule");
    const delivered = (await api("GET", `/webhooks/${ok.json.id}/deliveries`)).json.items;
    assert.deepEqual(
      delivered.map((d: any) => [d.status, d.attempts, d.lastStatus]),
      Array(4).fill(["delivered", 1, 200]),
    );

    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    assert.match(metrics, /aiot_webhook_attempts_total\{result="failed",status="500"\} 4/);
    assert.match(metrics, /aiot_webhook_attempts_total\{result="delivered",status="200"\} 4/);

    assert.equal((await api("DELETE", `/webhooks/${bad.json.id}`)).status, 204);
    assert.equal((await api("GET", `/webhooks/${bad.json.id}/deliveries`)).status, 404);
  } finally {
    device?.end(true);
    await Promise.all([healthy.close(), down.close()]);
  }
}

const env = { AIOT_WEBHOOK_ALLOW_PRIVATE: "1", AIOT_WEBHOOK_RETRY_SECONDS: "1,1" };

Deno.test({
  name: "e2e webhooks [embedded]: a 500-ing endpoint is retried and fails without delaying a healthy one",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await startInProcess({ env });
    try {
      await webhooksFlow(h);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name:
    "e2e webhooks [Kafka + PostgreSQL]: a 500-ing endpoint is retried and fails without delaying a healthy one",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withKafkaPostgresPlatform("webhooks", webhooksFlow, env),
});
