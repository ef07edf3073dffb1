// deno-lint-ignore-file no-explicit-any -- HTTP, SSE and NDJSON bodies are JSON checked field by field
/**
 * Schema evolution proven on a real log: `telemetry.reported` v1 records, written raw (as the
 * platform wrote them before v2) into the embedded SQLite log and into Kafka, are read as v2 by
 * the live projectors (time series, device metrics), the SSE stream, the rule backtest, the
 * export and — after the platform stopped — `aiot rebuild`, which gives back the same read models.
 * A v2 reading with a unit and a quality goes the whole way beside them.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { createEvent } from "../../core/events/catalog.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { readSse } from "../../api/live/_read_sse.ts";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { deleteKafkaTopics, kafkaEnv } from "./_kafka_platform.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DEVICE = "legacy-1";
const TEMPERATURES = [20, 35, 36, 21, 22];

async function api(h: InProcessPlatform, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.base}/api/v1${path}`, {
    method,
    headers: h.headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** A v1 record: the envelope and headers the platform wrote before v2, values without quality. */
function v1Record(value: number, ts: number) {
  const event = createEvent("telemetry.reported", { values: [{ name: "temperature", value, ts }] }, {
    key: DEVICE,
    source: "ingest",
    time: ts,
  });
  const v1 = { ...event, v: 1, data: { values: [{ name: "temperature", value, ts }] } };
  const raw = JSON.stringify(v1);
  assert.ok(raw.includes('"v":1') && !raw.includes("quality"));
  return {
    key: DEVICE,
    value: raw,
    headers: { "event-id": event.id, "event-type": event.type, "event-v": "1" },
  };
}

/** Runs the operator CLI on the platform's data dir (and engines); fails on a non-zero exit. */
async function aiot(args: string[], env: Record<string, string>): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ROOT}infra/cli/main.ts`, ...args],
    env,
  }).output();
  const text = new TextDecoder();
  assert.equal(code, 0, `aiot ${args.join(" ")}: ${text.decode(stdout)}${text.decode(stderr)}`);
}

interface Seen {
  metrics: unknown;
  temperature: unknown;
}

/** Writes v1 records and a v2 reading; checks every reader; returns the projections' answers. */
async function liveReadersSeeV2(h: InProcessPlatform, base: number): Promise<Seen> {
  assert.equal((await api(h, "POST", "/devices", { id: DEVICE })).status, 201);
  const token = (await api(h, "POST", `/devices/${DEVICE}/token`)).json.token;
  const appendedFrom = Date.now() - 1;
  await h.platform.log.append(
    h.platform.topics.telemetry,
    TEMPERATURES.map((value, i) => v1Record(value, base + i * 1000)),
  );
  const device = await mqtt.connectAsync(h.mqttUrl, {
    username: DEVICE,
    password: token,
    reconnectPeriod: 0,
  });
  await device.publishAsync(
    `devices/${DEVICE}/telemetry`,
    JSON.stringify({
      ts: base + 10_000,
      values: { humidity: { value: 40, unit: "%", quality: "uncertain" } },
    }),
    { qos: 1 },
  );
  await device.endAsync();

  // The live projectors.
  const range = `from=${base - 1000}&to=${base + 60_000}`;
  const temperature = await eventually("the v1 points in the time series", async () => {
    const points =
      (await api(h, "GET", `/devices/${DEVICE}/telemetry?metric=temperature&${range}`)).json.points;
    return points?.length === TEMPERATURES.length && points;
  }, { timeoutMs: 20_000 });
  assert.deepEqual(temperature.map((p: any) => p.v), TEMPERATURES);
  const metrics = await eventually("both metrics projected", async () => {
    const items = (await api(h, "GET", `/devices/${DEVICE}/metrics`)).json.items;
    return items?.length === 2 && items;
  }, { timeoutMs: 20_000 });
  assert.deepEqual(metrics, [
    { metric: "humidity", value: 40, t: base + 10_000, unit: "%", quality: "uncertain", count: 1 },
    { metric: "temperature", value: 22, t: base + 4000, quality: "good", count: 5 },
  ]);

  // The SSE stream, replayed from before the appends.
  const stream = await fetch(
    `${h.base}/api/v1/stream?types=telemetry.reported&device=${DEVICE}&from=${appendedFrom}`,
    { headers: h.headers },
  );
  const frames = await readSse(stream, 6, 10_000);
  assert.equal(frames.length, 6);
  for (const frame of frames) {
    assert.equal(frame.data.v, 2, frame.text);
    assert.ok(frame.data.data.values.every((p: any) => typeof p.quality === "string"), frame.text);
  }

  // The rule backtest: the same rule code over the same log.
  const backtest = await api(h, "POST", "/rules/backtest", {
    rule: {
      name: "hot",
      severity: "warning",
      condition: { kind: "threshold", metric: "temperature", op: ">", value: 30 },
    },
    from: base - 1000,
    to: base + 60_000,
  });
  assert.equal(backtest.status, 200, backtest.text);
  assert.deepEqual(
    backtest.json.transitions.map((t: any) => [t.deviceId, t.value, t.raisedAt, t.clearedAt]),
    [[DEVICE, 35, new Date(base + 1000).toISOString(), new Date(base + 3000).toISOString()]],
  );

  // The export, as NDJSON envelopes upcast to the current version.
  const exported = await api(h, "GET", `/export?topic=telemetry&device=${DEVICE}&${range}&format=ndjson`);
  assert.equal(exported.status, 200, exported.text);
  const lines = exported.text.trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(lines.length, 6);
  for (const line of lines) {
    assert.equal(line.v, 2);
    assert.ok(
      line.data.values.every((p: any) => ["good", "uncertain"].includes(p.quality)),
      JSON.stringify(line),
    );
  }
  return { metrics, temperature };
}

/** v1 records on the platform of `env`; then `aiot rebuild` after it stopped gives the same answers. */
async function schemaEvolutionFlow(env: Record<string, string>): Promise<void> {
  const base = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-v2-" });
  const adminPassword = `admin-${crypto.randomUUID()}`;
  const all = { ...env, AIOT_DATA_DIR: dataDir, AIOT_ADMIN_PASSWORD: adminPassword };
  let live: Seen;
  const first = await startInProcess({ env: all });
  try {
    live = await liveReadersSeeV2(first, base);
  } finally {
    await first.close();
  }

  await aiot(["rebuild", "device_metrics"], all);
  await aiot(["rebuild", "timeseries"], all);
  const again = await startInProcess({ env: all });
  try {
    const metrics = (await api(again, "GET", `/devices/${DEVICE}/metrics`)).json.items;
    assert.deepEqual(metrics, live.metrics, "device_metrics rebuilt from the log equals the live one");
    const range = `from=${base - 1000}&to=${base + 60_000}`;
    const points =
      (await api(again, "GET", `/devices/${DEVICE}/telemetry?metric=temperature&${range}`)).json.points;
    assert.deepEqual(points, live.temperature, "the rebuilt time series equals the live one");
  } finally {
    await again.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

const options = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "telemetry v1 records read as v2 [embedded]: projectors, stream, backtest, export, rebuild",
  ...options,
  fn: () => schemaEvolutionFlow({}),
});

Deno.test({
  name: "telemetry v1 records read as v2 [Kafka]: projectors, stream, backtest, export, rebuild",
  ...options,
  async fn() {
    const env = kafkaEnv("v2");
    try {
      await schemaEvolutionFlow(env);
    } finally {
      await deleteKafkaTopics(env);
    }
  },
});
