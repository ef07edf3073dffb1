// deno-lint-ignore-file no-explicit-any -- HTTP and SSE bodies are JSON checked field by field
/**
 * Rules and alerts end to end (design §9) as outside clients see them: a real MQTT device, plain
 * HTTP and an SSE client against the all-in-one — on the embedded engines and on Kafka +
 * PostgreSQL. One alert for two violating messages in the same millisecond, hysteresis, the
 * rule's command action, ack and manual clear with re-arming, and the backtest of the same range
 * equal to what the live processor raised and cleared.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { eventually } from "../../core/testing/eventually.ts";
import { readSse } from "../../api/live/_read_sse.ts";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { withKafkaPostgresPlatform } from "./_kafka_platform.ts";

async function api(h: InProcessPlatform, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.base}/api/v1${path}`, {
    method,
    headers: h.headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined as any };
}

const alertsOf = async (h: InProcessPlatform, query: string) =>
  (await api(h, "GET", `/alerts?${query}`)).json.items;

async function rulesFlow(h: InProcessPlatform): Promise<void> {
  const created = await api(h, "POST", "/devices", { id: "boiler-1", labels: { site: "north" } });
  assert.equal(created.status, 201);
  const device = await mqtt.connectAsync(h.mqttUrl, {
    username: "boiler-1",
    password: created.json.token,
    clientId: "boiler-1",
    reconnectPeriod: 0,
  });
  // Recent readings: a rule acts (sends its command) only on readings younger than the command's lifetime.
  const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const publish = (offsetMs: number, temperature: number) =>
    device.publishAsync(
      "devices/boiler-1/telemetry",
      JSON.stringify({ ts: base + offsetMs, values: { temperature } }),
      { qos: 1 },
    );
  try {
    // A metric no device reports, a negative forSeconds: 400 naming the field.
    const typo = await api(h, "POST", "/rules", {
      name: "typo",
      severity: "warning",
      condition: { kind: "threshold", metric: "temprature", op: ">", value: 30 },
    });
    assert.equal(typo.status, 400);
    assert.equal(typo.json.error.details[0].path, "condition.metric");
    await publish(0, 20);
    await eventually(
      "the metric projected",
      async () => (await api(h, "GET", "/devices/boiler-1/metrics")).json.items?.length === 1,
    );
    const negative = await api(h, "POST", "/rules", {
      name: "neg",
      severity: "warning",
      condition: { kind: "threshold", metric: "temperature", op: ">", value: 30, forSeconds: -1 },
    });
    assert.equal(negative.status, 400);
    assert.equal(negative.json.error.details[0].path, "condition.forSeconds");

    const rule = await api(h, "POST", "/rules", {
      id: "too-hot",
      name: "Boiler too hot",
      severity: "critical",
      scope: { labels: { site: "north" } },
      condition: { kind: "threshold", metric: "temperature", op: ">", value: 30 },
      clear: { hysteresis: 2 },
      actions: [{ kind: "command", name: "burner.off" }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.json));
    assert.equal(rule.json.version, 1);

    const stream = await fetch(`${h.base}/api/v1/stream?types=alert.raised,alert.cleared&device=boiler-1`, {
      headers: h.headers,
    });
    const live = readSse(stream, 2, 30_000);
    // Two violating messages stamped with the same millisecond, then back into the band, then out.
    await publish(1000, 31);
    await publish(1000, 35);
    await publish(2000, 29);
    await publish(3000, 27.5);
    const frames = await live;
    assert.deepEqual(frames.map((f) => f.event), ["alert.raised", "alert.cleared"]);
    assert.equal(frames[0]!.data.data.raisedAt, base + 1000);
    assert.equal(frames[1]!.data.data.clearedAt, base + 3000);

    await eventually(
      "the first alert cleared",
      async () => (await alertsOf(h, "device=boiler-1&status=cleared")).length === 1,
    );
    const [first] = await alertsOf(h, "device=boiler-1");
    assert.equal(first.ruleId, "too-hot");
    assert.equal(first.value, 31);
    assert.equal(first.lastValue, 35);
    assert.equal(first.raisedAt, new Date(base + 1000).toISOString());
    assert.equal(first.clearedAt, new Date(base + 3000).toISOString());
    // The rule's action asked the device to act: a command it can receive.
    const commands = await eventually("the rule's command", async () => {
      const items = (await api(h, "GET", "/devices/boiler-1/commands")).json.items;
      return items.length > 0 && items;
    });
    assert.deepEqual(commands.map((c: any) => [c.name, c.requestedBy]), [["burner.off", "rule:too-hot"]]);

    // Ack keeps it open; a manual clear closes it and the rule re-arms only after normal.
    await publish(10_000, 40);
    await eventually(
      "a second alert",
      async () => (await alertsOf(h, "device=boiler-1&status=open")).length === 1,
    );
    const [second] = await alertsOf(h, "device=boiler-1&status=open");
    const acked = await api(h, "POST", `/alerts/${second.id}/ack`);
    assert.equal(acked.json.status, "acknowledged");
    const cleared = await api(h, "POST", `/alerts/${second.id}/clear`);
    assert.equal(cleared.json.status, "cleared");
    assert.equal((await api(h, "POST", `/alerts/${second.id}/clear`)).status, 409);
    await publish(11_000, 41); // still violating: no new alert
    await publish(12_000, 20); // normal: re-armed
    await publish(13_000, 36);
    await eventually(
      "a third alert after re-arming",
      async () => (await alertsOf(h, "device=boiler-1")).length === 3,
    );
    assert.equal((await alertsOf(h, "device=boiler-1&status=open"))[0].value, 36);

    // The backtest of the same range raises what the live processor raised.
    const backtest = await api(h, "POST", "/rules/backtest", {
      rule: "too-hot",
      from: new Date(base).toISOString(),
      to: new Date(base + 60_000).toISOString(),
    });
    assert.equal(backtest.status, 200, JSON.stringify(backtest.json));
    const liveAlerts = (await alertsOf(h, "device=boiler-1")).reverse();
    assert.deepEqual(
      backtest.json.transitions.map((t: any) => [t.raisedAt, t.value]),
      liveAlerts.map((a: any) => [a.raisedAt, a.value]),
    );
    // Clears by the data are the same; the person's clear is not in the data, so the backtest clears
    // that alert where the data went back to normal.
    assert.deepEqual(
      backtest.json.transitions.map((t: any) => t.clearedAt),
      [first.clearedAt, new Date(base + 12_000).toISOString(), null],
    );
    assert.deepEqual(backtest.json.stats.raised, 3);

    // Deleting the rule clears its open alert.
    assert.equal((await api(h, "DELETE", "/rules/too-hot")).status, 204);
    await eventually(
      "the open alert cleared by the delete",
      async () => (await alertsOf(h, "device=boiler-1&status=open")).length === 0,
    );
    const [last] = await alertsOf(h, "device=boiler-1");
    assert.equal(last.clearReason, "rule deleted");
  } finally {
    await device.endAsync();
  }
}

Deno.test({
  name: "rules e2e [embedded]: one alert per violation, hysteresis, action, ack/clear, backtest equals live",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await startInProcess();
    try {
      await rulesFlow(h);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name:
    "rules e2e [Kafka + PostgreSQL]: one alert per violation, hysteresis, action, ack/clear, backtest equals live",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withKafkaPostgresPlatform("rules", rulesFlow),
});
