/**
 * Retention through the whole platform, retroactive (embedded engines, and Kafka + FerretDB): a
 * platform that kept everything is restarted
 * with lower limits (raw points, 1 min rollups, the telemetry topic), and while telemetry keeps
 * arriving the background sweeps delete what is now too old; `GET /api/v1/retention` shows the
 * settings and the oldest data moving, newer data and the 1 h rollups stay, and every event
 * appended meanwhile is projected.
 */
import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { RetentionReport } from "../../core/retention/report.ts";
import { eventually } from "../../core/testing/eventually.ts";
import { startInProcess } from "./in_process.ts";
import { deleteKafkaTopics, kafkaEnv } from "./_kafka_platform.ts";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { describeRetention } from "../kafka/_kafka_topic_retention.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

const telemetry = (deviceId: string, ts: number, value: number) => ({
  ...toLogMessage(createEvent("telemetry.reported", { values: [{ name: "temperature", value, ts }] }, {
    key: deviceId,
    source: "test",
  })),
  timestamp: ts, // as if appended then: the log's own retention counts from it
});

async function report(base: string, headers: Record<string, string>): Promise<RetentionReport> {
  const response = await fetch(`${base}/api/v1/retention`, { headers });
  assert.equal(response.status, 200);
  return await response.json();
}
const oldestOf = (r: RetentionReport, store: string, name: string) => {
  const oldest = r.items.find((i) => i.store === store && i.name === name)?.oldest;
  return oldest ? Date.parse(oldest) : undefined;
};

Deno.test({
  name:
    "retention e2e (embedded): lowered limits delete old data in the background while telemetry keeps arriving",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const now = Date.now();
    const oldStart = now - 10 * DAY;
    const range = { deviceId: "", metric: "temperature", from: 0, to: now + DAY };
    const first = await startInProcess();
    const topic = first.platform.topics.telemetry;
    try {
      await first.platform.log.append(
        topic,
        Array.from({ length: 120 }, (_, i) => telemetry("dev-old", oldStart + i * MIN, i)),
      );
      await first.platform.log.append(
        topic,
        Array.from({ length: 30 }, (_, i) => telemetry("dev-new", now - HOUR + i * 1000, i)),
      );
      await eventually(
        "the first points projected",
        async () =>
          (await first.platform.timeseries.range({ ...range, deviceId: "dev-new" })).length === 30 &&
          (await first.platform.timeseries.oldest()).raw === oldStart,
      );
      const kept = await report(first.base, first.headers);
      assert.equal(kept.items.find((i) => i.name === "raw")?.retention, "forever");
      assert.equal(oldestOf(kept, "log", topic), oldStart);
    } finally {
      await first.close();
    }

    const second = await startInProcess({
      env: {
        AIOT_DATA_DIR: first.dataDir,
        AIOT_ADMIN_PASSWORD: first.adminPassword,
        AIOT_RETENTION_TELEMETRY_RAW: "7d",
        AIOT_RETENTION_ROLLUP_1M: "7d",
        AIOT_RETENTION_LOG_TELEMETRY: "7d",
      },
    });
    try {
      let sent = 0;
      const cutoff = now - 7 * DAY;
      const swept = await eventually("the old data swept while telemetry arrives", async () => {
        await second.platform.log.append(topic, [
          telemetry("dev-new", now - HOUR + (30 + sent) * 1000, sent),
        ]);
        sent++;
        const r = await report(second.base, second.headers);
        const done = [
          oldestOf(r, "timeseries", "raw"),
          oldestOf(r, "timeseries", "1m"),
          oldestOf(r, "log", topic),
        ]
          .every((t) => t !== undefined && t >= cutoff);
        return done && r;
      }, { timeoutMs: 30_000, intervalMs: 50 });
      const setting = (name: string) => swept.items.find((i) => i.name === name);
      assert.deepEqual([setting("raw")?.retention, setting("raw")?.expiry], ["7d", "sweep"]);
      assert.deepEqual([setting(topic)?.retention, setting(topic)?.expiry], ["7d", "sweep"]);
      assert.equal(
        oldestOf(swept, "timeseries", "1h"),
        Math.floor(oldStart / HOUR) * HOUR,
        "1h rollups kept",
      );
      assert.deepEqual(await second.platform.timeseries.range({ ...range, deviceId: "dev-old" }), []);
      await eventually(
        "every point appended meanwhile projected",
        async () =>
          (await second.platform.timeseries.range({ ...range, deviceId: "dev-new" })).length === 30 + sent,
      );
      const hourly = await second.platform.timeseries.downsample({
        ...range,
        deviceId: "dev-old",
        bucketMs: DAY,
        agg: "count",
      });
      assert.equal(hourly.reduce((n, b) => n + b.v, 0), 120, "the old day still answers from its rollups");
    } finally {
      await second.close();
    }
  },
});

