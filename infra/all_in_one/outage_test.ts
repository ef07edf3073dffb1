/**
 * The measured outage, reproduced: the `readmodels` projector reads the dead-letter topic and
 * device events while PostgreSQL is away (a TCP proxy in front of the real server, cut by the
 * test). The projector must wait the outage out: no new dead letters, no wrapped copies of the
 * old ones, and once the server is back every rejection and every acknowledged state change is
 * in the read models.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { toLogMessage } from "../../core/events/codec.ts";
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import { topicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { runProcessor } from "../../core/processing/runner.ts";
import { getDevice, getDeviceState, listDlq } from "../../core/readmodels/mod.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import { ingestUplink, type Uplink } from "../../processors/ingest/uplink.ts";
import { readModelsProjector } from "../../processors/readmodels/mod.ts";
import { startTcpProxy } from "../dev/tcp_proxy.ts";
import { createPostgresSqlDriver } from "../postgres/postgres_sql_driver.ts";
import { createSqlReadModelStore } from "../readmodels/sql_read_model_store.ts";
import { loadConfig } from "../config/config.ts";
import { startPlatform } from "./platform.ts";
import { eventually } from "../../core/testing/eventually.ts";

const PG_URL = Deno.env.get("AIOT_TEST_POSTGRES_URL") ?? "postgres://aiot:aiot@127.0.0.1:15432/aiot";

/** Schema names are generated here (`rm_outage_` + hex), never taken from input. */
async function admin(statement: string): Promise<void> {
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The outage tests wait out reconnect backoffs: a generous bound. */
const waitLong = (predicate: () => Promise<boolean>) =>
  eventually("the condition", predicate, { timeoutMs: 120_000 });

const count = async (log: EventLog, topic: string) =>
  (await log.endOffsets(topic)).reduce((sum, p) => sum + p.end - p.start, 0);

const uplink = (deviceId: string, route: string, payload: string): Uplink => ({
  deviceId,
  topic: `devices/${deviceId}/${route}`,
  payload: new TextEncoder().encode(payload),
  qos: 1,
});

Deno.test("a PostgreSQL outage neither feeds the dead-letter topic nor leaves a gap in the read models", async () => {
  const schema = `rm_outage_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const target = new URL(PG_URL);
  const proxy = startTcpProxy({ hostname: target.hostname, port: Number(target.port) });
  const through = new URL(PG_URL);
  through.port = String(proxy.port);
  const store = createSqlReadModelStore(
    await createPostgresSqlDriver({ url: through.href, searchPath: schema }),
  );
  const topics = topicNames("aiot.");
  const log = createInMemoryEventLog();
  try {
    await store.migrate();
    await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 2 })));
    // Five malformed uplinks (ingest dead-letters them) and one acknowledged state report.
    const rejected: DomainEvent[] = [];
    for (let i = 0; i < 5; i++) {
      const result = ingestUplink(uplink(`dev-${i}`, "telemetry", `{"temperature": 2${i}`));
      assert.ok(!result.ok);
      rejected.push(result.rejected);
    }
    const reported = ingestUplink(uplink("dev-9", "state/reported", `{"firmware": "1.2.0"}`));
    assert.ok(reported.ok);
    await log.append(topics.dlq, rejected.map(toLogMessage));
    await log.append(topics.device, reported.events.map(toLogMessage));

    proxy.cut();
    let retries = 0;
    const running = runProcessor(readModelsProjector(store, topics), {
      log,
      dlqTopic: topics.dlq,
      baseDelayMs: 1,
      maxDelayMs: 20,
      hooks: { onRetry: () => void retries++ },
    });
    // Well past the 8 attempts after which the runner used to give up, or until the DLQ grows.
    await waitLong(async () => retries >= 10 || (await count(log, topics.dlq)) > 5);
    const during = running.health();
    proxy.restore();
    const caughtUp = async () => {
      for (const topic of [topics.dlq, topics.device]) {
        if ((await log.lag("readmodels", topic)).some((p) => p.lag > 0)) return false;
      }
      return true;
    };
    await waitLong(async () => (await caughtUp()) || (await count(log, topics.dlq)) > 5);
    await running.stop();

    assert.equal(during.state, "stalled", "the projector reported itself stalled during the outage");
    assert.equal(await count(log, topics.dlq), 5, "the dead-letter topic holds the five rejections, no more");
    const listed = (await listDlq(store)).items;
    assert.deepEqual(listed.map((row) => row.deviceId).sort(), ["dev-0", "dev-1", "dev-2", "dev-3", "dev-4"]);
    assert.deepEqual((await getDeviceState(store, "dev-9"))?.reported, { firmware: "1.2.0" });
  } finally {
    await store.close();
    proxy.close();
    await log.close();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});

Deno.test("the platform is not ready while its projector is stalled on a PostgreSQL outage, and ready once it caught up", async () => {
  const schema = `rm_outage_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const target = new URL(PG_URL);
  const proxy = startTcpProxy({ hostname: target.hostname, port: Number(target.port) });
  const through = new URL(PG_URL);
  through.port = String(proxy.port);
  through.searchParams.set("options", `-c search_path=${schema}`);
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-outage-" });
  const platform = await startPlatform(loadConfig({
    AIOT_DATA_DIR: dataDir,
    AIOT_ROLES: "readmodels",
    AIOT_POSTGRES_URL: through.href,
  }));
  const processors = async () => (await platform.readiness()).find((check) => check.name === "processors");
  try {
    assert.deepEqual(await processors(), { name: "processors", ok: true });
    proxy.cut();
    const registered = createEvent("device.registered", { name: "Pump 7" }, {
      key: "pump-7",
      source: "test",
    });
    await platform.log.append(platform.topics.device, [toLogMessage(registered)]);
    await waitLong(() =>
      Promise.resolve(platform.instrumentation.healthOf().get("readmodels")?.state === "stalled")
    );
    const stalled = await processors();
    assert.equal(stalled?.ok, false);
    assert.match(
      stalled?.detail ?? "",
      /^readmodels stalled since \S+ \(\d+ failed attempts?\): PostgreSQL at /,
    );
    proxy.restore();
    await waitLong(async () => (await processors())?.ok === true);
    assert.equal((await getDevice(platform.readModels, "pump-7"))?.name, "Pump 7");
  } finally {
    await platform.stop();
    proxy.close();
    await Deno.remove(dataDir, { recursive: true });
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});
