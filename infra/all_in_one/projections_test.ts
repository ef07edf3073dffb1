/**
 * Projections end to end against the real engines (PostgreSQL read models, FerretDB time series,
 * and the embedded stores): the platform process is killed with SIGKILL in the middle of
 * projecting, restarted, and every count must come out exactly right; then each projection is
 * rebuilt from the log and must equal the live one.
 */
import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { topicNames } from "../../core/events/topics.ts";
import { readModelsProjector } from "../../processors/readmodels/mod.ts";
import { timeseriesProjector } from "../../processors/timeseries/mod.ts";
import { rebuildProjection } from "../lifecycle/rebuild.ts";
import { type AiotConfig, loadConfig } from "../config/config.ts";
import { openEventLog } from "../event_log_from_config.ts";
import { openReadModels, openTimeSeriesStore } from "../stores_from_config.ts";
import { getDevice, getDeviceState, listDeviceMetrics } from "../../core/readmodels/mod.ts";
import { rebuildReadModel } from "./stale_read_models.ts";
import { createScratchDatabase } from "../postgres/scratch_database.ts";

const PG_URL = Deno.env.get("AIOT_TEST_POSTGRES_URL") ?? "postgres://aiot:aiot@127.0.0.1:15432/aiot";
const MONGO_URL = Deno.env.get("AIOT_TEST_MONGO_URL") ?? "mongodb://127.0.0.1:17017/";
const DAY = 86_400_000;

/** How much to write: FerretDB v1 updates cost ~12 ms each, so its run is smaller. */
interface Size {
  devices: number;
  /** Per device, 3 metrics each. */
  readings: number;
  /** State reports per device. */
  states: number;
}

interface Expected {
  count: Map<string, number>;
  sum: Map<string, number>;
  states: Map<string, number>;
}

function workload(now: number, { devices: DEVICES, readings: READINGS, states: STATES }: Size): {
  events: DomainEvent[];
  expected: Expected;
} {
  const events: DomainEvent[] = [];
  const expected: Expected = { count: new Map(), sum: new Map(), states: new Map() };
  for (let d = 0; d < DEVICES; d++) {
    const key = `dev-${d}`;
    events.push(
      createEvent("device.registered", { name: `Device ${d}`, labels: { group: d % 2 ? "odd" : "even" } }, {
        key,
        source: "test",
      }),
    );
  }
  for (let i = 0; i < READINGS; i++) {
    for (let d = 0; d < DEVICES; d++) {
      const key = `dev-${d}`;
      const ts = now - 3 * DAY + i * 97_000 + d;
      const temperature = Math.round(Math.sin(i / 10 + d) * 1000) / 10;
      events.push(createEvent("telemetry.reported", {
        values: [
          { name: "temperature", value: temperature, ts },
          { name: "door", value: i % 3 === 0, ts },
          { name: "mode", value: i % 2 ? "eco" : "21.5", ts },
        ],
      }, { key, source: "test" }));
      expected.count.set(key, (expected.count.get(key) ?? 0) + 1);
      expected.sum.set(key, (expected.sum.get(key) ?? 0) + temperature);
      if (i % Math.floor(READINGS / STATES) === 0) {
        events.push(
          createEvent("device.state.reported", { patch: { reading: i, fw: "1.0" } }, { key, source: "test" }),
        );
        expected.states.set(key, (expected.states.get(key) ?? 0) + 1);
      }
    }
  }
  return { events, expected };
}

async function appendAll(config: AiotConfig, events: DomainEvent[]): Promise<void> {
  const topics = topicNames(config.topicPrefix);
  const { log } = await openEventLog(config);
  await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: config.partitions })));
  const byTopic = new Map<string, DomainEvent[]>();
  for (const e of events) {
    const topic = e.type === "telemetry.reported" ? topics.telemetry : topics.device;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), e]);
  }
  for (const [topic, list] of byTopic) {
    for (let i = 0; i < list.length; i += 2000) {
      await log.append(topic, list.slice(i, i + 2000).map(toLogMessage));
    }
  }
  await log.close();
}

async function totalLag(config: AiotConfig): Promise<number> {
  const topics = topicNames(config.topicPrefix);
  const { log } = await openEventLog(config);
  let lag = 0;
  for (const group of ["timeseries", "readmodels"]) {
    for (const topic of group === "timeseries" ? [topics.telemetry] : [topics.device, topics.telemetry]) {
      lag += (await log.lag(group, topic)).reduce((s, p) => s + p.lag, 0);
    }
  }
  await log.close();
  return lag;
}

/** The platform as a child process; its stderr is kept to explain a failure. */
function spawnPlatform(env: Record<string, string>): { child: Deno.ChildProcess; output: () => string } {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("./main.ts", import.meta.url).pathname],
    env: {
      ...env,
      AIOT_HTTP_PORT: "0",
      AIOT_HTTP_HOST: "127.0.0.1",
      AIOT_MQTT_PORT: "0",
      AIOT_MQTT_HOST: "127.0.0.1",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (c) => void (text += c) }),
  )
    .catch(() => {});
  return { child, output: () => text.slice(-3000) };
}