Deno.test({
  name:
    "retention e2e (Kafka + FerretDB): retention.ms altered at restart, raw points swept while telemetry arrives",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const now = Date.now();
    const oldStart = now - 10 * DAY;
    const range = { deviceId: "", metric: "temperature", from: 0, to: now + DAY };
    const database = `aiot_retention_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 6)}`;
    const mongo = new URL(Deno.env.get("AIOT_TEST_MONGO_URL") ?? "mongodb://127.0.0.1:17017/");
    mongo.pathname = `/${database}`;
    const kafka = kafkaEnv("retention");
    const prefix = kafka.AIOT_TOPIC_PREFIX!;
    const env: Record<string, string> = {
      ...kafka,
      AIOT_MONGO_URL: mongo.toString(),
      AIOT_DATA_DIR: await Deno.makeTempDir({ prefix: "aiot-retention-e2e-" }),
      AIOT_ADMIN_PASSWORD: `admin-${crypto.randomUUID()}`,
    };
    const topic = `${prefix}telemetry`;
    try {
      const first = await startInProcess({ env });
      try {
        await first.platform.log.append(
          topic,
          Array.from({ length: 30 }, (_, i) => telemetry("dev-old", oldStart + i * MIN, i)),
        );
        await first.platform.log.append(
          topic,
          Array.from({ length: 10 }, (_, i) => telemetry("dev-new", now - HOUR + i * 1000, i)),
        );
        await eventually(
          "the first points projected",
          async () =>
            (await first.platform.timeseries.range({ ...range, deviceId: "dev-new" })).length === 10 &&
            (await first.platform.timeseries.oldest()).raw === oldStart,
          { timeoutMs: 30_000 },
        );
      } finally {
        await first.close();
      }

      const second = await startInProcess({
        env: { ...env, AIOT_RETENTION_TELEMETRY_RAW: "7d", AIOT_RETENTION_LOG_TELEMETRY: "7d" },
      });
      try {
        const admin = new Kafka({ brokers: kafka.AIOT_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING })
          .admin();
        await admin.connect();
        try {
          const retention = await describeRetention(admin, [topic, `${prefix}device`]);
          assert.deepEqual(retention.get(topic), { retentionMs: 7 * DAY, own: true }, "altered at start");
          assert.equal(
            retention.get(`${prefix}device`)?.own,
            false,
            "unconfigured: left as it was",
          );
        } finally {
          await admin.disconnect();
        }
        let sent = 0;
        const swept = await eventually("the old raw points swept while telemetry arrives", async () => {
          await second.platform.log.append(topic, [
            telemetry("dev-new", now - HOUR + (10 + sent) * 1000, sent),
          ]);
          sent++;
          const r = await report(second.base, second.headers);
          const raw = oldestOf(r, "timeseries", "raw");
          return raw !== undefined && raw >= now - 7 * DAY && r;
        }, { timeoutMs: 60_000, intervalMs: 200 });
        const setting = (name: string) => swept.items.find((i) => i.name === name);
        // FerretDB v1 has no TTL indexes: the store detected it and the sweep deletes.
        assert.deepEqual([setting("raw")?.retention, setting("raw")?.expiry], ["7d", "sweep"]);
        assert.deepEqual([setting(topic)?.retention, setting(topic)?.expiry], ["7d", "kafka"]);
        assert.deepEqual(swept.engines, { log: "kafka", timeseries: "mongodb" });
        assert.equal(
          oldestOf(swept, "timeseries", "1m"),
          Math.floor(oldStart / MIN) * MIN,
          "1 min rollups: no limit here",
        );
        await eventually(
          "every point appended meanwhile projected",
          async () =>
            (await second.platform.timeseries.range({ ...range, deviceId: "dev-new" })).length === 10 + sent,
          {
            timeoutMs: 30_000,
          },
        );
      } finally {
        await second.close();
      }
    } finally {
      await deleteKafkaTopics(env);
      const client = new MongoClient(Deno.env.get("AIOT_TEST_MONGO_URL") ?? "mongodb://127.0.0.1:17017/");
      await client.db(database).dropDatabase().finally(() => client.close());
    }
  },
});