async function snapshot(config: AiotConfig, DEVICES: number) {
  const timeseries = await openTimeSeriesStore(config);
  const readModels = await openReadModels(config);
  const rows: unknown[] = [];
  for (let d = 0; d < DEVICES; d++) {
    const id = `dev-${d}`;
    const day = await timeseries.downsample({
      deviceId: id,
      metric: "temperature",
      from: 0,
      to: Date.now() + DAY,
      bucketMs: DAY,
      agg: "count",
    });
    const sum = await timeseries.downsample({
      deviceId: id,
      metric: "temperature",
      from: 0,
      to: Date.now() + DAY,
      bucketMs: DAY,
      agg: "sum",
    });
    const hourly = await timeseries.downsample({
      deviceId: id,
      metric: "temperature",
      from: 0,
      to: Date.now() + DAY,
      bucketMs: 3_600_000,
      agg: "avg",
    });
    const raw = await timeseries.range({
      deviceId: id,
      metric: "mode",
      from: 0,
      to: Date.now() + DAY,
      limit: 100_000,
    });
    rows.push({
      id,
      count: day.reduce((s, p) => s + p.v, 0),
      sum: Math.round(sum.reduce((s, p) => s + p.v, 0) * 1000) / 1000,
      hourly,
      modes: raw.length,
      firstMode: raw[0],
      latest: await timeseries.latest(id),
      device: await getDevice(readModels, id),
      state: await getDeviceState(readModels, id),
      metrics: await listDeviceMetrics(readModels, id),
    });
  }
  await timeseries.close();
  await readModels.close();
  return rows as {
    id: string;
    count: number;
    sum: number;
    modes: number;
    state?: { version: number };
    metrics: { metric: string; count: number }[];
  }[];
}

/** True once the projector wrote anything: the moment to kill it, in the middle of its work. */
async function projectionStarted(config: AiotConfig): Promise<boolean> {
  const timeseries = await openTimeSeriesStore(config);
  try {
    return (await timeseries.range({
      deviceId: "dev-0",
      metric: "temperature",
      from: 0,
      to: Date.now() + DAY,
      limit: 1,
    }))
      .length > 0;
  } finally {
    await timeseries.close();
  }
}

async function killedAndRestarted(env: Record<string, string>, size: Size): Promise<void> {
  const config = loadConfig(env);
  const { events, expected } = workload(Date.now(), size);
  await appendAll(config, events);
  const initial = await totalLag(config);

  const { child: first, output: firstOutput } = spawnPlatform(env);
  let exited = false;
  first.status.then(() => (exited = true));
  let lag = initial;
  const deadline = Date.now() + 240_000;
  while (!(await projectionStarted(config)) && Date.now() < deadline) {
    assert.ok(!exited, `the platform exited before projecting; it said:\n${firstOutput()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  first.kill("SIGKILL");
  lag = await totalLag(config);
  await first.status;
  assert.ok(lag > 0, `killed while projecting (lag ${lag} of ${initial})`);

  const { child: second, output } = spawnPlatform(env);
  // Stop it only once it is up (it answers signals from the end of its start-up on).
  while (!output().includes("AIOT ready")) {
    assert.ok(Date.now() < deadline, `second start; platform said:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  while ((lag = await totalLag(config)) > 0) {
    assert.ok(Date.now() < deadline, `caught up within 2 min (lag ${lag}); platform said:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  second.kill("SIGTERM");
  assert.equal((await second.status).code, 0);

  const live = await snapshot(config, size.devices);
  for (const row of live) {
    assert.equal(row.count, expected.count.get(row.id), `temperature count of ${row.id}`);
    assert.equal(
      row.sum,
      Math.round(expected.sum.get(row.id)! * 1000) / 1000,
      `temperature sum of ${row.id}`,
    );
    assert.equal(row.modes, size.readings, `raw string points of ${row.id}`);
    assert.equal(row.state?.version, expected.states.get(row.id), `state version of ${row.id}`);
    assert.deepEqual(
      row.metrics.map((m) => [m.metric, m.count]),
      [["door", size.readings], ["mode", size.readings], ["temperature", size.readings]],
      `device_metrics counts of ${row.id}`,
    );
  }

  // Rebuild both projections from the log: they must equal the live ones.
  const topics = topicNames(config.topicPrefix);
  const { log } = await openEventLog(config);
  const timeseries = await openTimeSeriesStore(config);
  const readModels = await openReadModels(config);
  await rebuildProjection({
    log,
    processor: timeseriesProjector(timeseries, topics.telemetry),
    clear: () => timeseries.clear(),
  });
  await rebuildProjection({
    log,
    processor: readModelsProjector(readModels, topics),
    clear: () => readModels.clear(),
  });
  assert.deepEqual(await snapshot(config, size.devices), live);
  // One read model alone (`aiot rebuild device_metrics`): equal again, the others untouched.
  await rebuildReadModel({ log, topics, store: readModels, name: "device_metrics" });
  await Promise.all([timeseries.close(), readModels.close(), log.close()]);
  assert.deepEqual(await snapshot(config, size.devices), live);
}

Deno.test("embedded stores: projector killed mid-batch loses and double-counts nothing; rebuild equals live", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-proj-" });
  await killedAndRestarted({ AIOT_DATA_DIR: dataDir }, { devices: 12, readings: 1500, states: 40 });
});

Deno.test("PostgreSQL + FerretDB: projector killed mid-batch loses and double-counts nothing; rebuild equals live", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-proj-" });
  const name = `aiot_proj_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
  const scratch = await createScratchDatabase(PG_URL, name);
  const mongoUrl = new URL(MONGO_URL);
  mongoUrl.pathname = `/${name}`;
  try {
    await killedAndRestarted({
      AIOT_DATA_DIR: dataDir,
      AIOT_POSTGRES_URL: scratch.url,
      AIOT_MONGO_URL: mongoUrl.toString(),
    }, { devices: 4, readings: 60, states: 6 });
  } finally {
    await scratch.drop();
    const mongo = new MongoClient(MONGO_URL);
    await mongo.db(name).dropDatabase().finally(() => mongo.close());
  }
});
